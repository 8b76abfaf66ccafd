import { fileURLToPath } from 'node:url';
import t from 'tap';
import { neuronToMicroUsd, neuronToUsd, parseDecimal } from '../src/domain/billing.js';
import { withinUsdCap } from '../src/domain/routing-prefs.js';
import { loadPool } from '../src/providers/pool.js';
import { AURORA, AUTH, CIRRUS, DELTA, generate, generationBody, makeApp } from './helpers/app.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/pools/${name}`, import.meta.url));

t.test('GET /v1/models lists image models with the cheapest per-image price, no auth', async (t) => {
  const app = await makeApp(t);
  const res = await app.inject({ method: 'GET', url: '/v1/models' });
  t.equal(res.statusCode, 200);
  const body = res.json();
  t.equal(body.object, 'list');
  t.same(body.data.map((m: { id: string }) => m.id), ['z-image', 'z-image-turbo', 'flux-1-schnell', 'qwen-image-edit']);
  const z = body.data[0];
  t.match(z, {
    object: 'model',
    type: 'text-to-image',
    owned_by: '0G Foundation',
    pricing: { prompt: '0', completion: '3000000000000000', image: '3000000000000000' },
    pricing_usd: { image: '0.003' },
    provider_count: 3,
    default_parameters: { n: 1, size: '1024x1024' },
    architecture: { input_modalities: ['text'], output_modalities: ['image'] },
  });
  const flux = body.data[2];
  t.equal(flux.pricing.image, '2000000000000000', 'cheapest offer (Cirrus), whatever its health');
  t.equal(flux.provider_count, 3, 'unhealthy endpoints still count');
});

t.test('the price the catalog shows is the price an unpinned request pays', async (t) => {
  const app = await makeApp(t);
  const models = (await app.inject({ method: 'GET', url: '/v1/models' })).json().data;
  for (const model of models.filter((m: { type: string }) => m.type === 'text-to-image')) {
    const res = await generate(app, generationBody({ model: model.id, n: 2 }));
    t.equal(res.json().x_0g_trace.billing.total_cost, (BigInt(model.pricing.image) * 2n).toString(), model.id);
  }
});

t.test('GET /v1/models filters and USD view', async (t) => {
  const app = await makeApp(t, { usdPer0g: 2.5 });
  const usd = (await app.inject({ method: 'GET', url: '/v1/models?pricing=usd' })).json();
  t.equal(usd.data[0].pricing.image, '0.0075');
  const byProvider = (await app.inject({ method: 'GET', url: `/v1/models?provider_address=${DELTA.toUpperCase().replace('0X', '0x')}` })).json();
  t.same(byProvider.data.map((m: { id: string }) => m.id), ['flux-1-schnell']);
  const bad = await app.inject({ method: 'GET', url: '/v1/models?pricing=eur' });
  t.equal(bad.statusCode, 400);
  t.match(bad.json().error, { code: 'bad_request', message: /querystring\/pricing/ });
});

t.test('GET /v1/providers: one entry per endpoint, filters ANDed, health and trust visible', async (t) => {
  const app = await makeApp(t);
  const all = (await app.inject({ method: 'GET', url: '/v1/providers' })).json();
  t.equal(all.object, 'list');
  t.equal(all.data.length, 9);
  const delta = all.data.find((p: { address: string }) => p.address === DELTA);
  t.match(delta, { is_healthy: false, latency: 400, trust_mode: 'verified', model_id: 'flux-1-schnell', provider_name: 'Delta GPU' });
  const get = async (qs: string) =>
    (await app.inject({ method: 'GET', url: `/v1/providers?${qs}` })).json().data.map((p: { address: string; model_id: string }) => `${p.address}/${p.model_id}`);
  t.same(await get('service_type=image-editing'), [
    '0xb0b0000000000000000000000000000000000b02/qwen-image-edit',
    `${CIRRUS}/qwen-image-edit`,
  ]);
  t.same(await get('model=z-image&service_type=text-to-image'), [`${AURORA}/z-image`, '0xb0b0000000000000000000000000000000000b02/z-image', `${CIRRUS}/z-image`]);
  t.same(await get('model_id=flux-1-schnell&canonical_id=flux-1-schnell'), [`${AURORA}/flux-1-schnell`, `${CIRRUS}/flux-1-schnell`, `${DELTA}/flux-1-schnell`]);
  t.same(await get('model=z-image&service_type=image-editing'), []);
  t.equal((await get('model=&service_type=')).length, 9, 'empty values do not filter');
  const cirrus = all.data.find((p: { address: string; model_id: string }) => p.address === CIRRUS && p.model_id === 'z-image');
  t.same(cirrus.pricing, { prompt: '0', completion: '3500000000000000', image: '3500000000000000' });
});

