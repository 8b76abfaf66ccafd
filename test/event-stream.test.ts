import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import t, { type Test } from 'tap';
import { EventHub } from '../src/lib/event-hub.js';
import { startEmulator } from '../src/testkit.js';

/** A response that records writes and reports `writableLength` as the test sets it. */
class FakeResponse extends EventEmitter {
  writes: string[] = [];
  writableLength = 0;
  ended = false;
  write(chunk: string) {
    this.writes.push(chunk);
    return true;
  }
  end() {
    this.ended = true;
  }
}

const hubFor = (t: Test, options: Partial<ConstructorParameters<typeof EventHub>[0]> = {}) => {
  const hub = new EventHub({ maxStreams: 2, throttleMs: 20, maxBufferedBytes: 1000, tickMs: 60_000, tick: () => false, ...options });
  t.teardown(() => hub.closeAll());
  return hub;
};
const until = async (condition: () => boolean) => {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
};

t.test('a burst of changes becomes one event per throttle window', async (t) => {
  const hub = hubFor(t);
  const res = new FakeResponse();
  let renders = 0;
  hub.open(res as unknown as ServerResponse, async () => `event: n\ndata: ${++renders}\n\n`);
  await until(() => res.writes.length === 1);
  t.pass('the current state at once');
  for (let i = 0; i < 100; i++) hub.changed();
  await until(() => res.writes.length === 2);
  t.equal(renders, 2, '100 changes, one render');
  t.match(res.writes[1], 'data: 2');
});

t.test('a reader that does not read gets nothing new until it drains, then the state of that moment', async (t) => {
  const hub = hubFor(t);
  const res = new FakeResponse();
  let state = 'a';
  hub.open(res as unknown as ServerResponse, async () => state);
  await until(() => res.writes.length === 1);
  res.writableLength = 5000;
  state = 'b';
  hub.changed();
  await new Promise((resolve) => setTimeout(resolve, 60));
  state = 'c';
  hub.changed();
  await new Promise((resolve) => setTimeout(resolve, 60));
  t.same(res.writes, ['a'], 'nothing queued behind a full buffer');
  res.writableLength = 0;
  res.emit('drain');
  await until(() => res.writes.length === 2);
  t.same(res.writes, ['a', 'c']);
});

t.test('streams are counted, dropped on close, and all ended by closeAll', async (t) => {
  const hub = hubFor(t);
  const a = new FakeResponse();
  const b = new FakeResponse();
  hub.open(a as unknown as ServerResponse, async () => 'x');
  hub.open(b as unknown as ServerResponse, async () => 'x');
  t.equal(hub.full, true);
  a.emit('close');
  t.equal(hub.size, 1);
  hub.closeAll();
  t.equal(b.ended, true);
  t.equal(hub.size, 0);
});

/** Reads SSE events from a fetch body; resolves each call with the next `snapshot` event. */
function eventReader(body: ReadableStream<Uint8Array>) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  return async (): Promise<{ jobs: { data: { id: string; status: string }[] } } | undefined> => {
    for (;;) {
      const end = buffer.indexOf('\n\n');
      if (end >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = frame.split('\n').find((l) => l.startsWith('data: '));
        if (frame.startsWith('event: snapshot') && data) return JSON.parse(data.slice(6));
        continue;
      }
      const { value, done } = await reader.read();
      if (done) return undefined;
      buffer += decoder.decode(value, { stream: true });
    }
  };
}

t.test('GET /_emulator/events over a socket: a snapshot now, another after a change; bounded; ended by shutdown', async (t) => {
  const emulator = await startEmulator({ adminToken: 'tok', maxEventLoopDelayMs: 0 });
  let closed = false;
  t.teardown(() => (closed ? undefined : emulator.close()));
  const auth = { authorization: 'Bearer tok' };
  t.equal((await fetch(`${emulator.url}/_emulator/events`)).status, 401, 'no token, no stream');

  const res = await fetch(`${emulator.url}/_emulator/events`, { headers: auth });
  t.equal(res.status, 200);
  t.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
  const next = eventReader(res.body!);
  t.same((await next())!.jobs.data, [], 'the current state at once');
  const submit = await fetch(`${emulator.baseURL}/async/images/generations`, {
    method: 'POST',
    headers: { authorization: 'Bearer sk-stream', 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'z-image', prompt: 'x', size: '64x64', response_format: 'b64_json' }),
  });
  const { jobId } = (await submit.json()) as { jobId: string };
  let snapshot = await next();
  while (snapshot!.jobs.data.length === 0) snapshot = await next();
  t.match(snapshot!.jobs.data[0], { id: jobId, status: 'pending' });
  await emulator.control.advance(10_000);
  while (snapshot!.jobs.data[0]!.status !== 'completed') snapshot = await next();
  t.pass('advancing the clock pushes the completed job');

  const more = await Promise.all(Array.from({ length: 15 }, () => fetch(`${emulator.url}/_emulator/events`, { headers: auth })));
  t.same(more.map((r) => r.status), Array(15).fill(200));
  const refused = await fetch(`${emulator.url}/_emulator/events`, { headers: auth });
  t.equal(refused.status, 429, 'at most 16 streams');
  t.equal(refused.headers.get('retry-after'), '5');

  // Open streams must not hold shutdown until the grace period expires.
  const outcome = await emulator.app.close().then(() => 'clean');
  closed = true;
  t.equal(outcome, 'clean');
  while ((await next()) !== undefined);
  t.pass('the stream ended');
  await Promise.all(more.map((r) => r.body!.cancel()));
});
