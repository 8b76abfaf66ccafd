import t from 'tap';
import type { App } from '../src/app.js';
import { AURORA, AUTH, BOREALIS, CIRRUS, decodePng, generate, generationBody, eventually, KEY, makeApp } from './helpers/app.js';
import { keyIdOf } from '../src/lib/ids.js';

const submit = (app: App, body: unknown = generationBody(), headers: Record<string, string> = AUTH) =>
  app.inject({ method: 'POST', url: '/v1/async/images/generations', headers, payload: body as object });

const poll = (app: App, jobId: string, query = '', headers: Record<string, string> = AUTH) =>
  app.inject({ method: 'GET', url: `/v1/async/jobs/${jobId}${query}`, headers });

t.test('a job walks pending → processing → completed on the manual clock', async (t) => {
  const app = await makeApp(t);
  const created = app.clock.nowMs();
  const res = await submit(app, generationBody({ n: 2 }), { ...AUTH, 'x-request-id': 'submit-1' });
  t.equal(res.statusCode, 202);
  t.equal(res.headers['retry-after'], '5');
  t.equal(res.headers['x-request-id'], 'submit-1');
  const { jobId, status, provider_address } = res.json();
  t.match(jobId, /^[0-9a-f]{32}$/);
  t.same({ status, provider_address }, { status: 'pending', provider_address: AURORA });
  const q = `?provider_address=${AURORA}`;

  const pending = await poll(app, jobId, q);
  t.equal(pending.statusCode, 200);
  t.equal(pending.headers['retry-after'], '5');
  t.same(pending.json(), {
    jobId,
    status: 'pending',
    createdAt: new Date(created).toISOString(),
    updatedAt: new Date(created).toISOString(),
  });

  app.clock.advance(1000);
  const processing = await poll(app, jobId, q);
  t.same(processing.json(), {
    jobId,
    status: 'processing',
    createdAt: new Date(created).toISOString(),
    updatedAt: new Date(created + 1000).toISOString(),
  });
  t.equal(processing.headers['retry-after'], '5');

  // Aurora: 900 ms latency + 2 images x 500 ms.
  app.clock.advance(1899);
  t.equal((await poll(app, jobId, q)).json().status, 'processing', 'one ms before completion');
  app.clock.advance(1);
  const done = await poll(app, jobId, q);
  t.equal(done.statusCode, 200);
  t.equal(done.headers['retry-after'], undefined, 'no Retry-After once terminal');
  t.match(done.headers['zg-res-key'], /^[0-9a-f-]{36}$/);
  const body = done.json();
  t.equal(body.status, 'completed');
  t.equal(body.updatedAt, new Date(created + 2900).toISOString());
  t.notOk('errorMessage' in body);
  const traceId = `async-0xa11ce0-${jobId}`;
  t.same(body.x_0g_trace, {
    request_id: traceId,
    provider: AURORA,
    billing: { input_cost: '0', output_cost: '6000000000000000', total_cost: '6000000000000000' },
  });
  t.equal(body.data.created, Math.floor((created + 2900) / 1000));
  t.equal(body.data.data.length, 2);
  for (const item of body.data.data) {
    const img = await decodePng(item.b64_json);
    t.same([img.width, img.height], [256, 256]);
    t.same(img.text, { request_id: traceId, job_id: jobId, provider_address: AURORA });
  }
  const again = await poll(app, jobId, q);
  t.same(again.json().x_0g_trace, body.x_0g_trace, 'every later poll reports the same booked charge');
  t.equal(again.headers['zg-res-key'], done.headers['zg-res-key']);
});

t.test('each job settles at its own completion time, before the periodic pass would find it', async (t) => {
  const app = await makeApp(t);
  const keyId = keyIdOf(KEY);
  const booked = async () => (await app.services.ledger.store.get(keyId))?.chargeCount ?? 0;
  // Completion 2.4 s after submit (n=1), then 3.4 s (n=3); the periodic pass runs on whole seconds.
  const first = (await submit(app, generationBody())).json().jobId;
  const second = (await submit(app, generationBody({ n: 3 }))).json().jobId;
  app.clock.advance(2401);
  await eventually(async () => (await booked()) === 1);
  t.equal((await app.services.ledger.store.get(keyId))!.recent[0]!.jobId, first, 'the first job, on its own wake-up');
  app.clock.advance(1000);
  await eventually(async () => (await booked()) === 2);
  t.equal((await app.services.ledger.store.get(keyId))!.recent[1]!.jobId, second, 'then the next, on the wake-up its pass armed');
});

