import fc from 'fast-check';
import t from 'tap';
import { ApiError } from '../src/errors.js';
import { routingPrefs } from '../src/domain/routing-prefs.js';
import { rankCandidates } from '../src/domain/routing.js';
import { ProviderPool, type Endpoint } from '../src/providers/pool.js';
import { DEFAULT_POOL } from '../src/providers/default-pool.js';
import { AUTH, generate, makeApp } from './helpers/app.js';

const TRUST = { standard: 0, verified: 1, private: 2 } as const;
const textModels = DEFAULT_POOL.models.filter((m) => m.serviceType === 'text-to-image');

const validRequest = fc.record({
  model: fc.constantFrom(...textModels.map((m) => m.id)),
  prompt: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 300 }),
  n: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
  side: fc.record({ w: fc.integer({ min: 64, max: 200 }), h: fc.integer({ min: 64, max: 200 }) }),
  verify_tee: fc.option(fc.boolean(), { nil: undefined }),
  extra: fc.option(fc.dictionary(fc.constantFrom('quality', 'style', 'user', 'background'), fc.string({ maxLength: 20 })), { nil: undefined }),
});

t.test('random valid requests always succeed with the right images', async (t) => {
  const app = await makeApp(t, { rateLimitRpm: 0, renderCacheMb: 4 });
  await fc.assert(
    fc.asyncProperty(validRequest, async (r) => {
      const model = textModels.find((m) => m.id === r.model)!;
      const size = model.supportedSizes ? model.supportedSizes[r.side.w % model.supportedSizes.length]! : `${r.side.w}x${r.side.h}`;
      const body = { ...r.extra, model: r.model, prompt: r.prompt, size, response_format: 'b64_json', ...(r.n ? { n: r.n } : {}), ...(r.verify_tee !== undefined ? { verify_tee: r.verify_tee } : {}) };
      const res = await generate(app, body);
      if (res.statusCode !== 200) throw new Error(`${res.statusCode} ${res.body.slice(0, 200)} for ${JSON.stringify(body).slice(0, 200)}`);
      const data = res.json().data as { b64_json: string }[];
      // A model's cap (z-image-turbo: 2) is not an error: it returns what it can.
      if (data.length !== Math.min(r.n ?? 1, model.maxImagesPerRequest ?? Infinity)) throw new Error('wrong image count');
      const png = Buffer.from(data[0]!.b64_json, 'base64');
      if (`${png.readUInt32BE(16)}x${png.readUInt32BE(20)}` !== size) throw new Error('wrong size');
      if ((res.json().x_0g_trace.tee_verified !== undefined) !== (r.verify_tee === true)) throw new Error('tee_verified presence');
    }),
    { numRuns: 60, seed: 20261124 },
  );
});

/** One field made wrong: a wrong type, out of range, or missing. */
const invalidRequest = fc.oneof(
  fc.record({ field: fc.constant('model'), value: fc.oneof(fc.integer(), fc.constant(null), fc.constant(''), fc.array(fc.string())) }),
  fc.record({ field: fc.constant('prompt'), value: fc.oneof(fc.integer(), fc.constant(''), fc.boolean(), fc.constant(undefined)) }),
  fc.record({ field: fc.constant('n'), value: fc.oneof(fc.integer({ max: 0 }), fc.integer({ min: 11 }), fc.double({ min: 1.01, max: 9.99, noInteger: true }), fc.string()) }),
  fc.record({ field: fc.constant('size'), value: fc.oneof(fc.string().filter((s) => !/^([0-9]{1,5}x[0-9]{1,5}|auto)$/.test(s)), fc.integer({ min: 1, max: 63 }).map((w) => `${w}x${w}`), fc.integer({ min: 2049, max: 99999 }).map((w) => `${w}x64`)) }),
  fc.record({ field: fc.constant('response_format'), value: fc.oneof(fc.constant('url'), fc.constant(undefined), fc.string().filter((s) => s !== 'b64_json'), fc.integer()) }),
  fc.record({ field: fc.constant('provider'), value: fc.oneof(fc.string(), fc.record({ sort: fc.string().filter((s) => s !== 'price' && s !== 'latency') }), fc.record({ bogus: fc.integer() })) }),
);

