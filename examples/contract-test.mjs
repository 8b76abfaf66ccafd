// An example contract test a client team would write against the 0G Router,
// run against the emulator. Plain fetch, no dependencies: `node contract-test.mjs`
// with EMULATOR_URL set (default http://localhost:8080).
// When the emulator runs with CLOCK=manual, "waiting" advances its clock instead
// of sleeping, so the same test runs in milliseconds in CI.
import assert from 'node:assert/strict';

const base = process.env.EMULATOR_URL ?? 'http://localhost:8080';
const headers = { authorization: 'Bearer sk-example-contract-test', 'content-type': 'application/json' };
const manualClock = (await (await fetch(`${base}/_emulator/clock`)).json()).mode === 'manual';

async function wait(seconds) {
  if (manualClock) {
    const res = await fetch(`${base}/_emulator/clock`, { method: 'POST', headers, body: JSON.stringify({ advanceMs: seconds * 1000 }) });
    assert.equal(res.status, 200);
  } else {
    await new Promise((r) => setTimeout(r, seconds * 1000));
  }
}

async function check(name, fn) {
  await fn();
  console.log(`ok - ${name}`);
}

let price;
await check('the catalog lists z-image with a per-image price', async () => {
  const models = await (await fetch(`${base}/v1/models`)).json();
  const model = models.data.find((m) => m.id === 'z-image');
  assert.ok(model, 'z-image is listed');
  price = BigInt(model.pricing.image);
  assert.ok(price > 0n);
});

await check('sync generation returns a PNG and bills the catalog price', async () => {
  const res = await fetch(`${base}/v1/images/generations`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ model: 'z-image', prompt: 'contract test', size: '256x256', n: 2, response_format: 'b64_json' }),
  });
  assert.equal(res.status, 200);
  const body = await res.json();
  const png = Buffer.from(body.data[0].b64_json, 'base64');
  assert.equal(png.subarray(1, 4).toString(), 'PNG');
  assert.equal(png.readUInt32BE(16), 256, 'width');
  assert.equal(body.x_0g_trace.billing.total_cost, (price * 2n).toString());
  assert.equal(body.x_0g_trace.request_id, res.headers.get('x-request-id'));
});

await check('response_format "url" is refused in the Router error envelope', async () => {
  const res = await fetch(`${base}/v1/images/generations`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ model: 'z-image', prompt: 'x', response_format: 'url' }),
  });
  assert.equal(res.status, 400);
  const body = await res.json();
  assert.equal(body.error.code, 'invalid_body');
  assert.equal(body.error.type, 'invalid_request_error');
  assert.ok(body.request_id);
});

await check('an async job completes when polled honouring Retry-After', async () => {
  const submit = await fetch(`${base}/v1/async/images/generations`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ model: 'z-image', prompt: 'async contract test', size: '256x256', response_format: 'b64_json' }),
  });
  assert.equal(submit.status, 202);
  const job = await submit.json();
  assert.match(job.jobId, /^[0-9a-f]{32}$/);
  let retryAfter = Number(submit.headers.get('retry-after') ?? 2);
  for (let attempt = 0; attempt < 20; attempt++) {
    await wait(retryAfter || 2);
    const poll = await fetch(`${base}/v1/async/jobs/${job.jobId}?provider_address=${job.provider_address}`, { headers });
    assert.equal(poll.status, 200);
    const status = await poll.json();
    if (status.status === 'completed') {
      assert.equal(status.data.data.length, 1);
      assert.equal(status.x_0g_trace.billing.total_cost, price.toString());
      return;
    }
    assert.notEqual(status.status, 'failed', status.errorMessage);
    retryAfter = Number(poll.headers.get('retry-after') ?? 2);
  }
  assert.fail('the job did not complete');
});

console.log('all checks passed');
