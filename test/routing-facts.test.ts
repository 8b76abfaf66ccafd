import fc from 'fast-check';
import t from 'tap';
import { routingPrefs } from '../src/domain/routing-prefs.js';
import { rankCandidates } from '../src/domain/routing.js';
import { ApiError } from '../src/errors.js';
import { DEFAULT_POOL } from '../src/providers/default-pool.js';
import { ProviderPool } from '../src/providers/pool.js';
import { AURORA, AUTH, BOREALIS, CIRRUS, generate, generationBody, makeApp } from './helpers/app.js';

/** The newer routing and response facts (contract §18). */

t.test('X-0G-Provider-Require-Parameters: only providers advertising every parameter; none → 400 model_not_capable', async (t) => {
  const app = await makeApp(t);
  const req = (body: Record<string, unknown>, headers: Record<string, string> = {}) => generate(app, generationBody(body), { ...AUTH, ...headers });
  const on = { 'x-0g-provider-require-parameters': 'true' };
  t.equal((await req({ seed: 7 })).json().x_0g_trace.provider, AURORA, 'cheapest that advertises seed');
  t.equal((await req({ seed: 7, negative_prompt: 'fog' }, on)).json().x_0g_trace.provider, BOREALIS);
  t.equal((await req({ negative_prompt: 'fog' })).json().x_0g_trace.provider, AURORA, 'without the header the parameter is simply passed on');
  const none = await req({ model: 'flux-1-schnell', seed: 7 }, on);
  t.equal(none.statusCode, 400);
  t.match(none.json().error, { code: 'model_not_capable', type: 'invalid_request_error', message: /seed/ });
  t.equal((await req({ model: 'flux-1-schnell', seed: 7 }, { ...on, 'x-0g-provider-address': CIRRUS })).statusCode, 200, 'a pinned provider bypasses the filter');
  for (const value of ['1', 'yes', 'on']) {
    const bad = await req({}, { 'x-0g-provider-require-parameters': value });
    t.equal(bad.json().error?.code, 'invalid_provider_header', `"${value}" is not true|false`);
  }
  t.equal((await req({ model: 'flux-1-schnell', seed: 7 }, { 'x-0g-provider-require-parameters': '  ' })).statusCode, 200, 'blank is unset');
  const viaBody = await req({ seed: 7, negative_prompt: 'fog', provider: { require_parameters: true } });
  t.equal(viaBody.json().x_0g_trace.provider, BOREALIS, 'the deprecated body field works too');
  const headerWins = await req({ seed: 7, negative_prompt: 'fog', provider: { require_parameters: true } }, { 'x-0g-provider-require-parameters': 'false' });
  t.equal(headerWins.json().x_0g_trace.provider, AURORA, 'the header wins over the body');
  const catalog = (await app.inject({ method: 'GET', url: '/v1/providers?model=z-image' })).json().data;
  t.same(
    catalog.map((p: { supported_parameters: string[] }) => p.supported_parameters.includes('seed')),
    [true, true, false],
    'providers declare what they support',
  );
});

t.test('X-Provider names the serving provider on sync answers, submits and polls', async (t) => {
  const app = await makeApp(t, { jobTimeScale: 0 });
  t.equal((await generate(app, generationBody())).headers['x-provider'], AURORA);
  const submit = await app.inject({ method: 'POST', url: '/v1/async/images/generations', headers: { ...AUTH, 'x-0g-provider-address': CIRRUS }, payload: generationBody() });
  t.equal(submit.headers['x-provider'], CIRRUS);
  const poll = await app.inject({ method: 'GET', url: `/v1/async/jobs/${submit.json().jobId}`, headers: AUTH });
  t.equal(poll.headers['x-provider'], CIRRUS);
  const failed = await generate(app, generationBody({ model: 'nope' }));
  t.notOk(failed.headers['x-provider'], 'no provider served an error');
});

