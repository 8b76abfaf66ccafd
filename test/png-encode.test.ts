import fc from 'fast-check';
import sharp from 'sharp';
import t from 'tap';
import { inflateSync } from 'node:zlib';
import { encodeRgbPng } from '../src/render/png-encode.js';
import { renderThread } from '../src/render/render-thread.js';
import { drawAndEncode, type Composition } from '../src/render/canvas-draw.js';
import { base64Bytes, readTextChunks } from '../src/render/png-text.js';

/** The pixels a real decoder reads back; zlib's inflate checks the stream's Adler-32 too. */
async function decoded(png: Buffer): Promise<{ raw: Buffer; width: number; height: number; channels: number }> {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  return { raw: data, width: info.width, height: info.height, channels: info.channels };
}

function idatOf(png: Buffer): Buffer {
  let offset = 8;
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    if (png.toString('latin1', offset + 4, offset + 8) === 'IDAT') return png.subarray(offset + 8, offset + 8 + length);
    offset += 12 + length;
  }
  throw new Error('no IDAT');
}

/** An image made of flat tiles, runs and noise: every path of the encoder (row copies, pixel runs, literals). */
const image = fc
  .record({ width: fc.integer({ min: 1, max: 300 }), height: fc.integer({ min: 1, max: 40 }), tile: fc.integer({ min: 1, max: 120 }), noise: fc.double({ min: 0, max: 1, noNaN: true }), seed: fc.integer() })
  .map(({ width, height, tile, noise, seed }) => {
    let state = seed >>> 0 || 1;
    const next = () => ((state = (state * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    const raw = Buffer.alloc(width * height * 3);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const o = (y * width + x) * 3;
        const flat = Math.floor(x / tile) * 37 + Math.floor(y / tile) * 11;
        const noisy = next() / 255 < noise;
        raw[o] = noisy ? next() : flat & 0xff;
        raw[o + 1] = noisy ? next() : (flat * 3) & 0xff;
        raw[o + 2] = noisy ? next() : (flat * 7) & 0xff;
      }
    }
    return { raw, width, height };
  });

t.test('encodeRgbPng round-trips any RGB image through a real decoder, checksums included', async (t) => {
  await fc.assert(
    fc.asyncProperty(image, async ({ raw, width, height }) => {
      const png = encodeRgbPng(raw, width, height);
      const back = await decoded(png);
      if (back.width !== width || back.height !== height || back.channels !== 3 || !back.raw.equals(raw)) throw new Error(`${width}x${height}: pixels differ`);
      // Scanlines: each row's filter byte, then the row.
      const lines = inflateSync(idatOf(png));
      if (lines.length !== (width * 3 + 1) * height) throw new Error('wrong scanline length');
    }),
    { numRuns: 150 },
  );
});

t.test('encodeRgbPng: uniform, extreme and wide images', async (t) => {
  const cases: [string, Buffer, number, number][] = [
    ['one pixel', Buffer.from([1, 2, 3]), 1, 1],
    ['uniform 1024x64 (row copies and 258-byte matches)', Buffer.alloc(1024 * 64 * 3, 0x7f), 1024, 64],
    ['all 255 (9-bit literals)', Buffer.alloc(50 * 2 * 3, 255), 50, 2],
    ['rows wider than the deflate window', Buffer.alloc(11_000 * 3 * 3, 9), 11_000, 3],
    ['one column (rows too short for a copy)', Buffer.from([5, 5, 5, 5, 5, 5, 7, 7, 7]), 1, 3],
  ];
  for (const [name, raw, width, height] of cases) {
    const back = await decoded(encodeRgbPng(raw, width, height));
    t.ok(back.raw.equals(raw), name);
  }
  const flat = encodeRgbPng(Buffer.alloc(1024 * 1024 * 3, 0x40), 1024, 1024);
  t.ok(flat.length < 1024 * 1024 * 3 * 0.01, `a flat 1024x1024 image is under 1% of its pixels' bytes (${flat.length} bytes)`);
});

t.test('the encoding is a pure function of the pixels, and per-request tags still fit after IHDR', async (t) => {
  const raw = Buffer.from(Array.from({ length: 20 * 10 * 3 }, (_, i) => (i * 7) & 0xff));
  const a = encodeRgbPng(raw, 20, 10);
  t.ok(a.equals(encodeRgbPng(Buffer.from(raw), 20, 10)));
  t.equal(a.toString('latin1', 12, 16), 'IHDR');
  t.same(readTextChunks(a), {});
});

t.test('base64Bytes is Buffer#toString("base64") as bytes, for every length remainder', async (t) => {
  await fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      const buf = Buffer.from(bytes);
      if (base64Bytes(buf).toString('latin1') !== buf.toString('base64')) throw new Error(`differs for ${buf.toString('hex')}`);
    }),
  );
});

t.test('the render thread draws and encodes large placeholders as this thread would; small ones are drawn here', async (t) => {
  const composition = (width: number, height: number, seed: string): Composition => ({
    key: seed,
    width,
    height,
    label: { alpha: Buffer.from(Array.from({ length: 40 * 12 }, (_, i) => (i * 37) & 0xff)), width: 40, height: 12 },
    pad: 4,
    gravity: 'centre',
  });
  const answered = renderThread.answered;
  const [a, b] = [composition(600, 480, 'one'), composition(600, 480, 'two')];
  const [onThreadA, onThreadB] = await Promise.all([renderThread.render(a), renderThread.render(b)]);
  t.ok(onThreadA.equals(drawAndEncode(a)), 'the same bytes');
  t.ok(onThreadB.equals(drawAndEncode(b)), 'concurrent renders each get their own answer');
  t.notOk(onThreadA.equals(onThreadB));
  t.equal(renderThread.answered, answered + 2, 'both answered by the thread');
  const small = composition(100, 80, 'three');
  t.ok((await renderThread.render(small)).equals(drawAndEncode(small)));
  t.equal(renderThread.answered, answered + 2, 'the small one was not sent to it');
  // A hand-off that fails (here: a value structured clone refuses) is rendered in this thread instead.
  const unsendable = { ...a, unsendable: () => 0 } as Composition;
  t.ok((await renderThread.render(unsendable)).equals(onThreadA), 'a failed hand-off still renders');
  t.equal(renderThread.answered, answered + 2);
  t.ok((await renderThread.render(b)).equals(onThreadB), 'and the thread goes on serving');
  t.equal(renderThread.answered, answered + 3);
});
