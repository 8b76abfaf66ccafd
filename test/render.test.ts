import { readFileSync, writeFileSync } from 'node:fs';
import sharp from 'sharp';
import t from 'tap';
import { Limiter, SaturatedError } from '../src/render/limiter.js';
import { labelLines, promptExcerpt, renderPlaceholder } from '../src/render/placeholder.js';
import { drawLabelPanel } from '../src/render/label-panel.js';
import { encodePng, readTextChunks, taggedBase64, taggedPng } from '../src/render/png-text.js';

const params = { model: 'z-image', prompt: 'a cat', width: 64, height: 64, index: 0, providerAddress: '0xa11ce0000000000000000000000000000000a001' };

t.test('tEXt chunks round-trip and keep the PNG decodable', async (t) => {
  const png = await renderPlaceholder(params);
  const tagged = taggedPng(encodePng(png), { request_id: 'r-1', provider_address: '0xabc', odd: 'ünïcødé ✓' });
  t.same(readTextChunks(tagged), { request_id: 'r-1', provider_address: '0xabc', odd: 'ünïcødé ?' });
  const meta = await sharp(tagged).metadata();
  t.same([meta.format, meta.width, meta.height], ['png', 64, 64]);
  t.throws(() => encodePng(Buffer.from('not a png at all, definitely not')), /not a PNG/);
  const original = await sharp(png).raw().toBuffer();
  for (const id of ['a', 'ab', 'abc']) {
    // Each id length lands the header on another remainder mod 3: all must join cleanly.
    const b64 = taggedBase64(encodePng(png), { request_id: id }).toString();
    t.equal(b64, Buffer.from(b64, 'base64').toString('base64'), `base64 stays canonical for ${id}`);
    const decoded = Buffer.from(b64, 'base64');
    t.same(readTextChunks(decoded), { request_id: id });
    t.ok((await sharp(decoded).raw().toBuffer()).equals(original), `pixels intact for ${id}`);
  }
});

t.test('labels say what was asked for, in characters the bundled font can draw', async (t) => {
  t.same(labelLines({ ...params, index: 2, width: 512, height: 256 }), [
    'z-image · 512x256 · image 3',
    'provider 0xa11c…a001',
    '“a cat”',
  ]);
  t.equal(promptExcerpt('  many\n\tspaces  '), 'many spaces');
  t.equal(promptExcerpt('猫 and 🐱'), '? and ??');
  t.equal(promptExcerpt('Ελληνικά и кириллица, café'), 'Ελληνικά и кириллица, café', 'scripts the font covers are kept');
  const long = promptExcerpt('word '.repeat(50));
  t.ok(long.length <= 60 && long.endsWith('…'));
});

t.test('extreme sizes and hostile prompts still render exactly', async (t) => {
  for (const [width, height, prompt] of [
    [64, 64, 'x'.repeat(5000)],
    [64, 2048, '<b>&amp; markup </span> "quotes"'],
    [2048, 64, 'supercalifragilisticexpialidocious'.repeat(20)],
  ] as const) {
    const meta = await sharp(await renderPlaceholder({ ...params, width, height, prompt })).metadata();
    t.same([meta.width, meta.height], [width, height], `${width}x${height}`);
  }
});

t.test('the limiter bounds concurrency and its waiting line', async (t) => {
  const limiter = new Limiter(2, 1);
  let running = 0;
  let peak = 0;
  const releases: (() => void)[] = [];
  const task = () =>
    limiter.run(async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise<void>((r) => releases.push(r));
      running--;
    });
  const runs = [task(), task(), task()];
  await new Promise((r) => setImmediate(r));
  t.equal(limiter.active, 2);
  t.equal(limiter.waiting, 1);
  await t.rejects(task(), SaturatedError);
  while (releases.length) {
    releases.shift()!();
    await new Promise((r) => setImmediate(r));
  }
  await Promise.all(runs);
  t.equal(peak, 2);
  t.equal(limiter.active, 0);
});

t.test('the placeholder matches the golden image pixel for pixel (no machine font involved)', async (t) => {
  const golden = new URL('../fixtures/golden/placeholder-320x200.png', import.meta.url);
  const png = await renderPlaceholder({ ...params, width: 320, height: 200, prompt: 'Golden lighthouse, Ελληνικά, кириллица', index: 1 });
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(golden, png);
  const raw = async (b: Buffer) => (await sharp(b).raw().toBuffer()).toString('base64');
  t.equal(await raw(png), await raw(readFileSync(golden)), 'UPDATE_GOLDEN=1 rewrites fixtures/golden after a deliberate change');
});

t.test('the label panel darkens only its box and blends the text by its alpha', async (t) => {
  const width = 4;
  const canvas = Buffer.alloc(width * 3 * 3, 200); // 4x3 pixels of grey 200
  // A 3x1 label of white text: opaque, fully transparent, half covered.
  const label = { alpha: Buffer.from([255, 0, 128]), width: 3, height: 1 };
  drawLabelPanel(canvas, width, { left: 1, top: 1, width: 3, height: 2 }, label, { left: 1, top: 1 });
  const px = (x: number, y: number) => canvas[(y * width + x) * 3];
  t.equal(px(0, 0), 200, 'outside the panel: untouched');
  t.equal(px(0, 1), 200);
  t.equal(px(1, 1), 255, 'opaque text replaces the pixel');
  t.equal(px(2, 1), (200 * 166) >> 8, 'transparent text leaves the darkened panel');
  t.equal(px(1, 2), (200 * 166) >> 8);
  const darkened = (200 * 166) >> 8;
  t.equal(px(3, 1), Math.floor((darkened * 127 + 255 * 128 + 127) / 255), 'half coverage: half way to white, rounded');
});

t.test('a group is admitted whole or refused with nothing started; a group larger than the line still renders', async (t) => {
  const limiter = new Limiter(1, 2);
  let started = 0;
  const releases: (() => void)[] = [];
  const job = () => async () => {
    started++;
    await new Promise<void>((r) => releases.push(r));
  };
  const big = limiter.runAll(Array.from({ length: 10 }, job));
  t.equal(started, 1, 'n=10 with room for 3: admitted, one running');
  t.equal(limiter.waiting, 9, 'the line overflows by that one group');
  t.throws(() => limiter.runAll([job(), job()]), SaturatedError, 'while it waits, another group is refused');
  t.equal(started, 1, 'and the refused group started nothing');
  while (releases.length || limiter.active) {
    releases.shift()?.();
    await new Promise((r) => setImmediate(r));
  }
  await Promise.all(big);
  t.equal(started, 10, 'all ten rendered');
});
