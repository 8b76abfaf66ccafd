import t from 'tap';
import { keyIdOf } from '../src/lib/ids.js';
import { AUTH, CIRRUS, generate, generationBody, KEY, makeApp } from './helpers/app.js';
import { eachBackend } from './helpers/backends.js';
import { uniquePrefix } from './helpers/redis.js';

/*
 * GET /_emulator/state and PUT /_emulator/state: one format for both
 * backends, so a test can start from a known balance, jobs and rules, and a
 * dump taken from memory loads into Redis (and back).
 */
eachBackend(t, 'state export and import', async (t, backend) => {
  const config = () => (backend.redis ? { redisUrl: backend.redis.url, redisPrefix: uniquePrefix('transfer') } : {});
  const source = await makeApp(t, config());
  await generate(source, generationBody({ n: 2 }));
  const submitted = await source.inject({
    method: 'POST',
    url: '/v1/async/images/generations',
    headers: AUTH,
    payload: generationBody({ provider: { address: CIRRUS, allow_fallbacks: false } }),
  });
  const { jobId } = submitted.json();
  await source.inject({ method: 'POST', url: '/_emulator/faults', payload: { fault: 'job_failed', times: 3, match: { key: 'sk-other' } } });
  await source.inject({ method: 'POST', url: '/_emulator/accounts', payload: { key: KEY, action: 'set_balance', amount: '42' } });
  await source.inject({ method: 'POST', url: '/_emulator/providers/health', payload: { address: CIRRUS, healthy: false, inMs: 3_600_000 } });

  const exported = await source.inject({ method: 'GET', url: '/_emulator/state' });
  t.equal(exported.statusCode, 200);
  const dump = exported.json();
  t.equal(dump.format, '0g-router-emulator/state@1');
  t.equal(dump.backend, backend.name);

  // Into a fresh emulator on the other backend's default (memory), and into this backend again.
  for (const target of [await makeApp(t), await makeApp(t, config())]) {
    const loaded = await target.inject({ method: 'PUT', url: '/_emulator/state', payload: dump });
    t.equal(loaded.statusCode, 200, loaded.body);
    const ledger = (await target.inject({ method: 'GET', url: `/_emulator/ledger?key=${KEY}` })).json();
    t.equal(ledger.balance, '42000000000000000000', 'the balance as set');
    t.equal(ledger.charge_count, 1, 'the sync charge came along');
    const polled = await target.inject({ method: 'GET', url: `/v1/async/jobs/${jobId}?provider_address=${CIRRUS}`, headers: AUTH });
    t.equal(polled.statusCode, 200, 'the job is pollable');
    const rules = (await target.inject({ method: 'GET', url: '/_emulator/faults' })).json().data;
    t.match(rules, [{ code: 'job_failed', remaining: 3, fired: 0 }]);
    const again = (await target.inject({ method: 'GET', url: '/_emulator/state' })).json();
    t.same(again.ledger, dump.ledger, 'the ledger round-trips');
    t.same(again.control.health, dump.control.health, 'scheduled health changes round-trip');
  }

  const scoped = (await source.inject({ method: 'GET', url: `/_emulator/state?key=${KEY}` })).json();
  t.same(scoped.scope, { key_id: keyIdOf(KEY), account_id: keyIdOf(KEY) });
  t.equal(scoped.jobs.jobs.length, 1, "the key's job");
  t.notOk(scoped.control, "one key's dump has no global control state");
  const other = (await source.inject({ method: 'GET', url: '/_emulator/state?key=sk-nobody' })).json();
  t.same(other.jobs.jobs, [], "another key's dump holds none of these jobs");
  t.same(other.ledger.accounts, [], 'nor its account');

  const bad = await source.inject({ method: 'PUT', url: '/_emulator/state', payload: { format: 'something-else' } });
  t.equal(bad.statusCode, 400);
  const malformed = await source.inject({ method: 'PUT', url: '/_emulator/state', payload: { format: '0g-router-emulator/state@1', jobs: 'not a list' } });
  t.equal(malformed.statusCode, 400, malformed.body);
  t.match(malformed.json().error.message, /jobs/);
});
