import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { readConfigFile } from '../src/config-file.js';
import { AURORA, AUTH, BOREALIS, generationBody, makeApp } from './helpers/app.js';

type App = Awaited<ReturnType<typeof makeApp>>;

const MK = 'mk-team-alpha-0001';
const SK = 'sk-team-alpha-key-1';

async function managedAccount(app: App, body: Record<string, unknown> = {}) {
  const res = await app.inject({ method: 'POST', url: '/_emulator/managed-accounts', payload: { management_key: MK, api_keys: [{ key: SK, name: 'ci' }], ...body } });
  if (res.statusCode !== 201) throw new Error(res.body);
  return res.json() as { account_id: string; address: string; management_key: string; api_keys: { key: string; key_id: string }[] };
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

t.test('account routes take only a management key: sk- is 403 insufficient_scope (auth_error)', async (t) => {
  const app = await makeApp(t);
  await managedAccount(app);
  for (const url of ['/v1/account/usage/history', '/v1/account/usage/daily', '/v1/account/usage/stats', '/v1/account/funds', '/v1/account/balance', '/v1/api-keys']) {
    const sk = await app.inject({ method: 'GET', url, headers: bearer(SK) });
    t.equal(sk.statusCode, 403, url);
    t.same(sk.json().error, { message: 'this credential is not allowed to access account endpoints', type: 'auth_error', code: 'insufficient_scope' });
    t.equal((await app.inject({ method: 'GET', url })).json().error.code, 'missing_authorization');
    t.equal((await app.inject({ method: 'GET', url, headers: bearer('mk-nobody-at-all') })).json().error.code, 'invalid_api_key');
    t.equal((await app.inject({ method: 'GET', url, headers: bearer(MK) })).statusCode, 200);
  }
  const inference = await app.inject({ method: 'POST', url: '/v1/images/generations', headers: bearer(MK), payload: generationBody() });
  t.equal(inference.statusCode, 403, 'and a management key cannot run inference');
});

t.test('a management key without the scope a route needs gets 403', async (t) => {
  const app = await makeApp(t);
  await managedAccount(app, { scopes: ['account:read', 'keys:read'] });
  t.equal((await app.inject({ method: 'GET', url: '/v1/api-keys', headers: bearer(MK) })).statusCode, 200);
  const create = await app.inject({ method: 'POST', url: '/v1/api-keys', headers: bearer(MK), payload: {} });
  t.equal(create.statusCode, 403);
  t.match(create.json().error, { code: 'insufficient_scope', message: /keys:create/ });
});

t.test('usage history, daily, stats and funds agree with x_0g_trace and the ledger', async (t) => {
  const app = await makeApp(t, { jobTimeScale: 0 });
  const account = await managedAccount(app, { balance: '1' });
  const sync = await app.inject({ method: 'POST', url: '/v1/images/generations', headers: { ...bearer(SK), 'x-request-id': 'sync-1' }, payload: generationBody({ n: 2 }) });
  t.equal(sync.statusCode, 200);
  const submit = await app.inject({
    method: 'POST',
    url: '/v1/async/images/generations',
    headers: { ...bearer(SK), 'x-0g-provider-address': BOREALIS },
    payload: generationBody(),
  });
  const { jobId } = submit.json();
  app.clock.advance(1);
  const poll = await app.inject({ method: 'GET', url: `/v1/async/jobs/${jobId}`, headers: bearer(SK) });
  t.equal(poll.json().status, 'completed');

  const history = (await app.inject({ method: 'GET', url: '/v1/account/usage/history', headers: bearer(MK) })).json();
  t.match(history, { object: 'list', currency: '0g', limit: 20, offset: 0, total: 2 });
  const [asyncRow, syncRow] = history.data;
  t.equal(asyncRow.request_id, `async-${BOREALIS.slice(0, 8)}-${jobId}`, 'async rows: async-<8 chars of provider>-<jobId>');
  t.equal(asyncRow.request_id, poll.json().x_0g_trace.request_id);
  t.equal(asyncRow.cost, poll.json().x_0g_trace.billing.total_cost);
  t.match(asyncRow, { provider_address: BOREALIS, trust_mode: 'private', model_id: 'z-image', api_key_id: account.api_keys[0]!.key_id, credit_used: '0' });
  t.equal(syncRow.request_id, 'sync-1', 'sync rows: the X-Request-ID');
  t.equal(syncRow.cost, sync.json().x_0g_trace.billing.total_cost);
  t.equal(syncRow.cost, '6000000000000000');
  t.match(syncRow, { provider_address: AURORA, trust_mode: 'verified', deposit_used: syncRow.cost, input_tokens: 0 });

  const spent = BigInt(asyncRow.cost) + BigInt(syncRow.cost);
  const stats = (await app.inject({ method: 'GET', url: '/v1/account/usage/stats', headers: bearer(MK) })).json();
  t.same(stats, { total_requests: 2, total_cost: spent.toString(), prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, currency: '0g' });
  const daily = (await app.inject({ method: 'GET', url: '/v1/account/usage/daily?dimensions=trust_mode', headers: bearer(MK) })).json();
  t.same(
    daily.data.map((r: { date: string; trust_mode: string; request_count: number }) => [r.date, r.trust_mode, r.request_count]),
    [
      ['2026-11-24', 'private', 1],
      ['2026-11-24', 'verified', 1],
    ],
  );
  const funds = (await app.inject({ method: 'GET', url: '/v1/account/funds', headers: bearer(MK) })).json();
  const left = (10n ** 18n - spent).toString();
  t.match(funds, { address: account.address, currency: '0g', router: { deposit: left, credit: '0', pending_charge: '0', subtotal: left }, total: left });
  t.equal(funds.payment_layer.balance, '0');
  const ledger = (await app.inject({ method: 'GET', url: `/_emulator/ledger?key=${SK}` })).json();
  t.equal(ledger.balance, left, 'the control-plane ledger shows the same account');
});

t.test('usage history filters and pagination (offset, cursor, include_total)', async (t) => {
  const app = await makeApp(t);
  await managedAccount(app, { api_keys: [{ key: SK }, { key: 'sk-team-alpha-key-2' }] });
  for (let i = 0; i < 5; i++) {
    await app.inject({ method: 'POST', url: '/v1/images/generations', headers: { ...bearer(i % 2 ? 'sk-team-alpha-key-2' : SK), 'x-request-id': `r${i}` }, payload: generationBody() });
    app.clock.advance(86_400_000);
  }
  const get = async (qs: string) => (await app.inject({ method: 'GET', url: `/v1/account/usage/history?${qs}`, headers: bearer(MK) })).json();
  const ids = (body: { data: { request_id: string }[] }) => body.data.map((r) => r.request_id);
  t.same(ids(await get('limit=2')), ['r4', 'r3']);
  const page2 = await get('limit=2&offset=2');
  t.same(ids(page2), ['r2', 'r1']);
  t.equal(page2.total, 5);
  const first = await get('limit=2&include_total=false');
  t.notOk('total' in first, 'include_total=false omits total');
  const next = await get(`limit=2&cursor=${first.next_cursor}`);
  t.same(ids(next), ['r2', 'r1']);
  t.notOk('total' in next, 'a cursor omits total');
  const last = await get(`limit=2&cursor=${next.next_cursor}`);
  t.same(ids(last), ['r0']);
  t.notOk('next_cursor' in last, 'no next_cursor on the last page');
  const key2 = (await app.inject({ method: 'GET', url: '/v1/api-keys', headers: bearer(MK) })).json().data[1].key_id;
  t.same(ids(await get(`api_key_id=${key2}`)), ['r3', 'r1']);
  t.same(ids(await get('start_date=2026-11-25&end_date=2026-11-26')), ['r2', 'r1']);
  t.same(ids(await get('source=wallet')), [], 'every emulated request comes from an API key');
  t.same(ids(await get('trust_mode=private')), []);
  t.same(ids(await get('model_id=z-image&limit=1')), ['r4']);
  const bad = await app.inject({ method: 'GET', url: '/v1/account/usage/history?cursor=bm9wZQ', headers: bearer(MK) });
  t.equal(bad.statusCode, 400);
  t.equal((await app.inject({ method: 'GET', url: '/v1/account/usage/history?start_date=2026-13', headers: bearer(MK) })).statusCode, 400);
});

t.test('isolation: an account sees its own usage and keys only; jobs are the account\'s, not the key\'s', async (t) => {
  const app = await makeApp(t);
  await managedAccount(app, { api_keys: [{ key: SK }, { key: 'sk-team-alpha-key-2' }] });
  await app.inject({ method: 'POST', url: '/_emulator/managed-accounts', payload: { management_key: 'mk-team-beta-0001', api_keys: [{ key: 'sk-team-beta-key-1' }] } });
  await app.inject({ method: 'POST', url: '/v1/images/generations', headers: bearer('sk-team-beta-key-1'), payload: generationBody() });
  await app.inject({ method: 'POST', url: '/v1/images/generations', headers: AUTH, payload: generationBody() });
  const history = (await app.inject({ method: 'GET', url: '/v1/account/usage/history', headers: bearer(MK) })).json();
  t.equal(history.total, 0);
  const beta = (await app.inject({ method: 'GET', url: '/v1/account/usage/history', headers: bearer('mk-team-beta-0001') })).json();
  t.equal(beta.total, 1);
  const submit = await app.inject({ method: 'POST', url: '/v1/async/images/generations', headers: bearer(SK), payload: generationBody() });
  const url = `/v1/async/jobs/${submit.json().jobId}`;
  t.equal((await app.inject({ method: 'GET', url, headers: bearer('sk-team-alpha-key-2') })).statusCode, 200, 'another key of the same account may poll');
  t.equal((await app.inject({ method: 'GET', url, headers: bearer('sk-team-beta-key-1') })).statusCode, 403, 'another account may not');
  const betaKeys = (await app.inject({ method: 'GET', url: '/v1/api-keys', headers: bearer('mk-team-beta-0001') })).json().data;
  const alphaKeyId = (await app.inject({ method: 'GET', url: '/v1/api-keys', headers: bearer(MK) })).json().data[0].key_id;
  t.equal(betaKeys.length, 1);
  const foreign = await app.inject({ method: 'DELETE', url: `/v1/api-keys/${alphaKeyId}`, headers: bearer('mk-team-beta-0001') });
  t.equal(foreign.statusCode, 404, "another account's key is not found");
});

t.test('plain sk- keys are still each their own account; funds of an overdrawn account show pending_charge', async (t) => {
  const app = await makeApp(t);
  await managedAccount(app, { balance: '0.011' });
  const first = await app.inject({ method: 'POST', url: '/v1/images/generations', headers: bearer(SK), payload: generationBody({ model: 'z-image-turbo', n: 1 }) });
  t.equal(first.statusCode, 200, 'admitted: the balance covers min_cost');
  const funds = (await app.inject({ method: 'GET', url: '/v1/account/funds', headers: bearer(MK) })).json();
  t.match(funds.router, { deposit: '0', pending_charge: '124100000000000000' });
  t.equal(funds.total, '-124100000000000000', 'owed to the Router: a negative total');
  const balance = (await app.inject({ method: 'GET', url: '/v1/account/balance', headers: bearer(MK) })).json();
  t.match(balance, { deposit_balance: '0', credit_balance: '0', total_balance: '0', balance: '0' }, '/balance never goes below 0');
  const plain = await app.inject({ method: 'GET', url: '/_emulator/ledger?key=sk-test-key' });
  t.equal(plain.json().balance, '1000000000000000000000', 'an unregistered key keeps the default balance of its own account');
});

t.test('accounts declared in the config file; a full reset returns to them', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'accounts-'));
  const file = join(dir, 'emulator.yaml');
  writeFileSync(
    file,
    ['accounts:', `  - management_key: ${MK}`, '    currency: usd', "    balance: '5'", '    api_keys:', `      - key: ${SK}`, '        allowed_models: [z-image]', ''].join('\n'),
  );
  const { accounts } = readConfigFile(file);
  const app = await makeApp(t, {}, { accounts: accounts! });
  const keys = (await app.inject({ method: 'GET', url: '/v1/api-keys', headers: bearer(MK) })).json().data;
  t.match(keys, [{ allowed_models: ['z-image'], currency: 'usd', status: 'active', key_preview: `${SK.slice(0, 8)}…` }]);
  t.equal((await app.inject({ method: 'GET', url: '/v1/account/funds', headers: bearer(MK) })).json().total, '5000000');
  await app.inject({ method: 'POST', url: '/v1/api-keys', headers: bearer(MK), payload: { name: 'runtime' } });
  await app.inject({ method: 'POST', url: '/_emulator/managed-accounts', payload: { management_key: 'mk-runtime-account' } });
  await app.inject({ method: 'POST', url: '/_emulator/reset', payload: {} });
  t.equal((await app.inject({ method: 'GET', url: '/v1/api-keys', headers: bearer(MK) })).json().data.length, 1, 'run-time keys are gone');
  t.equal((await app.inject({ method: 'GET', url: '/v1/account/funds', headers: bearer('mk-runtime-account') })).statusCode, 401, 'run-time accounts are gone');

  writeFileSync(file, ['accounts:', '  - management_key: not-a-management-key', ''].join('\n'));
  t.throws(() => readConfigFile(file), /Invalid accounts in EMULATOR_CONFIG=[\s\S]*\/accounts\/0\/management_key/);
});

t.test('the keys of a managed account share its rate-limit window', async (t) => {
  const app = await makeApp(t, { rateLimitRpm: 1 });
  await managedAccount(app, { api_keys: [{ key: SK }, { key: 'sk-team-alpha-key-2' }] });
  t.equal((await app.inject({ method: 'POST', url: '/v1/images/generations', headers: bearer(SK), payload: generationBody() })).statusCode, 200);
  const second = await app.inject({ method: 'POST', url: '/v1/images/generations', headers: bearer('sk-team-alpha-key-2'), payload: generationBody() });
  t.equal(second.statusCode, 429);
  t.equal((await app.inject({ method: 'POST', url: '/v1/images/generations', headers: AUTH, payload: generationBody() })).statusCode, 200, 'a plain key has its own');
});
