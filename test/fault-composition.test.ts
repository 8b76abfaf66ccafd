import t from 'tap';
import { AUTH, generate, generationBody, makeApp } from './helpers/app.js';

/*
 * The documented order (README, "Faults compose"): an error armed by
 * X-Emulator-Fault answers before the body is read; then request-stage rules
 * (their latency, then their error); then provider-stage rules; behaviour
 * faults from the header and from rules all apply (the header's setting wins
 * where both set the same thing); X-Emulator-Latency-Ms delays whatever answer
 * goes out, errors included.
 */
const arm = (app: Awaited<ReturnType<typeof makeApp>>, body: object) => app.inject({ method: 'POST', url: '/_emulator/faults', payload: body });

t.test('a bare X-Emulator-Latency-Ms no longer disables armed rules, on sync requests and submits', async (t) => {
  const app = await makeApp(t);
  await arm(app, { fault: 'rate_limit_exceeded', times: 1, match: { route: '/v1/images/generations' } });
  await arm(app, { fault: 'vault_unavailable', times: 1, match: { route: '/v1/async/images/generations' } });
  const sync = await generate(app, generationBody(), { ...AUTH, 'x-emulator-latency-ms': '5' });
  t.equal(sync.statusCode, 429, 'the rule fired on the sync request');
  t.equal(sync.json().error.code, 'rate_limit_exceeded');
  const submit = await app.inject({
    method: 'POST',
    url: '/v1/async/images/generations',
    headers: { ...AUTH, 'x-emulator-latency-ms': '5' },
    payload: generationBody(),
  });
  t.equal(submit.statusCode, 503, 'and on the submit');
  t.equal(submit.json().error.code, 'vault_unavailable');
  const rules = (await app.inject({ method: 'GET', url: '/_emulator/faults' })).json().data;
  t.same(rules.map((r: { fired: number; remaining: number }) => [r.fired, r.remaining]), [[1, 0], [1, 0]]);
});

t.test('a header behaviour fault and a rule behaviour fault both shape the job', async (t) => {
  const app = await makeApp(t);
  await arm(app, { fault: 'job_failed', times: 1, errorMessage: 'from the rule' });
  const submit = await app.inject({
    method: 'POST',
    url: '/v1/async/images/generations',
    headers: { ...AUTH, 'x-emulator-fault': 'no_retry_after' },
    payload: generationBody(),
  });
  t.equal(submit.statusCode, 202);
  t.equal(submit.headers['retry-after'], undefined, 'the header fault: no Retry-After');
  await app.inject({ method: 'POST', url: '/_emulator/clock', payload: { advanceMs: 60_000 } });
  const poll = (await app.inject({ method: 'GET', url: `/v1/async/jobs/${submit.json().jobId}`, headers: AUTH })).json();
  t.match(poll, { status: 'failed', errorMessage: 'from the rule' }, 'the rule fault: failed');
});

t.test('on the same setting the header wins over the rule', async (t) => {
  const app = await makeApp(t);
  await arm(app, { fault: 'retry_after', retryAfterS: 9, times: 1 });
  const submit = await app.inject({
    method: 'POST',
    url: '/v1/async/images/generations',
    headers: { ...AUTH, 'x-emulator-fault': 'retry_after', 'x-emulator-retry-after': '2' },
    payload: generationBody(),
  });
  t.equal(submit.headers['retry-after'], '2');
});

t.test('a header error fault answers first: the rule is not consumed', async (t) => {
  const app = await makeApp(t);
  await arm(app, { fault: 'job_failed', times: 1 });
  const res = await generate(app, generationBody(), { ...AUTH, 'x-emulator-fault': 'provider_error' });
  t.equal(res.statusCode, 502);
  const [rule] = (await app.inject({ method: 'GET', url: '/_emulator/faults' })).json().data;
  t.equal(rule.remaining, 1, 'still armed for the next request');
});
