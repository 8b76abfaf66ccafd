import t from 'tap';
import { stringifyWithImages } from '../src/lib/image-json.js';

t.test('stringifyWithImages is JSON.stringify with images spliced in verbatim', async (t) => {
  const b64 = Buffer.from('png bytes '.repeat(100)).toString('base64');
  const bodies = [
    { created: 1, data: [{ b64_json: b64 }, { b64_json: b64.slice(4) }], model: 'z-image', x_0g_trace: { request_id: 'r', billing: { total_cost: '1' } } },
    { jobId: 'j', status: 'completed', data: { created: 2, data: [{ b64_json: b64 }] }, errorMessage: '\u0000 0 "quoted" \\ back' },
    { data: [{ url: 'http://x/1' }] },
    { tricky: '\u00000', nested: { b64_json: 42 } },
  ];
  for (const body of bodies) {
    const out = stringifyWithImages(body);
    t.equal(out, JSON.stringify(body));
    t.same(JSON.parse(out), body);
  }
});
