import t from 'tap';
import type { App } from '../src/app.js';
import { AURORA, AUTH, CIRRUS, generate, generationBody, KEY, makeApp } from './helpers/app.js';

const submit = (app: App, headers: Record<string, string> = AUTH, body: unknown = generationBody()) =>
  app.inject({ method: 'POST', url: '/v1/async/images/generations', headers, payload: body as object });
const poll = (app: App, jobId: string, headers: Record<string, string> = AUTH) =>
  app.inject({ method: 'GET', url: `/v1/async/jobs/${jobId}`, headers });
const control = (app: App, method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) =>
  app.inject({ method, url, ...(payload ? { payload } : {}) });

t.test('every error in the catalogue, armed by header, is answered exactly as catalogued', async (t) => {
  const app = await makeApp(t);
  const catalog = (await control(app, 'GET', '/_emulator/faults/catalog')).json().data;
  const errors = catalog.filter((f: { kind: string }) => f.kind === 'error');
  t.ok(errors.length >= 15);
  t.ok(catalog.some((f: { code: string }) => f.code === 'job_failed'));
  for (const fault of errors) {
    const res = await generate(app, generationBody(), { ...AUTH, 'x-emulator-fault': fault.code });
    t.equal(res.statusCode, fault.status, `${fault.code}: status`);
    t.match(res.json().error, { code: fault.code, type: fault.type }, `${fault.code}: envelope`);
    for (const [name, value] of Object.entries(fault.headers)) t.equal(res.headers[name], value, `${fault.code}: ${name}`);
  }
  const unknown = await generate(app, generationBody(), { ...AUTH, 'x-emulator-fault': 'meteor_strike' });
  t.equal(unknown.statusCode, 400);
  t.match(unknown.json().error.message, /not in the catalogue/);
});

t.test('fault rules: match route, key and model; fire `times`; disarm', async (t) => {
  const app = await makeApp(t);
  const armed = await control(app, 'POST', '/_emulator/faults', {
    fault: 'rate_limit_exceeded',
    match: { route: '/v1/images/generations', key: KEY, model: 'z-image' },
    times: 2,
    retryAfterS: 7,
  });
  t.equal(armed.statusCode, 201);
  const results = [];
  for (let i = 0; i < 3; i++) results.push((await generate(app, generationBody())).statusCode);
  t.same(results, [429, 429, 200]);
  t.equal((await generate(app, generationBody({ model: 'flux-1-schnell', size: '256x256' }))).statusCode, 200, 'another model is not matched');
  await control(app, 'POST', '/_emulator/faults', { fault: 'internal_error', match: { key: 'sk-someone-else' } });
  t.equal((await generate(app, generationBody())).statusCode, 200, 'another key is not matched');
  t.equal((await generate(app, generationBody(), { authorization: 'Bearer sk-someone-else' })).statusCode, 500);
  const rules = (await control(app, 'GET', `/_emulator/faults?key=${KEY}`)).json().data;
  t.equal(rules.length, 1);
  t.match(rules[0], { code: 'rate_limit_exceeded', fired: 2, remaining: 0 });
  t.equal((await control(app, 'DELETE', `/_emulator/faults/${rules[0].id}`)).statusCode, 204);
  t.equal((await control(app, 'DELETE', `/_emulator/faults/${rules[0].id}`)).statusCode, 404);
  t.equal((await control(app, 'POST', '/_emulator/faults', { fault: 'nonsense' })).statusCode, 400);
});

t.test('probabilistic rules replay exactly for a seed', async (t) => {
  const run = async (seed: number) => {
    const app = await makeApp(t);
    await control(app, 'POST', '/_emulator/faults', { fault: 'no_available_provider', probability: 0.5, seed });
    const out: number[] = [];
    for (let i = 0; i < 16; i++) out.push((await generate(app, generationBody())).statusCode);
    return out.join(',');
  };
  const a = await run(42);
  t.equal(a, await run(42), 'same seed, same outcomes');
  t.match(a, /200/);
  t.match(a, /503/);
  t.not(a, await run(7), 'another seed, another sequence');
});

