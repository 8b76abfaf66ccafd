// Talks to the control plane only. The admin token lives in sessionStorage and
// travels in the Authorization header, never in a URL: the event stream is read
// with fetch() rather than EventSource, which cannot send headers.
const TOKEN_KEY = '0g-emulator-admin-token';

export const adminToken = {
  get: (): string => sessionStorage.getItem(TOKEN_KEY) ?? '',
  set: (value: string): void => sessionStorage.setItem(TOKEN_KEY, value),
  clear: (): void => sessionStorage.removeItem(TOKEN_KEY),
};

/** The server refused the admin token (or it is missing). */
export class AuthError extends Error {}

function headers(json: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  const token = adminToken.get();
  if (token) out.authorization = `Bearer ${token}`;
  if (json) out['content-type'] = 'application/json';
  return out;
}

async function failure(res: Response): Promise<Error> {
  const text = await res.text().catch(() => '');
  let message = `${res.status} ${res.statusText}`;
  try {
    const body = JSON.parse(text) as { error?: { message?: string; code?: string } };
    if (body.error?.message) message = `${body.error.message} (${body.error.code ?? res.status})`;
  } catch {
    // not an envelope: keep the status line
  }
  return res.status === 401 ? new AuthError(message) : new Error(message);
}

export async function call<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    headers: headers(body !== undefined),
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (!res.ok) throw await failure(res);
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** A PNG fetched with the token, as an object URL the caller must revoke. */
export async function imageUrl(path: string, signal: AbortSignal): Promise<string> {
  const res = await fetch(path, { headers: headers(false), signal });
  if (!res.ok) throw await failure(res);
  return URL.createObjectURL(await res.blob());
}

/** Reads server-sent events until the stream ends or `signal` aborts; calls `onEvent` per event. */
export async function readEvents(path: string, signal: AbortSignal, onEvent: (event: string, data: string) => void): Promise<void> {
  const res = await fetch(path, { headers: { ...headers(false), accept: 'text/event-stream' }, signal, cache: 'no-store' });
  if (!res.ok || !res.body) throw await failure(res);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of frame.split('\n')) {
        if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data.push(line.slice(6));
      }
      if (data.length) onEvent(event, data.join('\n'));
    }
  }
}
