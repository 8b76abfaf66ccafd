import type { FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { runInNewContext } from 'node:vm';
import { readEditForm } from '../src/routes/multipart.js';
import { setFlagsFromString } from 'node:v8';
import t from 'tap';
import { MAX_ARMED_RULES, SPENT_RULES_KEPT } from '../src/domain/fault-rules.js';
import { summariseBody } from '../src/lib/body-summary.js';
import { MAX_SOURCE_BYTES } from '../src/domain/jobs.js';
import { memoryBackend } from '../src/state/backend.js';
import { AURORA, AUTH, generationBody, makeApp } from './helpers/app.js';
import { editFields, imagePart, multipart, samplePng } from './helpers/multipart.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heapUsedMb = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 1024 / 1024;
};

/** `{"model":…,"junk":[{},{},…]}` of about 1 MiB: parses into ~350k objects. */
function junkBody(model: string, i: number): string {
  const junk = '{},'.repeat(349_000) + '{}';
  return `{"model":"${model}","prompt":"junk ${i}","size":"64x64","response_format":"b64_json","junk":[${junk}]}`;
}

t.test('a few hundred 1 MiB bodies of unknown fields leave the heap where it was (bound: +40 MB)', async (t) => {
  const app = await makeApp(t, { jsonBodyLimitBytes: 1_100_000, rateLimitRpm: 0 });
  await app.inject({ method: 'POST', url: '/v1/images/generations', headers: AUTH, payload: generationBody({ size: '64x64' }) });
  const beforeMb = heapUsedMb();
  const statuses = new Map<number, number>();
  for (let i = 0; i < 200; i++) {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/images/generations',
      headers: { ...AUTH, 'content-type': 'application/json' },
      payload: junkBody(i % 2 ? 'z-image' : 'no-such-model', i),
    });
    statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
  }
  const afterMb = heapUsedMb();
  t.same(Object.fromEntries(statuses), { 200: 100, 404: 100 }, 'accepted and rejected bodies alike');
  t.ok(afterMb - beforeMb < 40, `heap used after GC: ${beforeMb.toFixed(1)} -> ${afterMb.toFixed(1)} MB`);
  const record = app.services.provider(AURORA).received.at(-1)!;
  t.ok(JSON.stringify(record.body).length < 4096, `a provider record is ${JSON.stringify(record.body).length} bytes`);
  t.match(record.body, { model: 'z-image', prompt: /^junk \d+$/, junk: '<array of 349001 items>' });
  const [entry] = (await app.inject({ method: 'GET', url: '/_emulator/requests?limit=1&route=/v1/images/generations' })).json().data;
  t.ok(JSON.stringify(entry.body).length < 4096, 'a journal entry is small');
});

t.test('body summaries: names, scalars, cut prompts and shapes, within a fixed budget', async (t) => {
  const wide = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`field_${i}_${'x'.repeat(100)}`, 'v'.repeat(1000)]));
  const summary = summariseBody({ model: 'z-image', prompt: 'p'.repeat(5000), n: 2, provider: { sort: 'price' }, ...wide })!;
  t.ok(JSON.stringify(summary).length < 4096, `${JSON.stringify(summary).length} bytes for a ~5 MB body`);
  t.match(summary, { model: 'z-image', n: 2, provider: { sort: 'price' }, prompt: /^p{200}… \(5000 chars\)$/ });
  t.match(summary['…'], /more fields$/);
  t.same(summariseBody({ a: { b: { c: 1 } }, list: [1, 2, [3]] }), { a: { b: '<object with 1 keys>' }, list: [1, 2, '<array of 1 items>'] });
  t.equal(summariseBody('a string'), undefined);
});

t.test('an unknown multipart file part is drained, never buffered', async (t) => {
  let drainedBytes = 0;
  const file = (bytes: number) => {
    const stream = Readable.from([Buffer.alloc(bytes, 7)]);
    stream.on('data', (c: Buffer) => (drainedBytes += c.length));
    return stream;
  };
  const png = await samplePng();
  const parts = [
    { type: 'file', fieldname: 'attachment', file: file(8 << 20), toBuffer: () => Promise.reject(new Error('an unknown part was buffered')) },
    { type: 'file', fieldname: 'image', file: Readable.from([]), toBuffer: async () => png },
    { type: 'field', fieldname: 'model', value: 'qwen-image-edit' },
  ];
  const req = { isMultipart: () => true, parts: async function* () { yield* parts; }, note: undefined };
  const form = await readEditForm(req as unknown as FastifyRequest, 'lenient');
  t.equal(drainedBytes, 8 << 20, 'the unknown part was read to its end');
  t.same(Object.keys(form.files), ['image']);
  t.same(form.fields, { model: 'qwen-image-edit' });
});

t.test('fault rules: at most 1000 armed; spent rules are forgotten past 100', async (t) => {
  const app = await makeApp(t);
  for (let i = 0; i < 150; i++) await app.inject({ method: 'POST', url: '/_emulator/faults', payload: { fault: 'job_failed', times: 1 } });
  for (let i = 0; i < 150; i++) await app.inject({ method: 'POST', url: '/v1/async/images/generations', headers: AUTH, payload: generationBody() });
  const spent = (await app.inject({ method: 'GET', url: '/_emulator/faults' })).json().data;
  t.equal(spent.length, 150, 'spent rules stay listed until a rule is armed (at most MAX_ARMED_RULES of them)');
  await app.inject({ method: 'POST', url: '/_emulator/faults', payload: { fault: 'slow', times: 1 } });
  const listed = (await app.inject({ method: 'GET', url: '/_emulator/faults' })).json().data;
  t.equal(listed.length, SPENT_RULES_KEPT + 1, 'arming forgets all but the newest spent rules');
  t.equal(listed.at(-1).code, 'slow');
  for (let i = 1; i < MAX_ARMED_RULES; i++) await app.services.faults.add({ fault: 'slow', latencyMs: 1 });
  const refused = await app.inject({ method: 'POST', url: '/_emulator/faults', payload: { fault: 'slow' } });
  t.equal(refused.statusCode, 400);
  t.match(refused.json().error.message, /1000 fault rules are armed/);
});

t.test('edit thumbnails held by jobs are bounded: past the budget an async edit is refused with Retry-After', async (t) => {
  const state = memoryBackend({ journalMax: 100 });
  const counts = state.jobs.counts.bind(state.jobs);
  state.jobs.counts = async () => {
    const real = await counts();
    return { ...real, sourceBytes: MAX_SOURCE_BYTES - 100 + real.sourceBytes };
  };
  const app = await makeApp(t, {}, { state });
  const { payload, headers } = multipart([imagePart(await samplePng()), ...editFields()]);
  const res = await app.inject({ method: 'POST', url: '/v1/async/images/edits', headers: { ...AUTH, ...headers }, payload });
  t.equal(res.statusCode, 503);
  t.equal(res.json().error.code, 'no_available_provider');
  t.ok(res.headers['retry-after']);
  const plain = await app.inject({ method: 'POST', url: '/v1/async/images/generations', headers: AUTH, payload: generationBody() });
  t.equal(plain.statusCode, 202, 'generations hold no source and are unaffected');

});
