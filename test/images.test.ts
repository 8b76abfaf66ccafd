import t from 'tap';
import { renderPlaceholder } from '../src/render/placeholder.js';
import { AURORA, AUTH, BOREALIS, CIRRUS, decodePng, generate, generationBody, makeApp } from './helpers/app.js';

t.test('generates labelled PNGs of the requested size with a billed trace', async (t) => {
  const app = await makeApp(t);
  const res = await generate(app, generationBody({ n: 3, size: '320x200' }), { ...AUTH, 'x-request-id': 'req-42' });
  t.equal(res.statusCode, 200);
  t.equal(res.headers['x-request-id'], 'req-42');
  const body = res.json();
  t.equal(body.created, Math.floor(app.clock.nowMs() / 1000));
  t.equal(body.model, 'z-image');
  t.same(body.usage, { output_images: 3 });
  t.same(body.x_0g_trace, {
    request_id: 'req-42',
    provider: AURORA,
    billing: { input_cost: '0', output_cost: '9000000000000000', total_cost: '9000000000000000' },
  });
  t.notOk('tee_verified' in body.x_0g_trace, 'no tee_verified unless asked');
  t.equal(body.data.length, 3);
  const images = await Promise.all(body.data.map((d: { b64_json: string }) => decodePng(d.b64_json)));
  for (const img of images) {
    t.equal(img.width, 320);
    t.equal(img.height, 200);
    t.same(img.text, { request_id: 'req-42', provider_address: AURORA });
  }
  t.not(images[0]!.pixels.equals(images[1]!.pixels), true, 'each index is a different picture');
});

t.test('images are deterministic for (model, prompt, size, index), across apps and without the cache', async (t) => {
  const first = await makeApp(t, { renderCacheMb: 0 });
  const second = await makeApp(t, { renderCacheMb: 0 });
  const a = await decodePng((await generate(first, generationBody())).json().data[0].b64_json);
  const b = await decodePng((await generate(second, generationBody())).json().data[0].b64_json);
  t.ok(a.pixels.equals(b.pixels), 'same request, same pixels');
  const c = await decodePng((await generate(first, generationBody({ prompt: 'another prompt' }))).json().data[0].b64_json);
  t.notOk(a.pixels.equals(c.pixels), 'another prompt, another picture');
});

t.test('size: default, auto, range and per-model lists', async (t) => {
  const app = await makeApp(t);
  const dims = async (body: Record<string, unknown>) => {
    const res = await generate(app, body);
    t.equal(res.statusCode, 200, JSON.stringify(body));
    const img = await decodePng(res.json().data[0].b64_json);
    return `${img.width}x${img.height}`;
  };
  const { size: _omit, ...noSize } = generationBody();
  t.equal(await dims(noSize), '1024x1024');
  t.equal(await dims(generationBody({ size: 'auto' })), '1024x1024');
  t.equal(await dims(generationBody({ size: '64x2048' })), '64x2048');
  t.equal(await dims(generationBody({ model: 'flux-1-schnell', size: '512x512' })), '512x512');
  for (const size of ['63x64', '2049x512', '0x0', '99999x1']) {
    const res = await generate(app, generationBody({ size }));
    t.equal(res.statusCode, 400, size);
    t.match(res.json().error, { code: 'invalid_body', message: /out of range: each side must be 64 to 2048 pixels/ });
  }
  const res = await generate(app, generationBody({ model: 'flux-1-schnell', size: '300x300' }));
  t.equal(res.statusCode, 400);
  t.match(res.json().error.message, /not supported by model flux-1-schnell; supported: 256x256, 512x512, 1024x1024/);
});

t.test('response_format: only b64_json by default, URLs when configured to serve them', async (t) => {
  const app = await makeApp(t);
  const { response_format: _omit, ...missing } = generationBody();
  for (const body of [missing, generationBody({ response_format: 'url' })]) {
    const res = await generate(app, body);
    t.equal(res.statusCode, 400);
    t.match(res.json().error, { code: 'invalid_body', type: 'invalid_request_error', message: /response_format.*b64_json/ });
  }
  const bad = await generate(app, generationBody({ response_format: 'png' }));
  t.equal(bad.statusCode, 400);

  const serving = await makeApp(t, { urlResponses: 'serve' });
  const res = await generate(serving, generationBody({ response_format: 'url', n: 2 }), { ...AUTH, 'x-request-id': 'url-req' });
  t.equal(res.statusCode, 200);
  const urls: string[] = res.json().data.map((d: { url: string }) => d.url);
  t.equal(urls.length, 2);
  t.match(urls[0], /^http:\/\/localhost:80\/v1\/proxy\/images\/[0-9a-f]{32}\/0$/);
  const png = await serving.inject({ method: 'GET', url: new URL(urls[1]!).pathname });
  t.equal(png.statusCode, 200);
  t.equal(png.headers['content-type'], 'image/png');
  const img = await decodePng(png.rawPayload.toString('base64'));
  t.same([img.width, img.height], [256, 256]);
  t.same(img.text, { request_id: 'url-req', provider_address: AURORA });
  const gone = await serving.inject({ method: 'GET', url: `/v1/proxy/images/${'0'.repeat(32)}/0` });
  t.equal(gone.statusCode, 404);
  t.equal(gone.json().error.code, 'image_not_found');
  serving.clock.advance(3_600_001);
  t.equal((await serving.inject({ method: 'GET', url: new URL(urls[0]!).pathname })).statusCode, 404, 'links expire');
});