t.test('billing happens once, at completion, whether or not anyone polls', async (t) => {
  const app = await makeApp(t);
  const keyId = keyIdOf(KEY);
  const submittedMs = app.clock.nowMs();
  const { jobId } = (await submit(app, generationBody({ n: 3 }))).json();
  app.clock.advance(999);
  t.equal((await app.services.ledger.store.get(keyId))!.chargeCount, 0, 'nothing booked while running');
  app.clock.advance(60_000);
  // The job's wake-up settles it in the background, in the store.
  await eventually(async () => (await app.services.ledger.store.get(keyId))!.chargeCount > 0);
  const account = (await app.services.ledger.store.get(keyId))!;
  t.equal(account.chargeCount, 1, 'booked without a poll');
  t.equal(account.spent, 9_000_000_000_000_000n);
  // 1 s pending, then Aurora's 900 ms latency + 3 images x 500 ms.
  t.match(account.recent[0], { jobId, requestId: `async-0xa11ce0-${jobId}`, images: 3, atMs: submittedMs + 3400 });
  await poll(app, jobId);
  await poll(app, jobId);
  t.equal((await app.services.ledger.store.get(keyId))!.chargeCount, 1, 'polls never book again');
  await generate(app, generationBody());
  t.equal((await app.services.ledger.store.get(keyId))!.chargeCount, 2, 'sync requests book on success');
});

t.test('a job whose provider goes down fails with errorMessage and costs nothing', async (t) => {
  const app = await makeApp(t);
  const { jobId } = (await submit(app)).json();
  app.clock.advance(1200);
  app.services.health.set(AURORA, false, app.clock.nowMs());
  app.clock.advance(10_000);
  const res = await poll(app, jobId);
  t.equal(res.statusCode, 200);
  t.same(Object.keys(res.json()).sort(), ['createdAt', 'errorMessage', 'jobId', 'status', 'updatedAt']);
  t.match(res.json(), { status: 'failed', errorMessage: /provider request failed/ });
  t.equal(res.headers['retry-after'], undefined);
  t.match((await app.services.ledger.store.get(keyIdOf(KEY))), { chargeCount: 0, spent: 0n }, 'failed jobs are not billed');
});

t.test('finished jobs expire after JOB_TTL_S; live jobs are never evicted', async (t) => {
  const app = await makeApp(t, { jobTtlS: 60, jobSweepIntervalS: 10, jobPendingMs: 100_000 });
  const slow = (await submit(app)).json().jobId;
  const fast = (await submit(app, generationBody({ provider: { address: CIRRUS, allow_fallbacks: false } }))).json().jobId;
  t.equal(await app.services.jobs.liveCount(), 2);
  // Both jobs wait 100 s pending; Cirrus then takes 1.1 s, Aurora 1.4 s.
  app.clock.advance(101_100 + 60_000);
  t.equal((await poll(app, fast)).json().status, 'completed', 'retained for exactly the TTL');
  app.clock.advance(15_000);
  const gone = await poll(app, fast);
  t.equal(gone.statusCode, 404);
  t.equal(gone.json().error.code, 'async_job_not_found');
  t.equal((await poll(app, slow)).statusCode, 404);
  t.equal(await app.services.jobs.liveCount(), 0);

  const forgotten = (await submit(app)).json().jobId;
  app.clock.advance(200_000);
  await eventually(async () => !(await app.services.state.jobs.get(forgotten)));
  t.notOk((await app.services.state.jobs.list()).some((j) => j.id === forgotten), 'the sweep removed it unpolled');

  const live = await makeApp(t, { jobTtlS: 1, jobPendingMs: 10_000_000 });
  const id = (await submit(live)).json().jobId;
  live.clock.advance(5_000_000);
  t.equal((await poll(live, id)).json().status, 'pending', 'a live job outlives any TTL');
});

