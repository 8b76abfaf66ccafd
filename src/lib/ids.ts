import { createHash, randomUUID } from 'node:crypto';

// The Router keeps a client's X-Request-ID only when it is short, plain and
// not in the `async-` namespace it reserves for job ids (contract §7, §6).
const CLIENT_REQUEST_ID = /^[A-Za-z0-9\-_.:]{1,64}$/;

export function acceptClientRequestId(value: string | string[] | undefined): string | undefined {
  if (typeof value !== 'string') return undefined;
  if (!CLIENT_REQUEST_ID.test(value) || value.startsWith('async-')) return undefined;
  return value;
}

export function newRequestId(): string {
  return randomUUID();
}

const keyIds = new Map<string, string>();
const KEY_IDS_MAX = 10_000;

/** A stable, non-secret handle for an API key: safe to log and to show in traces. Memoised: every request needs it. */
export function keyIdOf(apiKey: string): string {
  let id = keyIds.get(apiKey);
  if (id === undefined) {
    id = 'key_' + createHash('sha256').update(apiKey).digest('hex').slice(0, 16);
    if (keyIds.size >= KEY_IDS_MAX) keyIds.clear();
    keyIds.set(apiKey, id);
  }
  return id;
}

/** `0xAbCd…1234`: short enough for an image label, long enough to tell providers apart. */
export function shortAddress(address: string): string {
  return address.length > 12 ? `${address.slice(0, 6)}…${address.slice(-4)}` : address;
}

export const ADDRESS_PATTERN = '^0x[0-9a-fA-F]{40}$';
