import t from 'tap';
import { keyIdOf } from '../src/lib/ids.js';
import { renderPlaceholder } from '../src/render/placeholder.js';
import { AURORA, AUTH, BOREALIS, CIRRUS, DELTA, decodePng, generate, generationBody, KEY, makeApp } from './helpers/app.js';

type Expect = string | { status: number; code: string };
interface Row {
  name: string;
  model?: string;
  headers?: Record<string, string>;
  provider?: Record<string, unknown>;
  expect: Expect;
}

const err = (status: number, code: string) => ({ status, code });
const NOBODY = '0x9999999999999999999999999999999999999999';

/** Every header value class and every routing error, through HTTP. */
const ROWS: Row[] = [
  { name: 'no preferences: cheapest healthy', expect: AURORA },
  { name: 'sort latency', headers: { 'x-0g-provider-sort': 'latency' }, expect: CIRRUS },
  { name: 'sort is case-insensitive', headers: { 'x-0g-provider-sort': 'LATENCY' }, expect: CIRRUS },
  { name: 'header names are case-insensitive', headers: { 'X-0G-PROVIDER-SORT': 'latency' }, expect: CIRRUS },
  { name: 'blank sort is unset', headers: { 'x-0g-provider-sort': '   ' }, expect: AURORA },
  { name: 'bad sort', headers: { 'x-0g-provider-sort': 'fastest' }, expect: err(400, 'invalid_provider_header') },
  { name: 'pin', headers: { 'x-0g-provider-address': BOREALIS }, expect: BOREALIS },
  { name: 'pin ignores case', headers: { 'x-0g-provider-address': BOREALIS.toUpperCase().replace('0X', '0x') }, expect: BOREALIS },
  { name: 'pin beats sort', headers: { 'x-0g-provider-address': BOREALIS, 'x-0g-provider-sort': 'latency' }, expect: BOREALIS },
  { name: 'malformed pin', headers: { 'x-0g-provider-address': '0x123' }, expect: err(400, 'invalid_provider_header') },
  { name: 'pin matches no provider', headers: { 'x-0g-provider-address': NOBODY }, expect: err(400, 'provider_not_found') },
  { name: 'pinned provider lacks the model', model: 'flux-1-schnell', headers: { 'x-0g-provider-address': BOREALIS }, expect: err(400, 'provider_model_mismatch') },
  { name: 'pinned unhealthy, fallbacks off by default', model: 'flux-1-schnell', headers: { 'x-0g-provider-address': DELTA }, expect: err(503, 'no_available_provider') },
  { name: 'pinned unhealthy, fallbacks on', model: 'flux-1-schnell', headers: { 'x-0g-provider-address': DELTA, 'x-0g-provider-allow-fallbacks': 'true' }, expect: CIRRUS },
  { name: 'allow-fallbacks is case-insensitive', model: 'flux-1-schnell', headers: { 'x-0g-provider-address': DELTA, 'x-0g-provider-allow-fallbacks': 'TRUE' }, expect: CIRRUS },
  { name: 'allow-fallbacks "yes"', headers: { 'x-0g-provider-allow-fallbacks': 'yes' }, expect: err(400, 'invalid_provider_header') },
  { name: 'allow-fallbacks "1"', headers: { 'x-0g-provider-allow-fallbacks': '1' }, expect: err(400, 'invalid_provider_header') },
  { name: 'trust floor verified', headers: { 'x-0g-provider-trust-mode': 'verified', 'x-0g-provider-sort': 'latency' }, expect: AURORA },
  { name: 'trust floor private', headers: { 'x-0g-provider-trust-mode': 'private' }, expect: BOREALIS },
  { name: 'trust floor standard admits all', headers: { 'x-0g-provider-trust-mode': 'standard' }, expect: AURORA },
  { name: 'trust mode is case-insensitive', headers: { 'x-0g-provider-trust-mode': 'Private' }, expect: BOREALIS },
  { name: 'bad trust mode', headers: { 'x-0g-provider-trust-mode': 'paranoid' }, expect: err(400, 'invalid_trust_mode') },
  { name: 'unsatisfiable trust floor', model: 'flux-1-schnell', headers: { 'x-0g-provider-trust-mode': 'private' }, expect: err(503, 'no_provider_for_trust_mode') },
  { name: 'pinned provider under the floor', headers: { 'x-0g-provider-address': CIRRUS, 'x-0g-provider-trust-mode': 'verified' }, expect: err(503, 'no_provider_for_trust_mode') },
  { name: 'identity filters', headers: { 'x-0g-provider-identity': 'aliyun' }, expect: BOREALIS },
  { name: 'identity is case-sensitive', headers: { 'x-0g-provider-identity': 'Aliyun' }, expect: err(400, 'provider_model_mismatch') },
  { name: 'identity with a matching pin', headers: { 'x-0g-provider-identity': 'aliyun', 'x-0g-provider-address': BOREALIS }, expect: BOREALIS },
  { name: 'identity contradicting the pin', headers: { 'x-0g-provider-identity': 'aurora', 'x-0g-provider-address': BOREALIS }, expect: err(400, 'provider_model_mismatch') },
  { name: 'identity that serves nothing', headers: { 'x-0g-provider-identity': 'nobody' }, expect: err(400, 'provider_model_mismatch') },
  { name: 'price cap at exactly the price', headers: { 'x-0g-provider-max-price-usd-image': '0.003' }, expect: AURORA },
  { name: 'price cap filters before sort', headers: { 'x-0g-provider-max-price-usd-image': '0.0032', 'x-0g-provider-sort': 'latency' }, expect: AURORA },
  { name: 'price cap below every offer', headers: { 'x-0g-provider-max-price-usd-image': '0.0001' }, expect: err(400, 'no_provider_within_max_price') },
  { name: 'pinned provider above the cap', headers: { 'x-0g-provider-address': BOREALIS, 'x-0g-provider-max-price-usd-image': '0.004' }, expect: err(400, 'pinned_provider_exceeds_max_price') },
  { name: 'price cap not a decimal', headers: { 'x-0g-provider-max-price-usd-image': 'cheap' }, expect: err(400, 'invalid_max_price_usd') },
  { name: 'price cap negative', headers: { 'x-0g-provider-max-price-usd-image': '-0.01' }, expect: err(400, 'invalid_max_price_usd') },
  { name: 'price cap in exponent form', headers: { 'x-0g-provider-max-price-usd-image': '1e-3' }, expect: err(400, 'invalid_max_price_usd') },
  { name: 'blank price cap is unset', headers: { 'x-0g-provider-max-price-usd-image': ' ' }, expect: AURORA },
  { name: 'token price caps are inert on images', headers: { 'x-0g-provider-max-price-usd-prompt': 'garbage', 'x-0g-provider-max-price-usd-completion': '0' }, expect: AURORA },
  { name: 'body sort', provider: { sort: 'latency' }, expect: CIRRUS },
  { name: 'header sort beats body sort', provider: { sort: 'latency' }, headers: { 'x-0g-provider-sort': 'price' }, expect: AURORA },
  { name: 'header pin beats body pin', provider: { address: BOREALIS }, headers: { 'x-0g-provider-address': CIRRUS }, expect: CIRRUS },
  { name: 'header fallbacks merge with body pin', model: 'flux-1-schnell', provider: { address: DELTA }, headers: { 'x-0g-provider-allow-fallbacks': 'true' }, expect: CIRRUS },
  { name: 'body fallbacks merge with header pin', model: 'flux-1-schnell', provider: { allow_fallbacks: true }, headers: { 'x-0g-provider-address': DELTA }, expect: CIRRUS },
  { name: 'header trust beats body trust', provider: { trust_mode: 'private' }, headers: { 'x-0g-provider-trust-mode': 'standard' }, expect: AURORA },
  { name: 'an unhealthy provider is never chosen unpinned', model: 'flux-1-schnell', headers: { 'x-0g-provider-sort': 'latency' }, expect: CIRRUS },
];