t.test('poll errors: unknown, wrong pin, another key, malformed, strict profile', async (t) => {
  const app = await makeApp(t);
  const { jobId } = (await submit(app)).json();
  const cases: [string, string, Record<string, string>, number, string][] = [
    ['0'.repeat(32), '', AUTH, 404, 'async_job_not_found'],
    [jobId, `?provider_address=${BOREALIS}`, AUTH, 404, 'async_job_not_found'],
    [jobId, '', { authorization: 'Bearer sk-another-team' }, 403, 'access_denied'],
    [jobId.toUpperCase(), '', AUTH, 400, 'bad_request'],
    ['../../etc/passwd', '', AUTH, 404, 'route_not_found'],
    [jobId.slice(1), '', AUTH, 400, 'bad_request'],
    [jobId, '?provider_address=0xzz', AUTH, 400, 'bad_request'],
    [jobId, '', {}, 401, 'missing_authorization'],
  ];
  for (const [id, query, headers, status, code] of cases) {
    const res = await poll(app, id, query, headers);
    t.equal(res.statusCode, status, `${id.slice(0, 12)} ${query}`);
    t.equal(res.json().error.code, code);
  }
  const denied = await poll(app, jobId, '', { authorization: 'Bearer sk-another-team' });
  t.equal(denied.json().error.type, 'permission_error');
  t.equal((await poll(app, jobId, `?provider_address=${AURORA.toUpperCase().replace('0X', '0x')}`)).statusCode, 200, 'pins compare without case');

  const strict = await makeApp(t, { profile: 'strict' });
  const strictJob = (await submit(strict)).json();
  const missing = await poll(strict, strictJob.jobId);
  t.equal(missing.statusCode, 400);
  t.match(missing.json().error.message, /provider_address is required/);
  t.equal((await poll(strict, strictJob.jobId, `?provider_address=${strictJob.provider_address}`)).statusCode, 200);
});

t.test('submit shares the sync validation and routing', async (t) => {
  const app = await makeApp(t);
  t.equal((await submit(app, generationBody({ n: 0 }))).json().error.code, 'invalid_body');
  t.equal((await submit(app, generationBody({ model: 'nope' }))).statusCode, 404);
  t.equal((await submit(app, generationBody({ response_format: 'url' }))).statusCode, 400);
  t.equal((await submit(app, generationBody(), {})).statusCode, 401);
  const pinned = await submit(app, generationBody({ provider: { address: BOREALIS } }));
  t.equal(pinned.json().provider_address, BOREALIS);
  const received = app.services.provider(BOREALIS).received.at(-1)!;
  t.notOk('provider' in received.body, 'extension fields stripped on async submit too');
});

t.test('past MAX_LIVE_JOBS, submits get 502 queue full with Retry-After', async (t) => {
  const app = await makeApp(t, { maxLiveJobs: 2 });
  t.equal((await submit(app)).statusCode, 202);
  t.equal((await submit(app)).statusCode, 202);
  const full = await submit(app);
  t.equal(full.statusCode, 502);
  t.equal(full.headers['retry-after'], '5');
  t.match(full.json().error, { code: 'provider_error', type: 'server_error', message: 'async job queue is full, please try again later' });
  app.clock.advance(10_000);
  t.equal((await submit(app)).statusCode, 202, 'finished jobs free their slots');
});

t.test('the in-progress word is configurable', async (t) => {
  const running = await makeApp(t, { inProgressStatus: 'running', jobPendingMs: 0 });
  const id = (await submit(running)).json().jobId;
  t.equal((await poll(running, id)).json().status, 'running');

  const words = async () => {
    const app = await makeApp(t, { inProgressStatus: 'mixed', jobPendingMs: 0, jobTimeScale: 1000 });
    const jobId = (await submit(app)).json().jobId;
    const seen: string[] = [];
    for (let i = 0; i < 24; i++) seen.push((await poll(app, jobId)).json().status);
    return { seen, jobId };
  };
  const first = await words();
  t.same(new Set(first.seen), new Set(['processing', 'running']), 'mixed uses both words');
});

