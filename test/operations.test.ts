import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { loadSettings } from '../src/config-file.js';
import { defaultConfig } from '../src/config.js';
import { renderPlaceholder } from '../src/render/placeholder.js';
import { startServer } from '../src/server.js';
import { AUTH, generate, generationBody, makeApp } from './helpers/app.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

t.test('GET /metrics: requests, latency, jobs by state, renders, ledger, event loop', async (t) => {
  const app = await makeApp(t);
  await generate(app, generationBody());
  await generate(app, generationBody());
  await generate(app, generationBody({ n: 0 }));
  await app.inject({ method: 'POST', url: '/v1/async/images/generations', headers: AUTH, payload: generationBody() });
  await app.inject({ method: 'GET', url: '/no/such/thing' });
  const res = await app.inject({ method: 'GET', url: '/metrics' });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /text\/plain/);
  const text = res.body;
  t.match(text, /emulator_http_requests_total\{route="\/v1\/images\/generations",method="POST",status="200"\} 2/);
  t.match(text, /emulator_http_requests_total\{route="\/v1\/images\/generations",method="POST",status="400"\} 1/);
  t.match(text, /emulator_http_requests_total\{route="unmatched",method="GET",status="404"\} 1/);
  t.match(text, /emulator_http_request_duration_seconds_bucket\{le="0.5",route="\/v1\/images\/generations",method="POST"\} 3/);
  t.match(text, /emulator_jobs\{state="pending"\} 1/);
  t.match(text, /emulator_renders_total\{result="hit"\} 1/);
  t.match(text, /emulator_render_cache_hit_ratio 0\.\d+/);
  t.match(text, /emulator_ledger_spent\{unit="neuron"\} 6000000000000000/);
  t.match(text, /emulator_ledger_charges 2/);
  t.match(text, /nodejs_eventloop_lag_p99_seconds/);
});

t.test('logs: request id, key id, route, status, duration; never the key, the prompt or image bytes', async (t) => {
  const stream = new PassThrough();
  const lines: string[] = [];
  stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
  const app = await makeApp(t, { logLevel: 'info', logFormat: 'json' }, { logStream: stream });
  await generate(app, generationBody({ prompt: 'TOP-SECRET-PROMPT' }), { authorization: 'Bearer sk-very-secret-key', 'x-request-id': 'log-1' });
  const all = lines.join('\n');
  t.notMatch(all, /sk-very-secret-key/);
  t.notMatch(all, /TOP-SECRET-PROMPT/);
  t.notMatch(all, /iVBOR/);
  const done = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'request completed' && l.reqId === 'log-1');
  t.match(done, {
    level: 30,
    reqId: 'log-1',
    keyId: /^key_[0-9a-f]{16}$/,
    method: 'POST',
    url: '/v1/images/generations',
    route: '/v1/images/generations',
    statusCode: 200,
    responseTime: Number,
  });
  t.equal(lines.filter((l) => l.includes('"log-1"')).length, 1, 'one line per request at info');
});

t.test('graceful shutdown lets an in-flight request finish', async (t) => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let started!: () => void;
  const drawing = new Promise<void>((r) => (started = r));
  const server = await startServer(defaultConfig({ logLevel: 'silent', maxEventLoopDelayMs: 0, host: '127.0.0.1', port: 0 }), {
    draw: async (p) => {
      if (p.model !== 'warm-up') {
        started();
        await gate;
      }
      return renderPlaceholder(p);
    },
  });
  const inFlight = fetch(`${server.url}/v1/images/generations`, {
    method: 'POST',
    headers: { ...AUTH, 'content-type': 'application/json' },
    body: JSON.stringify(generationBody()),
  });
  await drawing;
  const stopping = server.shutdown('test');
  t.equal(server.app.services.lifecycle.shuttingDown, true);
  release();
  const res = await inFlight;
  t.equal(res.status, 200, 'the request that was running completed');
  t.equal(((await res.json()) as { data: unknown[] }).data.length, 1);
  t.equal(await stopping, 'clean');
  t.equal(await server.shutdown('again'), 'clean', 'idempotent');
});

t.test('a request outliving the grace period does not hold the shutdown', async (t) => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const server = await startServer(defaultConfig({ logLevel: 'silent', maxEventLoopDelayMs: 0, host: '127.0.0.1', port: 0, shutdownGraceMs: 50 }), {
    draw: async (p) => {
      if (p.model !== 'warm-up') await gate;
      return renderPlaceholder(p);
    },
  });
  const stuck = fetch(`${server.url}/v1/images/generations`, {
    method: 'POST',
    headers: { ...AUTH, 'content-type': 'application/json' },
    body: JSON.stringify(generationBody()),
  }).catch(() => undefined);
  // Shutdown closes connections that have no request yet: wait until this one has been received.
  while (server.app.connections.requestsInFlight === 0) await new Promise((r) => setTimeout(r, 5));
  t.equal(await server.shutdown('test'), 'grace-expired');
  release();
  await stuck;
});