t.test('Router extension fields never reach the provider; unknown OpenAI fields do', async (t) => {
  const app = await makeApp(t);
  const res = await generate(
    app,
    generationBody({ provider: { address: BOREALIS, allow_fallbacks: false }, verify_tee: true, quality: 'hd', user: 'u-1' }),
    { ...AUTH, 'x-request-id': 'strip-1' },
  );
  t.equal(res.statusCode, 200);
  t.equal(res.json().x_0g_trace.provider, BOREALIS);
  t.equal(res.json().x_0g_trace.tee_verified, true);
  const received = app.services.provider(BOREALIS).received.at(-1)!;
  t.equal(received.requestId, 'strip-1');
  t.notOk('provider' in received.body);
  t.notOk('verify_tee' in received.body);
  t.match(received.body, { model: 'z-image', prompt: 'a lighthouse at dusk', quality: 'hd', user: 'u-1', response_format: 'b64_json' });
});

t.test('ZG-Res-Key only from providers that sign; tee_verified reflects the signer', async (t) => {
  const app = await makeApp(t);
  const signed = await generate(app, generationBody({ verify_tee: true }));
  t.match(signed.headers['zg-res-key'], /^[0-9a-f-]{36}$/);
  const unsigned = await generate(app, generationBody({ verify_tee: true, provider: { address: CIRRUS } }));
  t.equal(unsigned.statusCode, 200);
  t.equal(unsigned.headers['zg-res-key'], undefined);
  t.equal(unsigned.json().x_0g_trace.tee_verified, false);
});

t.test('a repeated request is served from the render cache', async (t) => {
  const app = await makeApp(t);
  await generate(app, generationBody());
  const before = app.services.renderer.stats();
  await generate(app, generationBody());
  const after = app.services.renderer.stats();
  t.equal(after.misses, before.misses, 'no new render');
  t.equal(after.hits, before.hits + 1);
});

t.test('identical concurrent renders are drawn once; past the wait line requests get 503', async (t) => {
  let draws = 0;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const app = await makeApp(t, { renderConcurrency: 1, renderQueueMax: 1 }, {
    draw: async (p) => {
      draws++;
      if (p.model !== 'warm-up') await gate;
      return renderPlaceholder(p);
    },
  });
  await app.ready();
  await app.services.lifecycle.warmedUp;
  const drawsAtStart = draws;
  const same = [generate(app, generationBody()), generate(app, generationBody())];
  const queued = generate(app, generationBody({ prompt: 'second picture' }));
  await new Promise((r) => setTimeout(r, 20));
  const refused = await generate(app, generationBody({ prompt: 'third picture' }));
  t.equal(refused.statusCode, 503);
  t.equal(refused.headers['retry-after'], '1');
  t.match(refused.json().error, { code: 'no_available_provider', type: 'server_error' });
  release();
  for (const res of await Promise.all([...same, queued])) t.equal(res.statusCode, 200);
  t.equal(draws - drawsAtStart, 2, 'the two identical requests shared one draw');
});

t.test('a failing provider is skipped when fallbacks are allowed, else 502', async (t) => {
  const app = await makeApp(t, {}, {
    draw: async (p) => {
      if (p.providerAddress === AURORA) throw new Error('GPU on fire');
      return renderPlaceholder(p);
    },
  });
  const fallback = await generate(app, generationBody());
  t.equal(fallback.statusCode, 200);
  t.equal(fallback.json().x_0g_trace.provider, CIRRUS, 'next cheapest z-image provider');
  t.equal(fallback.json().x_0g_trace.billing.total_cost, '3500000000000000', 'billed at the serving provider price');
  const pinned = await generate(app, generationBody({ provider: { address: AURORA } }));
  t.equal(pinned.statusCode, 502);
  t.match(pinned.json().error, { code: 'provider_error', type: 'server_error', message: /GPU on fire/ });
});

t.test('an image-editing model is refused on the generations route', async (t) => {
  const app = await makeApp(t);
  const res = await generate(app, generationBody({ model: 'qwen-image-edit', size: '512x512' }));
  t.equal(res.statusCode, 400);
  t.match(res.json().error.message, /image-editing model; send it to \/v1\/images\/edits/);
});

t.test('strict profile refuses the deprecated body provider object', async (t) => {
  const app = await makeApp(t, { profile: 'strict' });
  const res = await generate(app, generationBody({ provider: { sort: 'price' } }));
  t.equal(res.statusCode, 400);
  t.match(res.json().error.message, /deprecated/);
  t.equal((await generate(app, generationBody())).statusCode, 200);
});

t.test('n=10 with a render line smaller than 10 is rendered, not refused forever', async (t) => {
  const app = await makeApp(t, { renderConcurrency: 1, renderQueueMax: 2, renderCacheMb: 0 });
  const res = await generate(app, generationBody({ n: 10, size: '64x64' }));
  t.equal(res.statusCode, 200);
  t.equal(res.json().data.length, 10);
  const stats = app.services.renderer.stats();
  t.same([stats.active, stats.waiting], [0, 0]);
});