t.test('the poll takes &model= (a mismatch is the 404 of a wrong pin) and verify_tee=true', async (t) => {
  const app = await makeApp(t);
  const submit = await app.inject({ method: 'POST', url: '/v1/async/images/generations', headers: AUTH, payload: generationBody() });
  const { jobId, provider_address } = submit.json();
  const url = `/v1/async/jobs/${jobId}?provider_address=${provider_address}`;
  const pending = await app.inject({ method: 'GET', url: `${url}&model=z-image&verify_tee=true`, headers: AUTH });
  t.equal(pending.statusCode, 200);
  t.notOk(pending.json().x_0g_trace, 'no trace before completion');
  const wrong = await app.inject({ method: 'GET', url: `${url}&model=flux-1-schnell`, headers: AUTH });
  t.equal(wrong.statusCode, 404);
  t.equal(wrong.json().error.code, 'async_job_not_found');
  app.clock.advance(60_000);
  const plain = await app.inject({ method: 'GET', url: `${url}&model=z-image`, headers: AUTH });
  t.notOk('tee_verified' in plain.json().x_0g_trace, 'absent unless asked for');
  const verified = await app.inject({ method: 'GET', url: `${url}&model=z-image&verify_tee=true`, headers: AUTH });
  t.equal(verified.json().x_0g_trace.tee_verified, true);
  t.equal((await app.inject({ method: 'GET', url: `${url}&verify_tee=yes`, headers: AUTH })).statusCode, 400);
});

t.test('GET /v1/models filters: input_modality and supported_parameter are ANDed; legacy is accepted', async (t) => {
  const app = await makeApp(t);
  const ids = async (qs: string) => (await app.inject({ method: 'GET', url: `/v1/models?${qs}` })).json().data.map((m: { id: string }) => m.id);
  t.same(await ids('input_modality=image'), ['qwen-image-edit'], 'an edit model takes images');
  t.same(await ids('input_modality=text&input_modality=image'), ['qwen-image-edit']);
  t.same(await ids('input_modality[]=text'), ['z-image', 'z-image-turbo', 'flux-1-schnell', 'qwen-image-edit']);
  t.same(await ids('supported_parameter=seed'), ['z-image']);
  t.same(await ids('supported_parameter[]=seed&supported_parameter[]=mask'), [], 'AND, not OR');
  t.same(await ids('supported_parameter=mask&input_modality=text'), ['qwen-image-edit']);
  t.same(await ids('legacy=true'), await ids(''));
  t.equal((await app.inject({ method: 'GET', url: '/v1/models?legacy=maybe' })).statusCode, 400);
});

t.test('z-image-turbo returns at most 2 images; n>2 is not an error and bills what was produced', async (t) => {
  const app = await makeApp(t, { jobTimeScale: 0 });
  const price = BigInt((await app.inject({ method: 'GET', url: '/v1/models' })).json().data.find((m: { id: string }) => m.id === 'z-image-turbo').pricing.image);
  const res = await generate(app, generationBody({ model: 'z-image-turbo', n: 4 }));
  t.equal(res.statusCode, 200);
  t.equal(res.json().data.length, 2);
  t.same(res.json().usage, { output_images: 2 });
  t.equal(res.json().x_0g_trace.billing.total_cost, (price * 2n).toString());
  const one = await generate(app, generationBody({ model: 'z-image-turbo', n: 1 }));
  t.equal(one.json().data.length, 1, 'below the cap nothing changes');
  const submit = await app.inject({ method: 'POST', url: '/v1/async/images/generations', headers: AUTH, payload: generationBody({ model: 'z-image-turbo', n: 5 }) });
  app.clock.advance(1);
  const poll = (await app.inject({ method: 'GET', url: `/v1/async/jobs/${submit.json().jobId}`, headers: AUTH })).json();
  t.equal(poll.data.data.length, 2);
  t.equal(poll.x_0g_trace.billing.total_cost, (price * 2n).toString());
});

