import t from 'tap';
import { keyIdOf } from '../src/lib/ids.js';
import { AUTH, generate, generationBody, KEY, makeApp } from './helpers/app.js';

t.test('a new key gets an account with the default balance; charges come off it', async (t) => {
  const app = await makeApp(t);
  await generate(app, generationBody({ n: 2 }));
  const account = (await app.services.ledger.store.get(keyIdOf(KEY)))!;
  t.equal(account.currency, '0g');
  t.equal(account.balance, 1000n * 10n ** 18n - 6_000_000_000_000_000n);
  t.equal(account.spent, 6_000_000_000_000_000n);
});

t.test('USD accounts: micro-USD traces with currency "usd"', async (t) => {
  const app = await makeApp(t, { usdApiKeys: 'sk-usd-team', usdPer0g: 1.5 });
  const res = await generate(app, generationBody({ n: 2 }), { authorization: 'Bearer sk-usd-team' });
  // 2 x 3e15 neuron = 0.006 0G = $0.009 = 9000 micro-USD.
  t.same(res.json().x_0g_trace.billing, { input_cost: '0', output_cost: '9000', total_cost: '9000', currency: 'usd' });
  const account = (await app.services.ledger.store.get(keyIdOf('sk-usd-team')))!;
  t.equal(account.balance, 1000n * 1_000_000n - 9000n);
  const zg = await generate(app, generationBody());
  t.notOk('currency' in zg.json().x_0g_trace.billing, '0G traces omit currency');
});

t.test('admission needs min_cost (0.01 0G); a request may overdraw, the next gets 402', async (t) => {
  const app = await makeApp(t, { defaultBalance0g: '0.01' });
  const first = await generate(app, generationBody({ n: 10 }));
  t.equal(first.statusCode, 200, 'the floor is covered; the 0.03 0G price is not checked up front');
  t.equal((await app.services.ledger.store.get(keyIdOf(KEY)))!.balance, -20_000_000_000_000_000n);
  const second = await generate(app, generationBody());
  t.equal(second.statusCode, 402);
  t.same(second.json().error, { message: 'Insufficient balance to process request', type: 'payment_error', code: 'insufficient_balance' });
  const submit = await app.inject({ method: 'POST', url: '/v1/async/images/generations', headers: AUTH, payload: generationBody() });
  t.equal(submit.statusCode, 402, 'async submits are admitted the same way');
  const other = await generate(app, generationBody(), { authorization: 'Bearer sk-a-fresh-key' });
  t.equal(other.statusCode, 200, 'accounts are per key');
});

t.test('a USD account below the USD value of min_cost gets 402', async (t) => {
  const app = await makeApp(t, { usdApiKeys: 'sk-usd', defaultBalanceUsd: '0.009' });
  const res = await generate(app, generationBody(), { authorization: 'Bearer sk-usd' });
  t.equal(res.statusCode, 402);
});

t.test('rate limits: headers on every inference response, 429 past the limit, per key, on the clock', async (t) => {
  const app = await makeApp(t, { rateLimitRpm: 3 });
  app.clock.set(Date.UTC(2026, 10, 24, 12, 0, 20));
  const reset = new Date(Date.UTC(2026, 10, 24, 12, 1, 0)).toISOString();
  const ok = await generate(app, generationBody());
  t.match(ok.headers, { 'x-ratelimit-limit-requests': '3', 'x-ratelimit-remaining-requests': '2', 'x-ratelimit-reset-requests': reset });
  const invalid = await generate(app, generationBody({ n: 0 }));
  t.equal(invalid.statusCode, 400);
  t.equal(invalid.headers['x-ratelimit-remaining-requests'], '1', 'errors count and carry the headers');
  const poll = await app.inject({ method: 'GET', url: `/v1/async/jobs/${'0'.repeat(32)}`, headers: AUTH });
  t.equal(poll.headers['x-ratelimit-remaining-requests'], '0', 'polls count');
  app.clock.advance(10_000);
  const limited = await generate(app, generationBody());
  t.equal(limited.statusCode, 429);
  t.equal(limited.headers['retry-after'], '30', 'seconds until the window resets');
  t.same(limited.json().error, { message: 'Rate limit exceeded. Please try again later.', type: 'rate_limit_error', code: 'rate_limit_exceeded' });
  t.equal(limited.headers['x-ratelimit-remaining-requests'], '0');
  t.equal((await generate(app, generationBody(), { authorization: 'Bearer sk-other' })).statusCode, 200, 'another key has its own window');
  const catalog = await app.inject({ method: 'GET', url: '/v1/models' });
  t.notOk('x-ratelimit-limit-requests' in catalog.headers, 'catalog routes are not rate limited');
  app.clock.advance(30_000);
  const next = await generate(app, generationBody());
  t.equal(next.statusCode, 200, 'a new window');
  t.equal(next.headers['x-ratelimit-remaining-requests'], '2');
});

t.test('RATE_LIMIT_RPM=0 disables the limit and its headers', async (t) => {
  const app = await makeApp(t, { rateLimitRpm: 0 });
  const res = await generate(app, generationBody());
  t.notOk('x-ratelimit-limit-requests' in res.headers);
});
