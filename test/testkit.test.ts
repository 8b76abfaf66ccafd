import t from 'tap';
import { startEmulator } from '../src/testkit.js';
import { AURORA } from './helpers/app.js';

t.test('startEmulator: port 0, manual clock, a typed control client, close()', async (t) => {
  const emulator = await startEmulator({ maxEventLoopDelayMs: 0 });
  t.teardown(() => emulator.close());
  t.match(emulator.baseURL, /^http:\/\/127\.0\.0\.1:\d+\/v1$/);
  const { control } = emulator;
  const before = await control.clock();
  t.equal(before.mode, 'manual');
  t.equal((await control.advance(1500)).nowMs, before.nowMs + 1500);
  t.equal((await control.setTime(new Date(before.nowMs + 60_000).toISOString())).nowMs, before.nowMs + 60_000);
  t.ok((await control.faultCatalog()).data.length > 15);
  const rule = await control.armFault({ fault: 'vault_unavailable', times: 1 });
  await control.disarmFault(rule.id);
  await control.setProviderHealth(AURORA, false);
  const providers = (await (await fetch(`${emulator.baseURL}/providers?model=z-image`)).json()) as { data: { address: string; is_healthy: boolean }[] };
  t.equal(providers.data.find((p) => p.address === AURORA)?.is_healthy, false);
  t.equal((await control.account('sk-kit', 'set_balance', '2')).balance, '2000000000000000000');
  t.equal((await control.ledger('sk-kit')).balance, '2000000000000000000');
  const res = await fetch(`${emulator.baseURL}/images/generations`, {
    method: 'POST',
    headers: { authorization: 'Bearer sk-kit', 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'z-image', prompt: 'kit', size: '64x64', response_format: 'b64_json' }),
  });
  t.equal(res.status, 200);
  t.equal((await control.requests({ key: 'sk-kit' })).data.length, 1);
  t.equal((await control.report('sk-kit')).early_polls!.count, 0);
  const team = await control.managedAccount({ api_keys: [{ key: 'sk-kit-team', allowed_models: ['z-image'] }] });
  t.match(team, { management_key: /^mk-[0-9a-f]{64}$/, api_keys: [{ key: 'sk-kit-team' }] });
  const keys = await fetch(`${emulator.baseURL}/api-keys`, { headers: { authorization: `Bearer ${team.management_key}` } });
  t.equal(((await keys.json()) as { data: unknown[] }).data.length, 1);
  t.same(await control.reset(), { reset: 'all' });
  await t.rejects(control.armFault({ fault: 'nope' }), /400/);
});

t.test('the control client sends the admin token', async (t) => {
  const emulator = await startEmulator({ adminToken: 'tok', maxEventLoopDelayMs: 0 });
  t.teardown(() => emulator.close());
  t.equal((await emulator.control.clock()).mode, 'manual');
  t.equal((await fetch(`${emulator.url}/_emulator/clock`)).status, 401);
});
