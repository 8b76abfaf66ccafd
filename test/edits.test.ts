import sharp from 'sharp';
import t from 'tap';
import type { App } from '../src/app.js';
import { THUMBNAIL_MAX_PX } from '../src/render/source-image.js';
import { AUTH, BOREALIS, decodePng, makeApp } from './helpers/app.js';
import { editFields, imagePart, multipart, samplePng, type Part } from './helpers/multipart.js';

const edit = (app: App, parts: Part[], url = '/v1/images/edits', headers: Record<string, string> = AUTH) => {
  const { payload, headers: mpHeaders } = multipart(parts);
  return app.inject({ method: 'POST', url, headers: { ...headers, ...mpHeaders }, payload });
};

t.test('a sync edit returns labelled PNGs that show the uploaded image', async (t) => {
  const app = await makeApp(t);
  const source = await samplePng();
  const res = await edit(app, [imagePart(source), ...editFields({ n: '2' })], '/v1/images/edits?verify_tee=true');
  t.equal(res.statusCode, 200, res.body.slice(0, 200));
  const body = res.json();
  t.equal(body.data.length, 2);
  t.equal(body.x_0g_trace.provider, BOREALIS, 'cheapest image-editing provider');
  t.same(body.x_0g_trace.billing, { input_cost: '0', output_cost: '10000000000000000', total_cost: '10000000000000000' });
  t.equal(body.x_0g_trace.tee_verified, true);
  const img = await decodePng(body.data[0].b64_json);
  t.same([img.width, img.height], [512, 512]);
  // The uploaded image is solid green; the top of the edit must show it.
  const topCentre = (Math.floor(512 * 0.2) * 512 + 256) * 3;
  t.same([...img.pixels.subarray(topCentre, topCentre + 3)], [20, 160, 90], 'the source is drawn into the result');
  const received = app.services.provider(BOREALIS).received.at(-1)!.body;
  t.match(received, { model: 'qwen-image-edit', prompt: 'make it night', n: 2, image: `<${source.length} bytes>` });
  t.notOk('verify_tee' in received);
});

t.test('edits are deterministic for the same source, and differ for another source', async (t) => {
  const app = await makeApp(t, { renderCacheMb: 0 });
  const one = async (png: Buffer) => (await decodePng((await edit(app, [imagePart(png), ...editFields()])).json().data[0].b64_json)).pixels;
  const a = await one(await samplePng());
  t.ok(a.equals(await one(await samplePng())));
  const red = await sharp({ create: { width: 50, height: 50, channels: 3, background: '#d00' } }).jpeg().toBuffer();
  t.notOk(a.equals(await one(red)));
});

t.test('the image[] field name and a mask are accepted', async (t) => {
  const app = await makeApp(t);
  const res = await edit(app, [imagePart(await samplePng(), 'image[]'), imagePart(await samplePng(32, 32), 'mask'), ...editFields()]);
  t.equal(res.statusCode, 200);
});

t.test('bad edit forms get 4xx in the Router envelope', async (t) => {
  const app = await makeApp(t, { uploadLimitBytes: 4096 });
  const png = await samplePng();
  const big = await sharp({ create: { width: 600, height: 600, channels: 3, background: '#123' } }).png({ compressionLevel: 0 }).toBuffer();
  const cases: [string, Part[], number, string, RegExp][] = [
    ['no image', editFields(), 400, 'invalid_body', /image is required/],
    ['not an image', [{ name: 'image', filename: 'a.txt', contentType: 'text/plain', data: Buffer.from('hello') }, ...editFields()], 400, 'invalid_body', /PNG, JPEG or WebP/],
    ['truncated image', [imagePart(png.subarray(0, 60)), ...editFields()], 400, 'invalid_body', /image/],
    ['empty file', [imagePart(Buffer.alloc(0)), ...editFields()], 400, 'invalid_body', /empty file/],
    ['image as text', [{ name: 'image', value: 'iVBOR...' }, ...editFields()], 400, 'invalid_body', /file part/],
    ['two n fields', [imagePart(png), ...editFields({ n: '1' }), { name: 'n', value: '2' }], 400, 'invalid_body', /`n` could not be read unambiguously/],
    ['two images', [imagePart(png), imagePart(png), ...editFields()], 400, 'invalid_body', /`image` could not be read/],
    ['n = 0', [imagePart(png), ...editFields({ n: '0' })], 400, 'invalid_body', /n must be an integer from 1 to 10/],
    ['n = 11', [imagePart(png), ...editFields({ n: '11' })], 400, 'invalid_body', /n must be an integer from 1 to 10/],
    ['n = abc', [imagePart(png), ...editFields({ n: 'abc' })], 400, 'invalid_body', /form field n must match pattern/],
    ['no prompt', [imagePart(png), { name: 'model', value: 'qwen-image-edit' }, { name: 'response_format', value: 'b64_json' }], 400, 'invalid_body', /form must have required properties prompt/],
    ['generation model', [imagePart(png), ...editFields({ model: 'z-image', size: '256x256' })], 400, 'invalid_body', /send it to \/v1\/images\/generations/],
    ['unknown model', [imagePart(png), ...editFields({ model: 'nope' })], 404, 'model_not_found', /nope/],
    ['unsupported size', [imagePart(png), ...editFields({ size: '256x256' })], 400, 'invalid_body', /not supported by model qwen-image-edit/],
    ['url format', [imagePart(png), ...editFields({ response_format: 'url' })], 400, 'invalid_body', /b64_json/],
    ['file too large', [imagePart(big), ...editFields()], 413, 'request_too_large', /too large/],
  ];
  for (const [name, parts, status, code, message] of cases) {
    const res = await edit(app, parts);
    t.equal(res.statusCode, status, name);
    t.match(res.json().error, { code, message }, name);
  }
  const badQuery = await edit(app, [imagePart(png), ...editFields()], '/v1/images/edits?verify_tee=maybe');
  t.equal(badQuery.statusCode, 400);
  t.equal(badQuery.json().error.code, 'bad_request');
  const json = await app.inject({ method: 'POST', url: '/v1/images/edits', headers: AUTH, payload: { model: 'qwen-image-edit', prompt: 'x' } });
  t.equal(json.statusCode, 415);
  t.equal(json.json().error.code, 'unsupported_media_type');
  const noAuth = await edit(app, [imagePart(png), ...editFields()], '/v1/images/edits', {});
  t.equal(noAuth.statusCode, 401);
});