t.test('routing decision table', async (t) => {
  const app = await makeApp(t);
  for (const row of ROWS) {
    const body = generationBody({ model: row.model ?? 'z-image', ...(row.provider ? { provider: row.provider } : {}) });
    const res = await generate(app, body, { ...AUTH, ...row.headers });
    if (typeof row.expect === 'string') {
      t.equal(res.statusCode, 200, `${row.name}: status`);
      t.equal(res.json().x_0g_trace?.provider, row.expect, `${row.name}: provider`);
    } else {
      t.equal(res.statusCode, row.expect.status, `${row.name}: status`);
      t.equal(res.json().error?.code, row.expect.code, `${row.name}: code`);
    }
  }
});

t.test('the same routing applies to async submits and edits', async (t) => {
  const app = await makeApp(t);
  const submit = await app.inject({
    method: 'POST',
    url: '/v1/async/images/generations',
    headers: { ...AUTH, 'x-0g-provider-sort': 'latency' },
    payload: generationBody(),
  });
  t.equal(submit.json().provider_address, CIRRUS);
  const capped = await app.inject({
    method: 'POST',
    url: '/v1/async/images/generations',
    headers: { ...AUTH, 'x-0g-provider-max-price-usd-image': '0.0001' },
    payload: generationBody(),
  });
  t.equal(capped.json().error.code, 'no_provider_within_max_price');
});

t.test('the price cap converts with USD_PER_0G', async (t) => {
  const app = await makeApp(t, { usdPer0g: 2 });
  const cap = (v: string) => generate(app, generationBody(), { ...AUTH, 'x-0g-provider-max-price-usd-image': v });
  t.equal((await cap('0.006')).json().x_0g_trace.provider, AURORA, '3e15 neuron at $2 = $0.006');
  t.equal((await cap('0.0059')).json().error.code, 'no_provider_within_max_price');
});

t.test('pinning each provider in turn: trace, image and ledger agree', async (t) => {
  const app = await makeApp(t);
  const keyId = keyIdOf(KEY);
  for (const endpoint of app.services.pool.endpoints()) {
    const { provider, model } = endpoint;
    if (!provider.healthy || model.serviceType !== 'text-to-image') continue;
    const size = model.supportedSizes?.[0] ?? '256x256';
    const res = await generate(app, generationBody({ model: model.id, size, prompt: `pinned ${provider.name}` }), {
      ...AUTH,
      'x-0g-provider-address': provider.address,
    });
    t.equal(res.statusCode, 200, `${provider.name}/${model.id}`);
    const body = res.json();
    t.equal(body.x_0g_trace.provider, provider.address);
    t.equal(body.x_0g_trace.billing.total_cost, endpoint.priceNeuron.toString());
    const img = await decodePng(body.data[0].b64_json);
    t.equal(img.text.provider_address, provider.address, 'tEXt names the provider');
    const [width, height] = size.split('x').map(Number) as [number, number];
    const expected = await renderPlaceholder({ model: model.id, prompt: `pinned ${provider.name}`, width, height, index: 0, providerAddress: provider.address });
    const { data } = await (await import('sharp')).default(expected).raw().toBuffer({ resolveWithObject: true });
    t.ok(img.pixels.equals(data), 'the label drawn is the one for this provider');
    const charge = (await app.services.ledger.store.get(keyId))!.recent.at(-1)!;
    t.match(charge, { provider: provider.address, model: model.id, amountNeuron: endpoint.priceNeuron });
  }
});
