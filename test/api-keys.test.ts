import t from 'tap';
import { AURORA, BOREALIS, CIRRUS, generationBody, makeApp } from './helpers/app.js';

type App = Awaited<ReturnType<typeof makeApp>>;

const MK = 'mk-key-tests-0001';
const mgmt = { authorization: `Bearer ${MK}` };
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

async function setup(t: Parameters<typeof makeApp>[0], config: Parameters<typeof makeApp>[1] = {}) {
  const app = await makeApp(t, config);
  const res = await app.inject({ method: 'POST', url: '/_emulator/managed-accounts', payload: { management_key: MK } });
  t.equal(res.statusCode, 201);
  return app;
}

async function createKey(app: App, body: Record<string, unknown> = {}) {
  const res = await app.inject({ method: 'POST', url: '/v1/api-keys', headers: mgmt, payload: body });
  if (res.statusCode !== 200) throw new Error(res.body);
  return res.json() as { key: string; key_id: string; [field: string]: unknown };
}

const generate = (app: App, key: string, body = generationBody(), headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: '/v1/images/generations', headers: { ...bearer(key), ...headers }, payload: body });

t.test('create shows the secret once; list shows previews; revoke makes the next call 401 api_key_revoked', async (t) => {
  const app = await setup(t);
  const created = await createKey(app, { name: 'ci', credit_limit: '1.5', trust_mode: 'verified', reset_period: 'monthly', expiration: '2027-01-01T00:00:00Z' });
  t.match(created, {
    key: /^sk-[0-9a-f]{64}$/,
    key_id: /^key_[0-9a-f]{16}$/,
    name: 'ci',
    status: 'active',
    revoked: false,
    allowed_models: [],
    allowed_providers: [],
    credit_limit: '1.5',
    used: '0',
    currency: '0g',
    reset_period: 'monthly',
    trust_mode: 'verified',
    expires_at: '2027-01-01T00:00:00.000Z',
  });
  t.equal(created.key_preview, `${created.key.slice(0, 8)}…`);
  const list = await app.inject({ method: 'GET', url: '/v1/api-keys', headers: mgmt });
  t.equal(list.json().data.length, 1);
  t.notOk('key' in list.json().data[0], 'the secret is never listed');
  t.notMatch(list.body, created.key);

  t.equal((await generate(app, created.key)).statusCode, 200);
  const revoke = await app.inject({ method: 'DELETE', url: `/v1/api-keys/${created.key_id}`, headers: mgmt });
  t.same(revoke.json(), { key_id: created.key_id, message: 'API key revoked' });
  const after = await generate(app, created.key);
  t.equal(after.statusCode, 401);
  t.equal(after.json().error.code, 'api_key_revoked');
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/api-keys/${created.key_id}`, headers: mgmt })).statusCode, 200, 'revoking again is harmless');
  t.same((await app.inject({ method: 'GET', url: '/v1/api-keys?status=revoked', headers: mgmt })).json().data.map((k: { status: string }) => k.status), ['revoked']);
  t.same((await app.inject({ method: 'GET', url: '/v1/api-keys?status=active', headers: mgmt })).json().data, []);
  const patch = await app.inject({ method: 'PATCH', url: `/v1/api-keys/${created.key_id}`, headers: mgmt, payload: { name: 'x' } });
  t.equal(patch.statusCode, 410, 'a revoked key cannot be changed');
  t.equal((await app.inject({ method: 'PATCH', url: '/v1/api-keys/key_0000000000000000', headers: mgmt, payload: {} })).statusCode, 404);
});

t.test('PATCH is sparse: absent fields stay, [] clears an allowlist, "" clears the trust pin and credit limit', async (t) => {
  const app = await setup(t);
  const { key_id } = await createKey(app, { name: 'a', allowed_models: ['z-image'], credit_limit: '2', trust_mode: 'private' });
  const url = `/v1/api-keys/${key_id}`;
  const renamed = (await app.inject({ method: 'PATCH', url, headers: mgmt, payload: { name: 'b' } })).json();
  t.match(renamed, { name: 'b', allowed_models: ['z-image'], credit_limit: '2', trust_mode: 'private' });
  const cleared = (await app.inject({ method: 'PATCH', url, headers: mgmt, payload: { allowed_models: [], trust_mode: '', credit_limit: '' } })).json();
  t.same(cleared.allowed_models, []);
  t.notOk('trust_mode' in cleared);
  t.notOk('credit_limit' in cleared);
  await createKey(app, { name: 'other' });
  const dup = await app.inject({ method: 'PATCH', url, headers: mgmt, payload: { name: 'other' } });
  t.equal(dup.statusCode, 409);
  t.equal(dup.json().error.code, 'duplicate_name');
  t.equal((await app.inject({ method: 'POST', url: '/v1/api-keys', headers: mgmt, payload: { name: 'other' } })).statusCode, 409);
  for (const payload of [{ allowed_models: [] }, { credit_limit: '-1' }, { trust_mode: 'paranoid' }, { expiration: 'tomorrow' }, { allowed_providers: ['0x12'] }, { unknown: 1 }]) {
    const res = await app.inject({ method: 'POST', url: '/v1/api-keys', headers: mgmt, payload });
    t.equal(res.statusCode, 400, JSON.stringify(payload));
    t.equal(res.json().error.code, 'invalid_body');
  }
});

t.test('allowed_models: another model is 403 access_denied, after the unknown-model 404', async (t) => {
  const app = await setup(t);
  const { key } = await createKey(app, { allowed_models: ['flux-1-schnell'] });
  t.equal((await generate(app, key, generationBody({ model: 'flux-1-schnell' }))).statusCode, 200);
  const denied = await generate(app, key);
  t.equal(denied.statusCode, 403);
  t.match(denied.json().error, { code: 'access_denied', type: 'permission_error', message: /not allowed to use model z-image/ });
  const submit = await app.inject({ method: 'POST', url: '/v1/async/images/generations', headers: bearer(key), payload: generationBody() });
  t.equal(submit.statusCode, 403, 'async submits too');
  t.equal((await generate(app, key, generationBody({ model: 'nope' }))).statusCode, 404);
});

t.test('allowed_providers narrows routing; a pin outside it is 403; trust_mode pins the tier', async (t) => {
  const app = await setup(t);
  const { key } = await createKey(app, { allowed_providers: [CIRRUS.toUpperCase().replace('0X', '0x'), BOREALIS] });
  const res = await generate(app, key);
  t.equal(res.json().x_0g_trace.provider, CIRRUS, 'the cheapest allowed provider, not Aurora');
  t.equal(res.headers['x-provider'], CIRRUS);
  const pinned = await generate(app, key, generationBody(), { 'x-0g-provider-address': AURORA });
  t.equal(pinned.statusCode, 403);
  t.match(pinned.json().error, { code: 'access_denied', message: /not allowed to use provider/ });
  const none = await generate(app, key, generationBody({ model: 'flux-1-schnell' }), { 'x-0g-provider-trust-mode': 'private' });
  t.equal(none.statusCode, 503, 'the trust floor still applies within the allowlist');

  const verified = await createKey(app, { trust_mode: 'private' });
  t.equal((await generate(app, verified.key)).json().x_0g_trace.provider, BOREALIS, 'only private providers for a private key');
  const unsatisfiable = await generate(app, verified.key, generationBody({ model: 'flux-1-schnell' }));
  t.equal(unsatisfiable.statusCode, 503);
  t.equal(unsatisfiable.json().error.code, 'no_provider_for_trust_mode');
  const preview = await app.inject({ method: 'POST', url: '/v1/routing/preview', headers: bearer(key), payload: { service_type: 'text-to-image', model: 'z-image' } });
  t.same(preview.json().providers.map((p: { address: string }) => p.address), [CIRRUS, BOREALIS], 'the preview applies the key too');
});

t.test('credit_limit: what is left must cover min_cost (402); used follows charges and restarts each period', async (t) => {
  const app = await setup(t, { jobTimeScale: 0 });
  const { key, key_id } = await createKey(app, { credit_limit: '0.018', reset_period: 'daily' });
  t.equal((await generate(app, key, generationBody({ n: 2 }))).statusCode, 200, '0.006 0G spent');
  const submit = await app.inject({ method: 'POST', url: '/v1/async/images/generations', headers: bearer(key), payload: generationBody() });
  t.equal(submit.statusCode, 202);
  app.clock.advance(1);
  const item = (await app.inject({ method: 'GET', url: '/v1/api-keys', headers: mgmt })).json().data[0];
  t.equal(item.used, '0.009', 'the settled job counts as well');
  const refused = await generate(app, key);
  t.equal(refused.statusCode, 402);
  t.match(refused.json().error, { code: 'insufficient_balance', type: 'payment_error', message: /credit limit/ });
  app.clock.advance(86_400_000);
  t.equal((await generate(app, key)).statusCode, 200, 'a new day, a new allowance');
  const raised = await app.inject({ method: 'PATCH', url: `/v1/api-keys/${key_id}`, headers: mgmt, payload: { credit_limit: '1', reset_period: 'never' } });
  t.match(raised.json(), { credit_limit: '1', used: '0.003', reset_period: 'never' });
});

t.test('an expired key is 401 and listed as expired', async (t) => {
  const app = await setup(t);
  const { key } = await createKey(app, { expiration: '2026-11-24T13:00:00Z' });
  t.equal((await generate(app, key)).statusCode, 200);
  app.clock.advance(3_600_000);
  const res = await generate(app, key);
  t.equal(res.statusCode, 401);
  t.match(res.json().error, { code: 'invalid_api_key', message: /expired/ });
  t.equal((await app.inject({ method: 'GET', url: '/v1/api-keys?status=expired', headers: mgmt })).json().data.length, 1);
});

t.test('bounded: keys per account (revoked included) and accounts created at run time', async (t) => {
  const app = await setup(t, { maxApiKeysPerAccount: 3, maxAccounts: 2 });
  const first = await createKey(app);
  await createKey(app);
  await app.inject({ method: 'DELETE', url: `/v1/api-keys/${first.key_id}`, headers: mgmt });
  await createKey(app);
  const over = await app.inject({ method: 'POST', url: '/v1/api-keys', headers: mgmt, payload: {} });
  t.equal(over.statusCode, 400);
  t.match(over.json().error.message, /at most 3 keys/);
  t.equal((await app.inject({ method: 'GET', url: '/v1/api-keys', headers: mgmt })).json().data.length, 3);
  t.equal(app.services.accounts.size, 1);
  const dup = await app.inject({ method: 'POST', url: '/_emulator/managed-accounts', payload: { management_key: MK } });
  t.equal(dup.statusCode, 400);
  t.match(dup.json().error.message, /already belongs/, 'a management key belongs to one account');
  const twice = await app.inject({ method: 'POST', url: '/_emulator/managed-accounts', payload: { api_keys: [{ key: 'sk-same-secret-01' }, { key: 'sk-same-secret-01' }] } });
  t.equal(twice.statusCode, 400);
  const four = Array.from({ length: 4 }, (_, i) => ({ key: `sk-four-keys-0${i}` }));
  t.equal((await app.inject({ method: 'POST', url: '/_emulator/managed-accounts', payload: { api_keys: four } })).statusCode, 400);
  t.equal(app.services.accounts.size, 1, 'a refused account leaves nothing behind');
  t.notOk(app.services.accounts.apiKey('sk-four-keys-00'), 'not even its first keys');
  t.equal((await app.inject({ method: 'POST', url: '/_emulator/managed-accounts', payload: {} })).statusCode, 201, 'the management key is generated');
  const full = await app.inject({ method: 'POST', url: '/_emulator/managed-accounts', payload: {} });
  t.equal(full.statusCode, 400);
  t.match(full.json().error.message, /at most 2 accounts/);
  t.equal(app.services.accounts.size, 2);
});