t.test('POST /v1/routing/preview ranks with the request code and changes nothing', async (t) => {
  const app = await makeApp(t);
  const preview = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url: '/v1/routing/preview', headers: { ...AUTH, ...headers }, payload: body });
  const res = await preview({ service_type: 'text-to-image', model: 'z-image' });
  t.equal(res.statusCode, 200);
  t.match(res.json(), { object: 'routing.preview', service_type: 'text-to-image' });
  t.same(res.json().providers, [
    { address: AURORA, endpoint: 'https://aurora.provider.example', canonical_id: 'z-image', model_id: 'z-image' },
    { address: CIRRUS, endpoint: 'https://cirrus.provider.example', canonical_id: 'z-image', model_id: 'z-image' },
    { address: BOREALIS, endpoint: 'https://borealis.provider.example', canonical_id: 'z-image', model_id: 'z-image' },
  ]);
  const first = (await generate(app, generationBody())).json().x_0g_trace.provider;
  t.equal(first, res.json().providers[0].address, 'the head candidate is where the request goes');
  const addresses = async (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    (await preview(body, headers)).json().providers.map((p: { address: string }) => p.address);
  t.same(await addresses({ service_type: 'text-to-image', model: 'z-image' }, { 'x-0g-provider-sort': 'latency' }), [CIRRUS, AURORA, BOREALIS]);
  t.same(await addresses({ service_type: 'text-to-image', model: 'z-image', provider: { address: BOREALIS } }), [BOREALIS], 'a pin returns just that provider');
  t.same(await addresses({ service_type: 'text-to-image', model: 'z-image', negative_prompt: 'x' }, { 'x-0g-provider-require-parameters': 'true' }), [BOREALIS]);
  const anyModel = (await preview({ service_type: 'image-editing' })).json().providers;
  t.same(anyModel.map((p: { address: string; model_id: string }) => `${p.address}/${p.model_id}`), [`${BOREALIS}/qwen-image-edit`, `${CIRRUS}/qwen-image-edit`]);
  t.equal((await preview({ service_type: 'text-to-image', model: 'nope' })).statusCode, 404);
  t.equal((await preview({ service_type: 'text-to-image', model: 'qwen-image-edit' })).statusCode, 400);
  t.equal((await preview({ service_type: 'anthropic-chat' })).statusCode, 400);
  t.equal((await preview({ service_type: 'chatbot' })).statusCode, 503, 'a known service type this pool does not serve');
  t.equal((await preview({ service_type: 'text-to-image' }, { 'x-0g-provider-sort': 'fastest' })).json().error.code, 'invalid_provider_header');
  t.equal((await app.inject({ method: 'POST', url: '/v1/routing/preview', payload: { service_type: 'text-to-image' } })).statusCode, 401);
  const ledger = (await app.inject({ method: 'GET', url: '/_emulator/ledger?key=sk-test-key' })).json();
  t.equal(ledger.charge_count, 1, 'only the real request was billed');
});

t.test('property: key restrictions and required parameters hold for any routing request, or a documented error', async (t) => {
  const pool = new ProviderPool(DEFAULT_POOL);
  const addresses = DEFAULT_POOL.providers.map((p) => p.address.toLowerCase());
  const documented = new Set(['access_denied', 'no_provider_for_trust_mode', 'model_not_capable', 'no_available_provider', 'provider_model_mismatch']);
  fc.assert(
    fc.property(
      fc.constantFrom(...DEFAULT_POOL.models.map((m) => m.id)),
      fc.subarray(addresses),
      fc.option(fc.constantFrom('standard' as const, 'verified' as const, 'private' as const), { nil: undefined }),
      fc.subarray(['seed', 'negative_prompt', 'quality']),
      fc.boolean(),
      fc.option(fc.constantFrom(...addresses), { nil: undefined }),
      (model, allowedProviders, trustMode, extra, require, pin) => {
        const headers: Record<string, string> = { 'x-0g-provider-require-parameters': String(require) };
        if (pin) headers['x-0g-provider-address'] = pin;
        const parameters = ['prompt', 'n', 'size', 'response_format', ...extra];
        const key = { allowedModels: [], allowedProviders, creditLimit: undefined, trustMode };
        try {
          const ranked = rankCandidates(pool, model, routingPrefs(headers, undefined, parameters), 1, key);
          for (const e of ranked) {
            if (allowedProviders.length && !allowedProviders.includes(e.provider.address.toLowerCase())) throw new Error('outside allowed_providers');
            if (trustMode && e.provider.trustMode !== trustMode) throw new Error('outside the key tier');
            if (require && !pin && !parameters.every((p) => e.supportedParameters.includes(p))) throw new Error('lacks a required parameter');
          }
        } catch (err) {
          if (!(err instanceof ApiError) || !documented.has(err.code)) throw err;
        }
      },
    ),
    { numRuns: 1000, seed: 20261125 },
  );
  t.pass('1000 random restricted routing decisions held');
});
