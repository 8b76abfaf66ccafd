import t from 'tap';
import type { App } from '../../src/app.js';
import { ERROR_TABLE, type ErrorCode } from '../../src/errors.js';
import { renderPlaceholder } from '../../src/render/placeholder.js';
import { AURORA, AUTH, BOREALIS, generationBody, makeApp } from '../helpers/app.js';
import { skipSpecCheck } from '../helpers/spec-check.js';

type Scenario = (apps: Record<'plain' | 'keys' | 'flaky' | 'broke' | 'limited' | 'guarded', App>) => Promise<{
  statusCode: number;
  headers: Record<string, unknown>;
  json(): { error: { code: string; type: string; message: string }; request_id?: string };
}>;

const post = (app: App, payload: unknown, headers: Record<string, string> = AUTH) =>
  app.inject({ method: 'POST', url: '/v1/images/generations', headers, payload: payload as object });

/**
 * One scenario per row of the closed error table, driven through HTTP. A new
 * code without a scenario fails this test, so every code stays reachable.
 */
/** A fresh account with a management key on `app`; its Authorization header. */
async function management(app: App): Promise<Record<string, string>> {
  const { management_key } = (await app.inject({ method: 'POST', url: '/_emulator/managed-accounts', payload: {} })).json();
  return { authorization: `Bearer ${management_key}` };
}

/** Codes only a raw socket can reach; the named test reaches them. */
const REACHED_ELSEWHERE: Partial<Record<ErrorCode, string>> = {
  request_timeout: 'test/robustness.test.ts: a slow-loris client over a raw socket',
  expectation_failed: 'test/http-edge.test.ts: "Expect: 200-ok" over a raw socket (inject has no handshake)',
};

const SCENARIOS: Record<Exclude<ErrorCode, 'request_timeout' | 'expectation_failed'>, Scenario> = {
  invalid_body: ({ plain }) => post(plain, generationBody({ n: 11 })),
  bad_request: ({ plain }) => plain.inject({ method: 'GET', url: '/v1/async/jobs/not-a-job-id', headers: AUTH }),
  access_denied: async ({ plain }) => {
    const submitted = await plain.inject({ method: 'POST', url: '/v1/async/images/generations', headers: AUTH, payload: generationBody() });
    return plain.inject({ method: 'GET', url: `/v1/async/jobs/${submitted.json().jobId}`, headers: { authorization: 'Bearer sk-someone-else' } });
  },
  async_job_not_found: ({ plain }) => plain.inject({ method: 'GET', url: `/v1/async/jobs/${'0'.repeat(32)}`, headers: AUTH }),
  invalid_provider_header: ({ plain }) => post(plain, generationBody(), { ...AUTH, 'x-0g-provider-sort': 'cheapest' }),
  invalid_trust_mode: ({ plain }) => post(plain, generationBody(), { ...AUTH, 'x-0g-provider-trust-mode': 'paranoid' }),
  invalid_max_price_usd: ({ plain }) => post(plain, generationBody(), { ...AUTH, 'x-0g-provider-max-price-usd-image': '-1' }),
  no_provider_within_max_price: ({ plain }) =>
    post(plain, generationBody(), { ...AUTH, 'x-0g-provider-max-price-usd-image': '0.001' }),
  pinned_provider_exceeds_max_price: ({ plain }) =>
    post(plain, generationBody(), { ...AUTH, 'x-0g-provider-address': BOREALIS, 'x-0g-provider-max-price-usd-image': '0.004' }),
  insufficient_balance: ({ broke }) => post(broke, generationBody()),
  admin_token_required: ({ guarded }) => guarded.inject({ method: 'GET', url: '/_emulator/clock' }),
  refund_pending: ({ plain }) => post(plain, generationBody(), { ...AUTH, 'x-emulator-fault': 'refund_pending' }),
  vault_unavailable: ({ plain }) => post(plain, generationBody(), { ...AUTH, 'x-emulator-fault': 'vault_unavailable' }),
  rate_limit_exceeded: async ({ limited }) => {
    await post(limited, generationBody());
    return post(limited, generationBody());
  },
  provider_not_found: ({ plain }) => post(plain, generationBody({ provider: { address: '0x' + '9'.repeat(40) } })),
  provider_model_mismatch: ({ plain }) =>
    post(plain, generationBody({ model: 'flux-1-schnell', provider: { address: BOREALIS } })),
  missing_authorization: ({ plain }) => post(plain, generationBody(), {}),
  invalid_api_key: ({ keys }) => post(keys, generationBody(), { authorization: 'Bearer sk-not-on-the-list' }),
  api_key_revoked: ({ keys }) => post(keys, generationBody(), { authorization: 'Bearer sk-revoked' }),
  insufficient_scope: ({ plain }) => post(plain, generationBody(), { authorization: 'Bearer mk-management' }),
  model_not_found: ({ plain }) => post(plain, generationBody({ model: 'no-such-model' })),
  uri_too_long: ({ plain }) => plain.inject({ method: 'GET', url: `/v1/async/jobs/${'a'.repeat(200)}`, headers: AUTH }),
  route_not_found: ({ plain }) => plain.inject({ method: 'GET', url: '/v1/no/such/route' }),
  image_not_found: ({ plain }) => plain.inject({ method: 'GET', url: `/v1/proxy/images/${'a'.repeat(32)}/0` }),
  request_too_large: ({ plain }) => post(plain, generationBody({ prompt: 'x'.repeat(1_100_000) })),
  unsupported_media_type: ({ plain }) =>
    plain.inject({
      method: 'POST',
      url: '/v1/images/generations',
      headers: { ...AUTH, 'content-type': 'text/plain' },
      payload: 'draw a cat',
    }),
  internal_error: ({ plain }) => plain.inject({ method: 'GET', url: '/test/throws' }),
  provider_error: ({ flaky }) => post(flaky, generationBody({ provider: { address: AURORA } })),
  no_provider_for_trust_mode: ({ plain }) =>
    post(plain, generationBody({ model: 'flux-1-schnell', provider: { trust_mode: 'private' } })),
  model_not_capable: ({ plain }) =>
    post(plain, generationBody({ model: 'flux-1-schnell', seed: 7 }), { ...AUTH, 'x-0g-provider-require-parameters': 'true' }),
  api_key_not_found: async ({ plain }) =>
    plain.inject({ method: 'DELETE', url: '/v1/api-keys/key_0000000000000000', headers: await management(plain) }),
  duplicate_name: async ({ plain }) => {
    const headers = await management(plain);
    await plain.inject({ method: 'POST', url: '/v1/api-keys', headers, payload: { name: 'twin' } });
    return plain.inject({ method: 'POST', url: '/v1/api-keys', headers, payload: { name: 'twin' } });
  },
  key_revoked: async ({ plain }) => {
    const headers = await management(plain);
    const { key_id } = (await plain.inject({ method: 'POST', url: '/v1/api-keys', headers, payload: {} })).json();
    await plain.inject({ method: 'DELETE', url: `/v1/api-keys/${key_id}`, headers });
    return plain.inject({ method: 'PATCH', url: `/v1/api-keys/${key_id}`, headers, payload: { name: 'again' } });
  },
  no_available_provider: ({ plain }) =>
    post(plain, generationBody({ model: 'flux-1-schnell', provider: { address: '0xd0d0000000000000000000000000000000000d04' } })),
};

