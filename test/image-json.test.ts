import t from 'tap';
import sharp from 'sharp';
import { sendWithImages, serializeWithImages } from '../src/lib/image-json.js';
import { OutputBuffers } from '../src/lib/output-buffers.js';
import { Base64Image, readTextChunks } from '../src/render/png-text.js';
import { AUTH, generationBody } from './helpers/app.js';
import { serve } from './helpers/sockets.js';

t.test('serializeWithImages is JSON.stringify with images spliced in verbatim', async (t) => {
  const b64 = Buffer.from('png bytes '.repeat(100)).toString('base64');
  const image = (head: string, tail: string) => new Base64Image(head, Buffer.from(tail, 'latin1'));
  const bodies = [
    { created: 1, data: [{ b64_json: b64 }, { b64_json: b64.slice(4) }], model: 'z-image', x_0g_trace: { request_id: 'r', billing: { total_cost: '1' } } },
    { jobId: 'j', status: 'completed', data: { created: 2, data: [{ b64_json: b64 }] }, errorMessage: '\u0000 0 "quoted" \\ back' },
    { data: [{ url: 'http://x/1' }] },
    { tricky: '\u00000', nested: { b64_json: 42 } },
    // Cached images: a head and tail bytes, mixed with plain strings, with text and unicode around them.
    { prompt: 'ünïcødé ✓ "q"', data: [{ b64_json: image('iVBOR', 'w0KGgo') }, { b64_json: b64 }, { b64_json: image('', 'AAAA') }], after: '✓' },
  ];
  for (const body of bodies) {
    const payload = serializeWithImages(body);
    const out = typeof payload === 'string' ? payload : payload.toString();
    t.equal(out, JSON.stringify(body));
    t.same(JSON.parse(out), JSON.parse(JSON.stringify(body)));
  }
  t.type(serializeWithImages(bodies[2]), 'string', 'a body without cached images is one string');
  const big = { data: [{ b64_json: new Base64Image('iVBOR', Buffer.alloc(100_000, 65)) }], prompt: 'ünïcødé' };
  const room = Buffer.alloc(300_000, 0x2a);
  const bytes = serializeWithImages(big, (length) => room.subarray(0, length)) as Buffer;
  t.equal(bytes.buffer, room.buffer, 'a body with cached images is written into the buffer it is given');
  t.equal(bytes.toString(), JSON.stringify(big), 'as UTF-8, with nothing left over');
});

t.test('OutputBuffers: reused only once given back, sized up, and holding at most keptMax', async (t) => {
  const pool = new OutputBuffers(2, 1024);
  const a = pool.take(1500);
  t.equal(a.length, 2048, 'rounded up to the size step');
  const b = pool.take(1500);
  t.not(b, a, 'a buffer not given back is never handed out again');
  pool.give(a);
  t.equal(pool.take(100), a, 'a free buffer large enough is reused');
  pool.give(a);
  t.not(pool.take(4000), a, 'one too small is not');
  for (const buffer of [a, b, pool.take(10), pool.take(10)]) pool.give(buffer);
  t.equal(pool.freeCount, 2, 'at most keptMax are kept');
});

t.test('the buffer of an image answer is reused only after its response has finished', async (t) => {
  const sent: Buffer[] = [];
  const finish: (() => void)[] = [];
  const reply = {
    headers: () => reply,
    type: () => reply,
    send: (payload: Buffer) => sent.push(payload),
    raw: { once: (_event: string, listener: () => void) => finish.push(listener) },
  };
  const body = (fill: number) => ({ data: [{ b64_json: new Base64Image('iVBOR', Buffer.alloc(100_000, fill)) }] });
  sendWithImages(reply, {}, body(65));
  sendWithImages(reply, {}, body(66));
  t.not(sent[1]!.buffer, sent[0]!.buffer, 'two unfinished answers never share memory');
  t.equal(sent[0]!.toString(), JSON.stringify(body(65)), 'the first is untouched by the second');
  finish[0]!();
  sendWithImages(reply, {}, body(67));
  t.equal(sent[2]!.buffer, sent[0]!.buffer, 'the buffer of a finished answer is used again');
  t.equal(sent[2]!.toString(), JSON.stringify(body(67)));
  t.equal(sent[1]!.toString(), JSON.stringify(body(66)), 'an unfinished one still holds its own bytes');
});

t.test('concurrent large image answers over real sockets each arrive whole, with their own ids', async (t) => {
  const server = await serve(t);
  const answers = await Promise.all(
    Array.from({ length: 12 }, (_, i) =>
      fetch(`${server.url}/v1/images/generations`, {
        method: 'POST',
        headers: { ...AUTH, 'content-type': 'application/json' },
        // Two prompts: cache hits and misses both take the reused-buffer path (tails over 64 KB).
        body: JSON.stringify(generationBody({ size: '1024x1024', prompt: `prompt ${i % 2}`, response_format: 'b64_json' })),
      }).then(async (res) => ({ id: res.headers.get('x-request-id'), body: (await res.json()) as { data: { b64_json: string }[] } })),
    ),
  );
  for (const { id, body } of answers) {
    const png = Buffer.from(body.data[0]!.b64_json, 'base64');
    t.equal(readTextChunks(png).request_id, id, `the image of ${id} names its own request`);
    t.equal((await sharp(png).metadata()).width, 1024, 'and decodes');
  }
});