// npm start and the image run the bundle (scripts/bundle.mjs), so that is what these spawn.
const SERVER = fileURLToPath(new URL('../dist/bundle/server.js', import.meta.url));

t.test('the started server (node dist/bundle/server.js) serves, gets ready, exits 0 on SIGTERM', async (t) => {
  // Backpressure off, as in every in-process test: a loaded CI machine must not turn this into a 503.
  const child = spawn(process.execPath, [SERVER], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', LOG_FORMAT: 'json', MAX_EVENT_LOOP_DELAY_MS: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // A failed assertion must not leave the server running (and the test file waiting on it).
  t.teardown(() => void child.kill('SIGKILL'));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d;
      const m = /"msg":"0G Router emulator listening: API (http:\/\/127\.0\.0\.1:\d+)\/v1 /.exec(out);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`exited early with ${code}`)));
  });
  t.equal((await fetch(`${url}/healthz`)).status, 200);
  const image = await fetch(`${url}/v1/images/generations`, {
    method: 'POST',
    headers: { authorization: 'Bearer sk-bundle', 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'z-image', prompt: 'from the bundle', size: '256x256', response_format: 'b64_json' }),
  });
  t.equal(image.status, 200);
  const png = Buffer.from(((await image.json()) as { data: { b64_json: string }[] }).data[0]!.b64_json, 'base64');
  t.equal(png.subarray(1, 4).toString(), 'PNG');
  t.equal((await fetch(`${url}/readyz`)).status, 200, 'warmed up by then');
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  t.equal(await exited, 0);
});

t.test('--check-config validates and exits; a bad config fails fast naming the problem', async (t) => {
  const run = (env: Record<string, string>) =>
    new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn(process.execPath, [SERVER, '--check-config'], {
        env: { ...process.env, ...env },
      });
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d));
      child.stderr.on('data', (d: Buffer) => (output += d));
      child.on('exit', (code) => resolve({ code, output }));
    });
  const ok = await run({ EMULATOR_CONFIG: fixture('config-with-settings.yaml') });
  t.equal(ok.code, 0);
  t.match(ok.output, /config ok: 1 models, 1 providers/);
  const bad = await run({ RATE_LIMIT_RPM: 'lots' });
  t.equal(bad.code, 2);
  t.match(bad.output, /RATE_LIMIT_RPM="lots" is invalid/);
});

t.test('EMULATOR_CONFIG settings sit between defaults and the environment', async (t) => {
  const path = fixture('config-with-settings.yaml');
  const { config, pool } = loadSettings({ EMULATOR_CONFIG: path, JOB_TTL_S: '60' });
  t.equal(config.rateLimitRpm, 5, 'from the file');
  t.equal(config.jobTtlS, 60, 'the environment wins');
  t.equal(config.port, 8080, 'default');
  t.equal(pool?.providers[0]?.name, 'Solo');
  const dir = tmpdir();
  const badValue = join(dir, `emulator-bad-${process.pid}.json`);
  writeFileSync(badValue, JSON.stringify({ settings: { port: 70000 } }));
  t.throws(() => loadSettings({ EMULATOR_CONFIG: badValue }), /settings\/port=70000 is invalid/);
  const unknown = join(dir, `emulator-unknown-${process.pid}.json`);
  writeFileSync(unknown, JSON.stringify({ settings: { PORT: 1 } }));
  t.throws(() => loadSettings({ EMULATOR_CONFIG: unknown }), /settings\/PORT is not a setting/);
  const settingsOnly = join(dir, `emulator-settings-${process.pid}.json`);
  writeFileSync(settingsOnly, JSON.stringify({ settings: { usdPer0g: 2 } }));
  const loaded = loadSettings({ EMULATOR_CONFIG: settingsOnly });
  t.equal(loaded.config.usdPer0g, 2);
  t.equal(loaded.pool, undefined, 'no models/providers: the default pool stays');
});

t.test('under pressure, inference routes answer 503 with Retry-After; health stays up', async (t) => {
  const app = await makeApp(t, { maxHeapUsedMb: 1 });
  await app.ready();
  // under-pressure samples every 200 ms; wait for one sample.
  await new Promise((r) => setTimeout(r, 450));
  const res = await generate(app, generationBody());
  t.equal(res.statusCode, 503);
  t.equal(res.headers['retry-after'], '2');
  t.match(res.json().error, { code: 'no_available_provider', message: /overloaded/ });
  t.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
  t.equal((await app.inject({ method: 'GET', url: '/metrics' })).statusCode, 200);
});