t.test('GET /v1/service-types counts providers per type regardless of health', async (t) => {
  const app = await makeApp(t);
  const res = await app.inject({ method: 'GET', url: '/v1/service-types' });
  t.same(res.json(), {
    object: 'list',
    data: [
      { type: 'text-to-image', label: 'Text to Image', provider_count: 4 },
      { type: 'image-editing', label: 'Image Editing', provider_count: 2 },
    ],
  });
});

t.test('a pool file (YAML) replaces the default pool', async (t) => {
  const app = await makeApp(t, { poolFile: fixture('two-providers.yaml') });
  const models = (await app.inject({ method: 'GET', url: '/v1/models' })).json().data;
  t.same(models.map((m: { id: string }) => m.id), ['tiny-image']);
  const res = await generate(app, generationBody({ model: 'tiny-image', size: undefined }));
  t.equal(res.statusCode, 200);
  t.equal(res.json().x_0g_trace.provider, '0x2222222222222222222222222222222222222222', 'the cheaper one is unhealthy');
  t.equal((await generate(app, generationBody({ model: 'z-image' }))).json().error.code, 'model_not_found');
});

t.test('a pool with no healthy provider answers 503 no_available_provider', async (t) => {
  const app = await makeApp(t, { poolFile: fixture('all-unhealthy.json') });
  const res = await generate(app, generationBody(), AUTH);
  t.equal(res.statusCode, 503);
  t.equal(res.json().error.code, 'no_available_provider');
  t.ok(res.headers['retry-after']);
});

t.test('a bad pool file fails with the path and reason', async (t) => {
  t.throws(() => loadPool(fixture('broken.json')), /EMULATOR_CONFIG=.*broken\.json[\s\S]*\/providers\/0\/address/);
  t.throws(() => loadPool(fixture('missing.json')), /cannot read the file/);
  t.throws(() => loadPool(fileURLToPath(import.meta.url)), /not valid JSON/);
});

t.test('neuron to USD conversion is exact decimal', async (t) => {
  t.equal(neuronToUsd(3_000_000_000_000_000n, 1), '0.003');
  t.equal(neuronToUsd(10n ** 18n, 1.25), '1.25');
  t.equal(neuronToUsd(0n, 3), '0');
  t.equal(neuronToUsd(7n * 10n ** 18n, 0.5), '3.5');
  t.equal(neuronToMicroUsd(3_000_000_000_000_000n, 1), 3000n);
  t.equal(neuronToMicroUsd(1n, 1), 0n, 'sub-micro amounts round half up to 0');
  t.equal(neuronToMicroUsd(500_000_000_000n, 1), 1n, 'half a micro-USD rounds up');
  t.equal(parseDecimal('1000', 18), 1000n * 10n ** 18n);
  t.equal(parseDecimal('0.01', 18), 10n ** 16n);
  t.equal(parseDecimal('2.5', 6), 2_500_000n);
  t.throws(() => parseDecimal('0.1234567', 6));
  t.ok(withinUsdCap(3_000_000_000_000_000n, 1, '0.003'));
  t.notOk(withinUsdCap(3_000_000_000_000_001n, 1, '0.003'));
  t.ok(withinUsdCap(0n, 1, '0'));
  t.ok(withinUsdCap(10n ** 18n, 1.25, '1.25000000000000000'));
});