t.test('a provider-matched provider_error fails that provider: fallbacks skip it, a pin gets 502', async (t) => {
  const app = await makeApp(t);
  await control(app, 'POST', '/_emulator/faults', { fault: 'provider_error', match: { provider: AURORA }, errorMessage: 'GPU melted' });
  const fallback = await generate(app, generationBody());
  t.equal(fallback.json().x_0g_trace.provider, CIRRUS);
  const pinned = await generate(app, generationBody(), { ...AUTH, 'x-0g-provider-address': AURORA });
  t.equal(pinned.statusCode, 502);
  t.match(pinned.json().error.message, /GPU melted/);
  const job = await submit(app);
  t.equal(job.json().provider_address, CIRRUS, 'async submits fail over too');
});

t.test('job faults: failed with a message, slow, no Retry-After, another Retry-After', async (t) => {
  const app = await makeApp(t);
  const failed = (await submit(app, { ...AUTH, 'x-emulator-fault': 'job_failed', 'x-emulator-error-message': 'provider returned status 500: OOM' })).json();
  const slow = (await submit(app, { ...AUTH, 'x-emulator-fault': 'job_slow', 'x-emulator-processing-ms': '60000' })).json();
  const silent = await submit(app, { ...AUTH, 'x-emulator-fault': 'no_retry_after' });
  t.equal(silent.headers['retry-after'], undefined, 'no Retry-After on the submit');
  const custom = await submit(app, { ...AUTH, 'x-emulator-fault': 'retry_after', 'x-emulator-retry-after': '2' });
  t.equal(custom.headers['retry-after'], '2');
  t.equal((await poll(app, silent.json().jobId)).headers['retry-after'], undefined, 'nor on its polls');
  t.equal((await poll(app, custom.json().jobId)).headers['retry-after'], '2');
  app.clock.advance(10_000);
  t.match((await poll(app, failed.jobId)).json(), { status: 'failed', errorMessage: 'provider returned status 500: OOM' });
  t.equal((await poll(app, slow.jobId)).json().status, 'processing', 'still processing after its normal time');
  app.clock.advance(60_000);
  t.equal((await poll(app, slow.jobId)).json().status, 'completed');
  const ledger = (await control(app, 'GET', `/_emulator/ledger?key=${KEY}`)).json();
  t.notOk(ledger.charges.some((c: { job_id?: string }) => c.job_id === failed.jobId), 'the failed job cost nothing');
});

t.test('X-Emulator-Latency-Ms delays the answer', async (t) => {
  const app = await makeApp(t);
  const started = performance.now();
  const res = await generate(app, generationBody(), { ...AUTH, 'x-emulator-latency-ms': '60' });
  t.equal(res.statusCode, 200);
  t.ok(performance.now() - started >= 55, 'at least the asked delay');
  t.equal((await generate(app, generationBody(), { ...AUTH, 'x-emulator-latency-ms': 'soon' })).statusCode, 400);
});

t.test('a provider outage from time T: catalog, routing and in-flight jobs agree', async (t) => {
  const app = await makeApp(t);
  const inFlight = (await submit(app)).json();
  t.equal(inFlight.provider_address, AURORA);
  const scheduled = await control(app, 'POST', '/_emulator/providers/health', { address: AURORA, healthy: false, inMs: 1500 });
  t.equal(scheduled.statusCode, 200);
  const healthOf = async () =>
    (await control(app, 'GET', '/v1/providers?model=z-image')).json().data.find((p: { address: string }) => p.address === AURORA).is_healthy;
  t.equal(await healthOf(), true, 'healthy until T');
  app.clock.advance(1500);
  t.equal(await healthOf(), false, 'unhealthy from T');
  t.equal((await generate(app, generationBody())).json().x_0g_trace.provider, CIRRUS, 'routing moved on');
  app.clock.advance(5000);
  t.match((await poll(app, inFlight.jobId)).json(), { status: 'failed', errorMessage: /unavailable/ }, 'the in-flight job failed');
  await control(app, 'POST', '/_emulator/reset', {});
  t.equal(await healthOf(), true, 'a full reset restores health');
});

