import OpenAI, { toFile } from 'openai';
import sharp from 'sharp';
import t, { type Test } from 'tap';
import { readTextChunks } from '../../src/render/png-text.js';
import { AURORA, makeApp } from '../helpers/app.js';

/** The official SDK over a real socket: what an app developer's code does. */
async function startServer(t: Test) {
  const app = await makeApp(t);
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  const client = new OpenAI({ baseURL: `${address}/v1`, apiKey: 'sk-sdk-test', maxRetries: 0 });
  return { app, client };
}

t.test('images.generate returns a real PNG and the Router trace', async (t) => {
  const { client } = await startServer(t);
  const res = await client.images.generate({
    model: 'z-image',
    prompt: 'a lighthouse at dusk',
    size: '512x512',
    n: 2,
    response_format: 'b64_json',
  });
  t.equal(res.data?.length, 2);
  const png = Buffer.from(res.data![0]!.b64_json!, 'base64');
  const meta = await sharp(png).metadata();
  t.same([meta.format, meta.width, meta.height], ['png', 512, 512]);
  const trace = (res as unknown as { x_0g_trace: { request_id: string; provider: string; billing: Record<string, string> } }).x_0g_trace;
  t.equal(trace.provider, AURORA);
  t.same(trace.billing, { input_cost: '0', output_cost: '6000000000000000', total_cost: '6000000000000000' });
  t.same(readTextChunks(png), { request_id: trace.request_id, provider_address: AURORA });
});

t.test('withResponse exposes the Router headers', async (t) => {
  const { client } = await startServer(t);
  const { response, data } = await client.images
    .generate({ model: 'z-image', prompt: 'headers', size: '256x256', response_format: 'b64_json' }, { headers: { 'X-Request-ID': 'sdk-req-1' } })
    .withResponse();
  t.equal(response.headers.get('x-request-id'), 'sdk-req-1');
  t.match(response.headers.get('zg-res-key'), /^[0-9a-f-]{36}$/);
  t.equal((data as unknown as { x_0g_trace: { request_id: string } }).x_0g_trace.request_id, 'sdk-req-1');
});

t.test('errors surface as typed SDK errors with the Router code', async (t) => {
  const { client } = await startServer(t);
  const notFound = await client.images
    .generate({ model: 'no-such-model', prompt: 'x', response_format: 'b64_json' })
    .catch((e: unknown) => e);
  t.ok(notFound instanceof OpenAI.NotFoundError);
  t.match(notFound, { status: 404, code: 'model_not_found', type: 'not_found_error' });
  const badFormat = await client.images.generate({ model: 'z-image', prompt: 'x' }).catch((e: unknown) => e);
  t.ok(badFormat instanceof OpenAI.BadRequestError);
  t.match(badFormat, { status: 400, code: 'invalid_body', message: /b64_json/ });
  const anonymous = new OpenAI({ baseURL: client.baseURL, apiKey: 'mk-management', maxRetries: 0 });
  const forbidden = await anonymous.images.generate({ model: 'z-image', prompt: 'x', response_format: 'b64_json' }).catch((e: unknown) => e);
  t.ok(forbidden instanceof OpenAI.PermissionDeniedError);
});

t.test('models.list works against the catalog', async (t) => {
  const { client } = await startServer(t);
  const ids: string[] = [];
  for await (const model of client.models.list()) ids.push(model.id);
  t.same(ids, ['z-image', 'z-image-turbo', 'flux-1-schnell', 'qwen-image-edit']);
});

t.test('images.edit uploads multipart and gets an edited PNG', async (t) => {
  const { client } = await startServer(t);
  const source = await sharp({ create: { width: 120, height: 80, channels: 3, background: '#36c' } }).png().toBuffer();
  const res = await client.images.edit({
    model: 'qwen-image-edit',
    image: await toFile(source, 'source.png', { type: 'image/png' }),
    prompt: 'add a moon',
    size: '512x512',
    response_format: 'b64_json',
  });
  const meta = await sharp(Buffer.from(res.data![0]!.b64_json!, 'base64')).metadata();
  t.same([meta.width, meta.height], [512, 512]);
});

/**
 * A polling loop as a client team would write it against the real Router:
 * submit, then poll honouring Retry-After, treating any non-terminal status as
 * in progress. Its "sleep" advances the emulator's manual clock over HTTP, so
 * the test walks the real timeline without waiting.
 */
t.test('submit and poll to completion with the SDK, honouring Retry-After', async (t) => {
  const app = await makeApp(t, { inProgressStatus: 'running', jobPendingMs: 4000 });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const client = new OpenAI({ baseURL: `${base}/v1`, apiKey: 'sk-sdk-async', maxRetries: 0 });
  const sleep = async (seconds: number) => {
    const res = await fetch(`${base}/_emulator/clock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ advanceMs: seconds * 1000 }),
    });
    t.equal(res.status, 200);
  };

  const { data: job, response } = await client
    .post<{ jobId: string; status: string; provider_address: string }>('/async/images/generations', {
      body: { model: 'z-image', prompt: 'async lighthouse', size: '256x256', n: 2, response_format: 'b64_json' },
    })
    .withResponse();
  t.equal(response.status, 202);
  t.equal(job.status, 'pending');
  let retryAfter = Number(response.headers.get('retry-after'));
  t.equal(retryAfter, 5);

  const seen: string[] = [];
  for (let attempt = 0; attempt < 10; attempt++) {
    await sleep(retryAfter || 2);
    const { data: status, response: pollResponse } = await client
      .get<{ status: string; data?: { data: { b64_json: string }[] }; x_0g_trace?: { billing: { total_cost: string } } }>(
        `/async/jobs/${job.jobId}`,
        { query: { provider_address: job.provider_address } },
      )
      .withResponse();
    seen.push(status.status);
    if (status.status === 'completed' || status.status === 'failed') {
      t.equal(status.status, 'completed');
      t.equal(status.data!.data.length, 2);
      const meta = await sharp(Buffer.from(status.data!.data[0]!.b64_json, 'base64')).metadata();
      t.same([meta.width, meta.height], [256, 256]);
      t.equal(status.x_0g_trace!.billing.total_cost, '6000000000000000');
      break;
    }
    retryAfter = Number(pollResponse.headers.get('retry-after'));
  }
  t.same(seen, ['running', 'completed'], 'polled at 5 s (still running) and 10 s (done at 5.9 s)');
});
