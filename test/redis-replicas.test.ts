import t, { type Test } from 'tap';
import { AUTH, CIRRUS, generate, generationBody, KEY, makeApp } from './helpers/app.js';
import { startRedis, uniquePrefix } from './helpers/redis.js';
import { keyIdOf } from '../src/lib/ids.js';

/*
 * Several processes on one Redis behave as one emulator. Two apps in this
 * process stand for two replicas: each has its own clock object, caches,
 * timers and Redis connection, and they share nothing but Redis.
 */
const ACCOUNT = keyIdOf(KEY);

async function replicas(t: Test, count = 2, config: Record<string, unknown> = {}) {
  const redis = await startRedis(t);
  const redisPrefix = uniquePrefix('replicas');
  const apps = [];
  for (let i = 0; i < count; i++) apps.push(await makeApp(t, { redisUrl: redis.url, redisPrefix, clock: 'manual', ...config }));
  return { redis, redisPrefix, apps };
}

const submit = (app: Awaited<ReturnType<typeof makeApp>>, body = generationBody()) =>
  app.inject({ method: 'POST', url: '/v1/async/images/generations', headers: AUTH, payload: body });
const poll = (app: Awaited<ReturnType<typeof makeApp>>, jobId: string, provider = CIRRUS) =>
  app.inject({ method: 'GET', url: `/v1/async/jobs/${jobId}?provider_address=${provider}`, headers: AUTH });
const advance = (app: Awaited<ReturnType<typeof makeApp>>, advanceMs: number) =>
  app.inject({ method: 'POST', url: '/_emulator/clock', payload: { advanceMs } });
const cirrus = () => generationBody({ provider: { address: CIRRUS, allow_fallbacks: false } });

t.test('a job submitted on one replica is polled, settled and billed once on another', async (t) => {
  const { apps } = await replicas(t);
  const [a, b] = apps as [Awaited<ReturnType<typeof makeApp>>, Awaited<ReturnType<typeof makeApp>>];
  const res = await submit(a, cirrus());
  t.equal(res.statusCode, 202);
  const { jobId } = res.json();
  t.equal((await poll(b, jobId)).json().status, 'pending', 'B sees the job A accepted');

  // The manual clock is shared: advancing it on B moves it for A.
  const moved = await advance(b, 60_000);
  t.equal(moved.statusCode, 200);
  t.equal((await a.inject({ method: 'GET', url: '/_emulator/clock' })).json().nowMs, moved.json().nowMs, 'A reads the time B set');

  const [fromA, fromB] = await Promise.all([poll(a, jobId), poll(b, jobId)]);
  t.equal(fromA.json().status, 'completed');
  t.same(fromA.json().x_0g_trace, fromB.json().x_0g_trace, 'both replicas answer with the same trace');
  const ledgerA = (await a.inject({ method: 'GET', url: `/_emulator/ledger?key=${KEY}` })).json();
  const ledgerB = (await b.inject({ method: 'GET', url: `/_emulator/ledger?key=${KEY}` })).json();
  t.equal(ledgerA.charge_count, 1, 'settled and billed once');
  t.same(ledgerA, ledgerB);
  t.equal(ledgerA.charges[0].job_id, jobId);
});

t.test('a fault rule with times: 1 fires once across replicas; rate windows are shared', async (t) => {
  const { apps } = await replicas(t, 2, { rateLimitRpm: 5 });
  const [a, b] = apps as [Awaited<ReturnType<typeof makeApp>>, Awaited<ReturnType<typeof makeApp>>];
  const armed = await a.inject({ method: 'POST', url: '/_emulator/faults', payload: { fault: 'rate_limit_exceeded', times: 1, match: { route: '/v1/images/generations' } } });
  t.equal(armed.statusCode, 201);
  const answers = await Promise.all([generate(a, generationBody()), generate(b, generationBody())]);
  t.same(answers.map((r) => r.statusCode).sort(), [200, 429], 'exactly one of two concurrent requests met the rule');
  const rules = (await b.inject({ method: 'GET', url: '/_emulator/faults' })).json().data;
  t.match(rules[0], { fired: 1, remaining: 0 });

  // Five per minute for the account, counted on both replicas together (two were counted above).
  const more = await Promise.all([generate(a, generationBody()), generate(b, generationBody()), generate(a, generationBody()), generate(b, generationBody())]);
  t.same(more.map((r) => r.statusCode).sort(), [200, 200, 200, 429]);
  t.equal(more.find((r) => r.statusCode === 429)!.headers['x-ratelimit-remaining-requests'], '0');
});

t.test('control state is shared: accounts and keys, revocations, provider health, reset', async (t) => {
  const { apps } = await replicas(t);
  const [a, b] = apps as [Awaited<ReturnType<typeof makeApp>>, Awaited<ReturnType<typeof makeApp>>];
  const account = await a.inject({ method: 'POST', url: '/_emulator/managed-accounts', payload: { balance: '5', api_keys: [{ key: 'sk-managed-one' }] } });
  t.equal(account.statusCode, 201);
  const onB = await generate(b, generationBody(), { authorization: 'Bearer sk-managed-one' });
  t.equal(onB.statusCode, 200, 'B knows the key A created');

  t.equal((await a.inject({ method: 'POST', url: '/_emulator/accounts', payload: { key: 'sk-bad-one', action: 'revoke' } })).statusCode, 200);
  t.equal((await generate(b, generationBody(), { authorization: 'Bearer sk-bad-one' })).json().error.code, 'api_key_revoked');

  const down = await b.inject({ method: 'POST', url: '/_emulator/providers/health', payload: { address: CIRRUS, healthy: false } });
  t.equal(down.statusCode, 200);
  const routed = await generate(a, cirrus());
  t.equal(routed.statusCode, 503, 'A routes around the provider B took down');

  await generate(a, generationBody());
  t.equal((await b.inject({ method: 'POST', url: '/_emulator/reset', payload: {} })).statusCode, 200);
  t.equal((await generate(a, cirrus())).statusCode, 200, 'a reset on B restored health for A');
  const plain = (await a.inject({ method: 'GET', url: '/_emulator/ledger?key=sk-managed-one' })).json();
  t.equal(plain.key_id, keyIdOf('sk-managed-one'), 'and forgot run-time accounts: the key is a plain key again');
  const ledger = (await a.inject({ method: 'GET', url: `/_emulator/ledger?key=${KEY}` })).json();
  t.equal(ledger.charge_count, 1, 'only the charge made after the reset');
  t.equal((await a.services.ledger.store.get(ACCOUNT))?.chargeCount, 1);
});

t.test('a restarted replica loses nothing Redis holds: same job, trace and charge', async (t) => {
  const redis = await startRedis(t);
  const redisPrefix = uniquePrefix('restart');
  const config = { redisUrl: redis.url, redisPrefix, clock: 'manual' as const };
  const first = await makeApp(t, config);
  const { jobId } = (await submit(first, cirrus())).json();
  await advance(first, 60_000);
  const before = (await poll(first, jobId)).json();
  t.equal(before.status, 'completed');
  await first.close();

  const second = await makeApp(t, config);
  const after = (await poll(second, jobId)).json();
  t.same(after.x_0g_trace, before.x_0g_trace, 'the same trace after the restart');
  t.equal(after.data.data[0].b64_json, before.data.data[0].b64_json, 'and the same image');
  t.equal((await second.inject({ method: 'GET', url: '/_emulator/clock' })).json().nowMs, (await first.services.clock.nowMs()), 'the manual clock is where it was');
  t.equal((await second.inject({ method: 'GET', url: `/_emulator/ledger?key=${KEY}` })).json().charge_count, 1);
});