t.test('a multipart body cut off mid-upload is a 400, and the server keeps serving', async (t) => {
  const app = await makeApp(t);
  const { payload, headers } = multipart([...editFields(), imagePart(await samplePng())]);
  const cut = await app.inject({ method: 'POST', url: '/v1/images/edits', headers: { ...AUTH, ...headers }, payload: payload.subarray(0, payload.length - 200) });
  t.equal(cut.statusCode, 400);
  t.equal(cut.json().error.code, 'invalid_body');
  t.equal((await edit(app, [imagePart(await samplePng()), ...editFields()])).statusCode, 200);
});

t.test('async edits: 202, then a completed job keeps only a bounded thumbnail', async (t) => {
  const app = await makeApp(t);
  const huge = await sharp({ create: { width: 1800, height: 1200, channels: 3, background: '#4a4' } }).png().toBuffer();
  const res = await edit(app, [imagePart(huge), ...editFields()], '/v1/async/images/edits?verify_tee=true');
  t.equal(res.statusCode, 202);
  t.equal(res.headers['retry-after'], '5');
  const { jobId, provider_address } = res.json();
  t.equal(provider_address, BOREALIS);
  app.clock.advance(10_000);
  const done = await app.inject({ method: 'GET', url: `/v1/async/jobs/${jobId}?provider_address=${BOREALIS}`, headers: AUTH });
  t.equal(done.json().status, 'completed');
  t.equal(done.json().x_0g_trace.tee_verified, true);
  const img = await decodePng(done.json().data.data[0].b64_json);
  t.same([img.width, img.height], [512, 512]);
  const kept = (await app.services.jobs.find(jobId))!.source!;
  const meta = await sharp(kept.png).metadata();
  t.ok(Math.max(meta.width!, meta.height!) <= THUMBNAIL_MAX_PX, `thumbnail ${meta.width}x${meta.height}`);
  t.ok(kept.png.length < 200_000);
});

t.test('multi-image edits: repeated image[] parts, as every OpenAI SDK sends an array of images', async (t) => {
  const app = await makeApp(t, { renderCacheMb: 0 });
  const png = await samplePng();
  const single = await edit(app, [imagePart(png, 'image[]'), ...editFields()]);
  const triple = await edit(app, [imagePart(png, 'image[]'), imagePart(await samplePng(40, 40), 'image[]'), imagePart(png, 'image[]'), ...editFields()]);
  t.equal(triple.statusCode, 200, triple.body.slice(0, 200));
  const received = app.services.provider(BOREALIS).received.at(-1)!.body;
  t.match(received, { image: [`<${png.length} bytes>`, String, `<${png.length} bytes>`] }, 'the provider sees every image');
  const [a, b] = await Promise.all([decodePng(single.json().data[0].b64_json), decodePng(triple.json().data[0].b64_json)]);
  t.notOk(a.pixels.equals(b.pixels), 'the label names the references, so the images differ');
  const again = await edit(app, [imagePart(png, 'image[]'), imagePart(await samplePng(40, 40), 'image[]'), imagePart(png, 'image[]'), ...editFields()]);
  t.ok((await decodePng(again.json().data[0].b64_json)).pixels.equals(b.pixels), 'and deterministic');

  const tooMany = await edit(app, [...Array.from({ length: 17 }, () => imagePart(png, 'image[]')), ...editFields()]);
  t.equal(tooMany.statusCode, 400);
  t.match(tooMany.json().error.message, /at most 16 images/);
  const strict = await makeApp(t, { profile: 'strict' });
  const refused = await edit(strict, [imagePart(png, 'image[]'), imagePart(png, 'image[]'), ...editFields()]);
  t.equal(refused.statusCode, 400, 'the strict profile keeps one image per edit');
  t.match(refused.json().error.message, /more than once/);
});