t.test('ledger and accounts: charges by request and job, top up, drain, revoke, restore', async (t) => {
  const app = await makeApp(t);
  const sync = await generate(app, generationBody({ n: 2 }), { ...AUTH, 'x-request-id': 'ledger-sync' });
  const { jobId } = (await submit(app)).json();
  app.clock.advance(10_000);
  const ledger = (await control(app, 'GET', `/_emulator/ledger?key=${KEY}`)).json();
  t.match(ledger, { currency: '0g', charge_count: 2, spent: '9000000000000000', revoked: false });
  t.match(ledger.charges[0], { request_id: 'ledger-sync', model: 'z-image', provider: AURORA, images: 2, amount_neuron: '6000000000000000' });
  t.match(ledger.charges[1], { request_id: `async-0xa11ce0-${jobId}`, job_id: jobId, amount_neuron: '3000000000000000' });
  t.equal(sync.json().x_0g_trace.billing.total_cost, ledger.charges[0].amount);
  const drained = await control(app, 'POST', '/_emulator/accounts', { key: KEY, action: 'drain' });
  t.equal(drained.json().balance, '0');
  t.equal((await generate(app, generationBody())).statusCode, 402);
  const topped = await control(app, 'POST', '/_emulator/accounts', { key: KEY, action: 'top_up', amount: '0.5' });
  t.equal(topped.json().balance, '500000000000000000');
  t.equal((await generate(app, generationBody())).statusCode, 200);
  t.equal((await control(app, 'POST', '/_emulator/accounts', { key: KEY, action: 'top_up' })).statusCode, 400, 'amount needed');
  await control(app, 'POST', '/_emulator/accounts', { key: KEY, action: 'revoke' });
  t.equal((await generate(app, generationBody())).json().error.code, 'api_key_revoked');
  await control(app, 'POST', '/_emulator/accounts', { key: KEY, action: 'restore' });
  t.equal((await generate(app, generationBody())).statusCode, 200);
});

t.test('journal: filtered, images elided, bounded with a dropped count', async (t) => {
  const app = await makeApp(t, { journalMax: 4 });
  await generate(app, generationBody({ prompt: 'p'.repeat(500) }), { ...AUTH, 'x-request-id': 'j-1' });
  const { jobId } = (await submit(app)).json();
  await poll(app, jobId);
  await generate(app, generationBody(), { authorization: 'Bearer sk-other' });
  await generate(app, generationBody({ n: 0 }));
  const all = (await control(app, 'GET', '/_emulator/requests')).json();
  t.equal(all.capacity, 4);
  t.equal(all.dropped, 1);
  t.equal(all.data.length, 4);
  t.notMatch(JSON.stringify(all), /iVBOR/, 'no image bytes');
  const mine = (await control(app, 'GET', `/_emulator/requests?key=${KEY}`)).json().data;
  t.same(mine.map((e: { route: string; status: number }) => `${e.route} ${e.status}`), [
    '/v1/async/images/generations 202',
    '/v1/async/jobs/:jobId 200',
    '/v1/images/generations 400',
  ]);
  t.equal(mine[2].errorCode, 'invalid_body');
  t.equal(mine[0].retryAfterS, 5);
  const byJob = (await control(app, 'GET', `/_emulator/requests?job=${jobId}`)).json().data;
  t.equal(byJob.length, 2);
  t.equal(byJob[1].jobStatus, 'pending');
  const big = await makeApp(t);
  await generate(big, generationBody({ prompt: 'p'.repeat(500) }));
  const entry = (await control(big, 'GET', '/_emulator/requests')).json().data[0];
  t.match(entry.body.prompt, /^p{200}… \(500 chars\)$/);
  const since = (await control(big, 'GET', `/_emulator/requests?since=${new Date(big.clock.nowMs() + 1).toISOString()}`)).json().data;
  t.equal(since.length, 0);
});

