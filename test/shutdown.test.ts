import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { AUTH, generationBody } from './helpers/app.js';
import { serve } from './helpers/sockets.js';

const SERVER = fileURLToPath(new URL('../dist/bundle/server.js', import.meta.url));

t.test('SIGTERM with an idle keep-alive connection and a silent socket: exits 0 at once and says so', async (t) => {
  const graceMs = 30_000;
  const child = spawn(process.execPath, [SERVER], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', LOG_FORMAT: 'json', SHUTDOWN_GRACE_MS: String(graceMs) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d));
  const url = await new Promise<string>((resolve) => {
    const onData = () => {
      const m = /"msg":"0G Router emulator listening: API (http:\/\/127\.0\.0\.1:\d+)\/v1 /.exec(out);
      if (m) resolve(m[1]!);
    };
    child.stdout.on('data', onData);
  });
  const { port } = new URL(url);
  // What every fetch client leaves behind: a pooled connection with nothing in flight.
  const agent = new Agent({ keepAlive: true });
  await new Promise<void>((resolve) => request({ port, host: '127.0.0.1', path: '/healthz', agent }, (res) => res.resume().on('end', resolve)).end());
  const silent = connect(Number(port), '127.0.0.1');
  silent.on('error', () => undefined);
  await new Promise((r) => silent.once('connect', r));

  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const startedMs = Date.now();
  child.kill('SIGTERM');
  const code = await exited;
  const tookMs = Date.now() - startedMs;
  agent.destroy();
  t.equal(code, 0, 'a clean exit: nothing was in flight');
  t.ok(tookMs < graceMs / 3, `exited after ${tookMs} ms, not at the end of the ${graceMs} ms grace period`);
  const lines = out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg: string; idleConnectionsClosed?: number });
  const start = lines.find((l) => l.msg.startsWith('shutting down'));
  t.match(start, { msg: /no requests in flight/, idleConnectionsClosed: 2, requestsInFlight: 0 });
  t.ok(lines.some((l) => l.msg === 'shutdown complete: every request answered'));
  t.notOk(lines.some((l) => /still in flight/.test(l.msg)), 'no false "still in flight" warning');
});

t.test('an answer delayed by X-Emulator-Latency-Ms across the start of shutdown still carries connection: close', async (t) => {
  const server = await serve(t, { clock: 'manual' });
  const answered = fetch(`${server.url}/v1/images/generations`, {
    method: 'POST',
    headers: { ...AUTH, 'content-type': 'application/json', 'x-emulator-latency-ms': '300' },
    body: JSON.stringify(generationBody()),
  });
  // Wait until the request is being served (its answer is then waiting out the latency).
  while (server.app.connections.requestsInFlight === 0) await new Promise((r) => setTimeout(r, 5));
  const stopping = server.shutdown('test');
  const res = await answered;
  t.equal(res.status, 200);
  t.equal(res.headers.get('connection'), 'close');
  t.equal(await stopping, 'clean', 'in-flight work finished within the grace period');
});
