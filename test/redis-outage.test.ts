import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { keyIdOf } from '../src/lib/ids.js';
import { AUTH, CIRRUS, generate, generationBody, KEY, makeApp } from './helpers/app.js';
import { startRedis, uniquePrefix } from './helpers/redis.js';

const SERVER = fileURLToPath(new URL('../dist/bundle/server.js', import.meta.url));
const until = async (condition: () => Promise<boolean>, timeoutMs = 10_000) => {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
};

t.test('Redis down: /readyz 503 with the reason, inference 503 with Retry-After; back by itself when Redis returns', async (t) => {
  const redis = await startRedis(t);
  const app = await makeApp(t, { redisUrl: redis.url, redisPrefix: uniquePrefix('outage'), redisCommandTimeoutMs: 300 });
  await app.ready();
  await app.services.lifecycle.warmedUp;
  t.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
  t.equal((await generate(app, generationBody())).statusCode, 200);

  await redis.stop();
  const unready = await app.inject({ method: 'GET', url: '/readyz' });
  t.equal(unready.statusCode, 503);
  t.match(unready.json(), { status: 'not_ready', reason: /state store unavailable/ });
  const refused = await generate(app, generationBody());
  t.equal(refused.statusCode, 503);
  t.equal(refused.headers['retry-after'], '1');
  t.match(refused.json(), { error: { type: 'server_error', code: 'vault_unavailable', message: /state store unavailable/ }, request_id: /./ });
  const polled = await app.inject({ method: 'GET', url: '/v1/async/jobs/abc?provider_address=' + CIRRUS, headers: AUTH });
  t.equal(polled.statusCode, 503, 'polls too');
  t.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200, 'the process itself is alive');

  await redis.start();
  await until(async () => (await app.inject({ method: 'GET', url: '/readyz' })).statusCode === 200);
  t.equal((await generate(app, generationBody())).statusCode, 200, 'service resumed without a restart');
});

t.test('a Redis that stops answering: commands time out into the same 503, no request hangs', async (t) => {
  const redis = await startRedis(t);
  const app = await makeApp(t, { redisUrl: redis.url, redisPrefix: uniquePrefix('slow'), redisCommandTimeoutMs: 200 });
  t.equal((await generate(app, generationBody())).statusCode, 200);
  redis.pause();
  const startedMs = Date.now();
  const res = await generate(app, generationBody());
  const tookMs = Date.now() - startedMs;
  redis.resume();
  t.equal(res.statusCode, 503);
  t.match(res.json().error.message, /timed out after 200 ms/);
  t.ok(tookMs < 2000, `answered in ${tookMs} ms`);
  await until(async () => (await generate(app, generationBody())).statusCode === 200);
});

t.test('the accepting process is SIGKILLed before its job completes: another settles and bills it once', async (t) => {
  const redis = await startRedis(t);
  const redisPrefix = uniquePrefix('sigkill');
  const child = spawn(process.execPath, [SERVER], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', LOG_FORMAT: 'json', REDIS_URL: redis.url, REDIS_PREFIX: redisPrefix, JOB_TIME_SCALE: '0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => void child.kill('SIGKILL'));
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d));
  const url = await new Promise<string>((resolve) => {
    child.stdout.on('data', () => {
      const m = /listening: API (http:\/\/127\.0\.0\.1:\d+)\/v1 /.exec(out);
      if (m) resolve(m[1]!);
    });
  });
  const submitted = await fetch(`${url}/v1/async/images/generations`, {
    method: 'POST',
    headers: { ...AUTH, 'content-type': 'application/json' },
    body: JSON.stringify(generationBody({ provider: { address: CIRRUS, allow_fallbacks: false } })),
  });
  t.equal(submitted.status, 202);
  const { jobId } = (await submitted.json()) as { jobId: string };
  const exited = new Promise((resolve) => child.on('exit', resolve));
  child.kill('SIGKILL');
  await exited;

  // Two survivors on the system clock; nobody polls.
  const survivors = [
    await makeApp(t, { redisUrl: redis.url, redisPrefix }, { clock: undefined as never }),
    await makeApp(t, { redisUrl: redis.url, redisPrefix }, { clock: undefined as never }),
  ];
  const store = survivors[0]!.services.state.jobs;
  await until(async () => (await store.get(jobId))?.outcome !== undefined);
  t.equal((await store.get(jobId))?.outcome?.status, 'completed');
  // Both survivors settle everything due once more: the job is not settled again.
  t.same(await Promise.all(survivors.map((s) => s.services.jobs.settleDue())), [0, 0]);
  const account = await survivors[1]!.services.ledger.store.get(keyIdOf(KEY));
  t.equal(account?.chargeCount, 1, 'billed exactly once');
  t.equal(account?.recent[0]?.jobId, jobId);
});