t.test('random invalid requests always get a 4xx Router envelope', async (t) => {
  const app = await makeApp(t, { rateLimitRpm: 0 });
  await fc.assert(
    fc.asyncProperty(invalidRequest, async ({ field, value }) => {
      const body: Record<string, unknown> = { model: 'z-image', prompt: 'x', size: '64x64', response_format: 'b64_json', [field]: value };
      if (value === undefined) delete body[field];
      const res = await generate(app, body, AUTH);
      const json = res.json();
      if (res.statusCode < 400 || res.statusCode >= 500) throw new Error(`${res.statusCode} for ${field}=${JSON.stringify(value)}`);
      if (!json.error?.code || !json.error?.type || !json.error?.message || !json.request_id) throw new Error('not the envelope');
    }),
    { numRuns: 300, seed: 20261124 },
  );
});

const header = (values: string[]) => fc.option(fc.oneof(fc.constantFrom(...values), fc.string({ maxLength: 12 })), { nil: undefined });
const ADDRESSES = DEFAULT_POOL.providers.map((p) => p.address);

t.test('routing: any headers either pick a provider that satisfies every constraint, or a documented error', async (t) => {
  const pool = new ProviderPool(DEFAULT_POOL);
  const documented = new Set([
    'invalid_provider_header', 'invalid_trust_mode', 'invalid_max_price_usd', 'no_provider_within_max_price',
    'pinned_provider_exceeds_max_price', 'provider_model_mismatch', 'provider_not_found', 'no_provider_for_trust_mode', 'no_available_provider',
  ]);
  fc.assert(
    fc.property(
      fc.constantFrom(...DEFAULT_POOL.models.map((m) => m.id)),
      fc.record({
        'x-0g-provider-address': header([...ADDRESSES, '0x9999999999999999999999999999999999999999']),
        'x-0g-provider-sort': header(['price', 'latency', 'LATENCY']),
        'x-0g-provider-allow-fallbacks': header(['true', 'false']),
        'x-0g-provider-trust-mode': header(['standard', 'verified', 'private']),
        'x-0g-provider-identity': header(['aurora', 'aliyun', 'cirrus', 'delta']),
        'x-0g-provider-max-price-usd-image': header(['0.001', '0.0025', '0.003', '0.005', '1']),
      }),
      (model, headers) => {
        let ranked: Endpoint[];
        try {
          const prefs = routingPrefs(headers);
          ranked = rankCandidates(pool, model, prefs, 1);
          for (const e of ranked) {
            if (e.model.id !== model || !e.provider.healthy) throw new Error('served by a wrong or unhealthy provider');
            if (prefs.trustFloor && TRUST[e.provider.trustMode] < TRUST[prefs.trustFloor]) throw new Error('below the trust floor');
            if (prefs.identity && e.provider.identity !== prefs.identity) throw new Error('wrong identity');
            if (prefs.maxPriceUsdImage && Number(e.priceNeuron) / 1e18 > Number(prefs.maxPriceUsdImage) + 1e-12) throw new Error('over the cap');
          }
          // An unhealthy pin with fallbacks on is skipped for the healthy ones.
          const pinHealthy = prefs.address !== undefined && pool.provider(prefs.address)?.healthy;
          if (pinHealthy && ranked[0]!.provider.address.toLowerCase() !== prefs.address!.toLowerCase()) throw new Error('pin not first');
          if (!prefs.allowFallbacks && ranked.length !== 1) throw new Error('fallbacks when off');
          if (!prefs.address && ranked.length > 1) {
            const key = (e: Endpoint) => (prefs.sort === 'price' ? Number(e.priceNeuron) : e.provider.latencyMs);
            for (let i = 1; i < ranked.length; i++) if (key(ranked[i]!) < key(ranked[i - 1]!)) throw new Error('not sorted');
          }
        } catch (err) {
          if (!(err instanceof ApiError) || !documented.has(err.code)) throw err;
        }
      },
    ),
    { numRuns: 2000, seed: 20261124 },
  );
  t.pass('2000 random routing decisions held every invariant');
});