t.test('every code in the error table is reachable over HTTP with its status and type', async (t) => {
  const plain = await makeApp(t);
  // A route that fails like a bug would, to prove the handler hides internals.
  plain.get('/test/throws', async () => {
    throw new Error('secret internal detail');
  });
  skipSpecCheck(plain, '/test/throws');
  const apps = {
    plain,
    keys: await makeApp(t, { apiKeys: 'sk-allowed', revokedApiKeys: 'sk-revoked' }),
    flaky: await makeApp(t, {}, { draw: async (p) => (p.model === 'warm-up' ? renderPlaceholder(p) : Promise.reject(new Error('boom'))) }),
    broke: await makeApp(t, { defaultBalance0g: '0.0099' }),
    limited: await makeApp(t, { rateLimitRpm: 1 }),
    guarded: await makeApp(t, { adminToken: 'let-me-in' }),
  };
  t.same([...Object.keys(SCENARIOS), ...Object.keys(REACHED_ELSEWHERE)].sort(), Object.keys(ERROR_TABLE).sort(), 'one scenario per code');
  for (const [code, scenario] of Object.entries(SCENARIOS) as [Exclude<ErrorCode, 'request_timeout'>, Scenario][]) {
    const res = await scenario(apps);
    const row = ERROR_TABLE[code];
    t.equal(res.statusCode, row.status, `${code}: status`);
    const body = res.json();
    t.same(Object.keys(body).sort(), ['error', 'request_id'], `${code}: envelope keys`);
    t.same(Object.keys(body.error).sort(), ['code', 'message', 'type'], `${code}: error keys`);
    t.equal(body.error.code, code, `${code}: code`);
    t.equal(body.error.type, row.type, `${code}: type`);
    t.equal(body.request_id, res.headers['x-request-id'], `${code}: request_id matches the header`);
    t.notMatch(body.error.message, /secret internal detail/, `${code}: no internals leak`);
  }
});