t.test('the report catches a misbehaving client', async (t) => {
  const app = await makeApp(t, { jobTtlS: 60 });
  // Polls one job too early, twice.
  const early = (await submit(app)).json().jobId;
  app.clock.advance(1000);
  await poll(app, early);
  app.clock.advance(2000);
  await poll(app, early);
  // Abandons a job: submits and never polls it to the end.
  const abandoned = (await submit(app, AUTH, generationBody({ prompt: 'abandoned' }))).json().jobId;
  // Retries the same submit (the SDK says so too), and each retry is billed.
  const body = generationBody({ prompt: 'retried' });
  await generate(app, body);
  await generate(app, body, { ...AUTH, 'x-stainless-retry-count': '1' });
  await generate(app, body, { ...AUTH, 'x-stainless-retry-count': '2' });
  // Uses the deprecated body provider object.
  await generate(app, generationBody({ provider: { sort: 'latency' } }));
  // Polls a job after it expired.
  app.clock.advance(70_000);
  await poll(app, early);
  app.clock.advance(1000);
  const report = (await control(app, 'GET', `/_emulator/report?key=${KEY}`)).json();
  t.equal(report.early_polls.count, 2);
  t.match(report.early_polls.examples[0], { jobId: early, waitedMs: 1000, retryAfterS: 5 });
  t.same(report.jobs_never_polled_to_terminal.jobs.map((j: { jobId: string }) => j.jobId).includes(abandoned), true);
  t.match(report.retried_submits, { count: 2, repeat_cost: '6000000000000000' });
  t.equal(report.retried_submits.sdk_retries.length, 2);
  t.equal(report.deprecated_fields.count, 1);
  t.equal(report.expired_job_polls.count, 1);
  const clean = (await control(app, 'GET', '/_emulator/report?key=sk-well-behaved')).json();
  t.match(clean, { early_polls: { count: 0 }, retried_submits: { count: 0 }, deprecated_fields: { count: 0 } });
});

t.test('reset: one key, or everything', async (t) => {
  const app = await makeApp(t, { rateLimitRpm: 2 });
  await generate(app, generationBody());
  await generate(app, generationBody(), { authorization: 'Bearer sk-other' });
  const { jobId } = (await submit(app)).json();
  t.equal((await submit(app)).statusCode, 429);
  await control(app, 'POST', '/_emulator/faults', { fault: 'internal_error', match: { key: KEY } });
  await control(app, 'POST', '/_emulator/reset', { key: KEY });
  t.equal((await poll(app, jobId)).statusCode, 404, 'the key’s jobs are gone');
  const mine = (await control(app, 'GET', `/_emulator/ledger?key=${KEY}`)).json();
  t.match(mine, { charge_count: 0, spent: '0' });
  t.equal((await generate(app, generationBody())).statusCode, 200, 'rate window and faults reset');
  t.equal((await control(app, 'GET', '/_emulator/ledger?key=sk-other')).json().charge_count, 1, 'other keys untouched');
  await control(app, 'POST', '/_emulator/reset', {});
  t.equal((await control(app, 'GET', '/_emulator/ledger?key=sk-other')).json().charge_count, 0);
  t.equal((await control(app, 'GET', '/_emulator/requests')).json().data.length, 0);
});

t.test('EMULATOR_ADMIN_TOKEN guards every control route, and only those', async (t) => {
  const app = await makeApp(t, { adminToken: 's3cret' });
  for (const url of ['/_emulator/clock', '/_emulator/faults/catalog', `/_emulator/ledger?key=${KEY}`, '/_emulator/requests', `/_emulator/report?key=${KEY}`]) {
    const res = await control(app, 'GET', url);
    t.equal(res.statusCode, 401, url);
    t.equal(res.json().error.code, 'admin_token_required');
  }
  t.equal((await control(app, 'POST', '/_emulator/reset', {})).statusCode, 401);
  t.equal((await app.inject({ method: 'GET', url: '/_emulator/clock', headers: { authorization: 'Bearer s3cret' } })).statusCode, 200);
  t.equal((await app.inject({ method: 'GET', url: '/_emulator/clock', headers: { 'x-emulator-admin-token': 's3cret' } })).statusCode, 200);
  t.equal((await app.inject({ method: 'GET', url: '/_emulator/clock', headers: { authorization: 'Bearer s3cre' } })).statusCode, 401);
  t.equal((await generate(app, generationBody())).statusCode, 200, 'inference routes use API keys, not the admin token');
});

t.test('emulator and routing headers never reach the provider', async (t) => {
  const app = await makeApp(t);
  await generate(app, generationBody(), { ...AUTH, 'x-emulator-latency-ms': '1', 'x-0g-provider-sort': 'price', 'x-request-id': 'fwd-1', 'x-stainless-lang': 'js' });
  const received = app.services.provider(AURORA).received.at(-1)!;
  t.equal(received.headers['x-request-id'], 'fwd-1');
  t.equal(received.headers['x-stainless-lang'], 'js');
  for (const name of Object.keys(received.headers)) t.notMatch(name, /^(authorization|x-emulator-|x-0g-provider-)/, name);
});
