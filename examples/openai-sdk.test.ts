// A complete contract test a client team would write with the official OpenAI SDK
// and the emulator's test kit. Outside this repository, import from
// '0g-router-emulator' exactly as here (the package refers to itself by name).
import OpenAI from 'openai';
import t from 'tap';
import { startEmulator } from '0g-router-emulator';

const KEY = 'sk-team-a-worker-1';

t.test('our image client against the 0G Router contract', async (t) => {
  const emulator = await startEmulator({ inProgressStatus: 'mixed' });
  t.teardown(() => emulator.close());
  const client = new OpenAI({ baseURL: emulator.baseURL, apiKey: KEY, maxRetries: 0 });
  const { control } = emulator;

  t.test('sync generation is billed at the catalog price', async (t) => {
    const models = await client.models.list();
    const price = BigInt((models.data.find((m) => m.id === 'z-image') as unknown as { pricing: { image: string } }).pricing.image);
    const res = await client.images.generate({ model: 'z-image', prompt: 'a red bicycle', size: '512x512', response_format: 'b64_json' });
    const trace = (res as unknown as { x_0g_trace: { billing: { total_cost: string } } }).x_0g_trace;
    t.equal(trace.billing.total_cost, price.toString());
    const ledger = await control.ledger(KEY);
    t.equal(ledger.charges.at(-1)?.amount_neuron, price.toString());
  });

  t.test('a 429 surfaces as RateLimitError with Retry-After', async (t) => {
    await control.armFault({ fault: 'rate_limit_exceeded', match: { key: KEY }, times: 1 });
    const err = await client.images.generate({ model: 'z-image', prompt: 'x', response_format: 'b64_json' }).catch((e: unknown) => e);
    t.ok(err instanceof OpenAI.RateLimitError);
    t.equal((err as InstanceType<typeof OpenAI.RateLimitError>).headers?.get('retry-after'), '15');
  });

  t.test('a failed async job is reported, not billed', async (t) => {
    const job = await client.post<{ jobId: string; provider_address: string }>('/async/images/generations', {
      body: { model: 'z-image', prompt: 'doomed', response_format: 'b64_json' },
      headers: { 'X-Emulator-Fault': 'job_failed', 'X-Emulator-Error-Message': 'provider returned status 500: CUDA error' },
    });
    await control.advance(10_000);
    const status = await client.get<{ status: string; errorMessage?: string }>(`/async/jobs/${job.jobId}`, {
      query: { provider_address: job.provider_address },
    });
    t.same(status, { ...status, status: 'failed', errorMessage: 'provider returned status 500: CUDA error' });
    t.notOk((await control.ledger(KEY)).charges.some((c) => c.job_id === job.jobId));
  });

  t.test('the client never polled early', async (t) => {
    const report = await control.report(KEY);
    t.equal(report.early_polls!.count, 0);
  });
});