t.test('JOB_TIME_SCALE=0 finishes jobs at once', async (t) => {
  const app = await makeApp(t, { jobTimeScale: 0 });
  const { jobId } = (await submit(app)).json();
  t.equal((await poll(app, jobId)).json().status, 'completed');
});

t.test('URL_RESPONSES=serve: completed jobs link to served PNGs', async (t) => {
  const app = await makeApp(t, { urlResponses: 'serve' });
  const { jobId } = (await submit(app, generationBody({ response_format: 'url' }))).json();
  app.clock.advance(5000);
  const url: string = (await poll(app, jobId)).json().data.data[0].url;
  t.match(url, new RegExp(`/v1/proxy/images/${jobId}-[0-9a-f]{32}/0$`), 'the job id plus a signature');
  const png = await app.inject({ method: 'GET', url: new URL(url).pathname });
  t.equal(png.statusCode, 200);
  const img = await decodePng(png.rawPayload.toString('base64'));
  t.equal(img.text.job_id, jobId);
});

t.test('a retained job holds parameters, not pixels, whatever its size and n', async (t) => {
  const app = await makeApp(t);
  const { jobId } = (await submit(app, generationBody({ n: 10, size: '2048x2048' }))).json();
  app.clock.advance(60_000);
  const res = await poll(app, jobId);
  t.equal(res.json().data.data.length, 10);
  const job = (await app.services.jobs.find(jobId))!;
  const serialised = JSON.stringify(job, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
  t.ok(serialised.length < 1500, `job record is ${serialised.length} bytes`);
  t.notOk(Object.values(job).some((v) => Buffer.isBuffer(v)));
});

t.test('thousands of jobs with concurrent polls: none lost, every image right', async (t) => {
  const app = await makeApp(t, { renderCacheMb: 8, maxLiveJobs: 5000, rateLimitRpm: 0 });
  const total = 2000;
  const submitted: { jobId: string; n: number; size: string }[] = [];
  const terminal = new Map<string, string>();
  const pollAll = async () => {
    const open = submitted.filter((s) => !terminal.has(s.jobId));
    await Promise.all(
      open.map(async ({ jobId }) => {
        const body = (await poll(app, jobId)).json();
        if (body.status === 'completed' || body.status === 'failed') terminal.set(jobId, JSON.stringify(body));
      }),
    );
  };
  for (let batch = 0; batch < total / 200; batch++) {
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => {
        const k = batch * 200 + i;
        const n = 1 + (k % 2);
        const size = k % 3 === 0 ? '64x64' : '96x64';
        return submit(app, generationBody({ prompt: `job ${k}`, n, size })).then((r) => ({ r, n, size }));
      }),
    );
    for (const { r, n, size } of results) {
      t.equal(r.statusCode, 202);
      submitted.push({ jobId: r.json().jobId, n, size });
    }
    app.clock.advance(700);
    await pollAll();
  }
  for (let round = 0; round < 10 && terminal.size < total; round++) {
    app.clock.advance(1000);
    await pollAll();
  }
  t.equal(terminal.size, total, 'every accepted job reached a terminal state');
  let imagesChecked = 0;
  for (const { jobId, n, size } of submitted) {
    const body = JSON.parse(terminal.get(jobId)!);
    if (body.status !== 'completed' || body.data.data.length !== n) {
      t.fail(`job ${jobId} ended ${body.status} with ${body.data?.data.length} images`);
      continue;
    }
    for (const item of body.data.data) {
      const png = Buffer.from(item.b64_json, 'base64');
      const dims = `${png.readUInt32BE(16)}x${png.readUInt32BE(20)}`;
      if (dims !== size || !png.includes(Buffer.from(`job_id\0${jobId}`))) t.fail(`job ${jobId}: wrong image`);
      imagesChecked++;
    }
  }
  t.equal(imagesChecked, total * 1.5);
  t.equal(await app.services.jobs.liveCount(), 0);
});
