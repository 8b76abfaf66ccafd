import t from 'tap';
import { AUTH, generate, generationBody, KEY, makeApp } from './helpers/app.js';

const report = async (app: Awaited<ReturnType<typeof makeApp>>) => (await app.inject({ method: 'GET', url: `/_emulator/report?key=${KEY}` })).json();
const submit = (app: Awaited<ReturnType<typeof makeApp>>, headers: Record<string, string>) =>
  app.inject({ method: 'POST', url: '/v1/async/images/generations', headers: { ...AUTH, ...headers }, payload: generationBody({ prompt: 'same body' }) });

t.test('a retry after an unbilled 429 is a retry, but costs nothing twice', async (t) => {
  const app = await makeApp(t, { rateLimitRpm: 1 });
  await app.inject({ method: 'GET', url: `/v1/async/jobs/${'0'.repeat(32)}`, headers: AUTH }); // uses this minute's one request
  const body = generationBody({ prompt: 'rate limited first' });
  t.equal((await generate(app, body)).statusCode, 429);
  app.clock.advance(60_000);
  t.equal((await generate(app, body, { ...AUTH, 'x-stainless-retry-count': '1' })).statusCode, 200);
  const r = await report(app);
  t.match(r.retried_submits, { count: 1, repeat_cost: '0' }, 'only one of the two was billed');
});

t.test('retries refused before the body mattered (header faults) are still recognised', async (t) => {
  const app = await makeApp(t);
  for (const retry of ['0', '1', '2']) {
    const res = await submit(app, { 'x-stainless-retry-count': retry, 'x-emulator-fault': 'provider_error' });
    t.equal(res.statusCode, 502);
  }
  const r = await report(app);
  t.match(r.retried_submits, { count: 2, repeat_cost: '0' });
  t.equal(r.retried_submits.groups[0].requestIds.length, 3);
});

t.test('two identical requests in flight together (an SDK splitting n=2) are not retries; a later one is', async (t) => {
  const app = await makeApp(t);
  const body = generationBody({ prompt: 'split n=2' });
  // Held in flight together by a 50 ms answer delay each.
  const slow = { ...AUTH, 'x-emulator-latency-ms': '50' };
  const [a, b] = await Promise.all([generate(app, body, slow), generate(app, body, slow)]);
  t.same([a.statusCode, b.statusCode], [200, 200]);
  t.match((await report(app)).retried_submits, { count: 0, repeat_cost: '0' }, 'overlapping: not retried');
  await generate(app, body);
  const r = await report(app);
  t.match(r.retried_submits, { count: 1, repeat_cost: '3000000000000000' }, 'the third came after both ended: one repeat, billed twice');
});
