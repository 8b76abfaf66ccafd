import t from 'tap';
import { serializeWithImages } from '../src/lib/image-json.js';
import { Base64Image } from '../src/render/png-text.js';

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
    const out = typeof payload === 'string' ? payload : Buffer.concat(payload).toString();
    t.equal(out, JSON.stringify(body));
    t.same(JSON.parse(out), JSON.parse(JSON.stringify(body)));
  }
  t.type(serializeWithImages(bodies[4]), 'string', 'small images are joined into one string');
  const big = { data: [{ b64_json: new Base64Image('iVBOR', Buffer.alloc(100_000, 65)) }] };
  const parts = serializeWithImages(big);
  t.ok(Array.isArray(parts), 'a large cached image goes out as buffers');
  t.equal((parts as Buffer[])[1], big.data[0]!.b64_json.tail, 'its tail bytes uncopied');
  t.equal(Buffer.concat(parts as Buffer[]).toString(), JSON.stringify(big));
});
