import sharp from 'sharp';
import t from 'tap';
import type { App } from '../src/app.js';
import { keyIdOf } from '../src/lib/ids.js';
import { AURORA, AUTH, generate, generationBody, KEY, makeApp } from './helpers/app.js';

const OTHER = 'sk-other-key';
const submit = (app: App, key = KEY, headers: Record<string, string> = {}, body = generationBody()) =>
  app.inject({ method: 'POST', url: '/v1/async/images/generations', headers: { authorization: `Bearer ${key}`, ...headers }, payload: body });
const get = (app: App, url: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url, headers });

t.test('GET /_emulator/jobs: newest first, per key id, with transitions on the emulator clock and the booked charge', async (t) => {
  const app = await makeApp(t);
  const first = (await submit(app, KEY, {}, generationBody({ n: 2 }))).json();
  app.clock.advance(100);
  const second = (await submit(app, OTHER)).json();
  const all = (await get(app, '/_emulator/jobs')).json();
  t.equal(all.total, 2);
  t.same(all.data.map((j: { id: string }) => j.id), [second.jobId, first.jobId], 'newest first');
  t.match(all.data[1], { key_id: keyIdOf(KEY), model: 'z-image', provider: AURORA, size: '256x256', n: 2, status: 'pending', prompt: 'a lighthouse at dusk' });
  t.same(all.data[1].timeline, [{ status: 'pending', at: '2026-11-24T12:00:00.000Z' }]);
  t.notOk(JSON.stringify(all).includes(KEY), 'never a key');

  const mine = (await get(app, `/_emulator/jobs?key_id=${keyIdOf(KEY)}`)).json();
  t.same(mine.data.map((j: { id: string }) => j.id), [first.jobId]);

  app.clock.advance(1000);
  const processing = (await get(app, `/_emulator/jobs?key_id=${keyIdOf(KEY)}`)).json().data[0];
  t.equal(processing.status, 'processing');
  t.same(processing.timeline.map((s: { status: string }) => s.status), ['pending', 'processing']);
  t.equal(processing.timeline[1].at, '2026-11-24T12:00:01.000Z');
  t.notOk(processing.charge);

  app.clock.advance(10_000);
  const done = (await get(app, `/_emulator/jobs?key_id=${keyIdOf(KEY)}`)).json().data[0];
  // Aurora: 900 ms latency + 500 ms per image x 2 after 1 s pending.
  t.same(done.timeline, [
    { status: 'pending', at: '2026-11-24T12:00:00.000Z' },
    { status: 'processing', at: '2026-11-24T12:00:01.000Z' },
    { status: 'completed', at: '2026-11-24T12:00:02.900Z' },
  ]);
  t.same(done.charge, { amount: '6000000000000000', currency: '0g' });
  t.equal((await get(app, '/_emulator/jobs?limit=1')).json().data.length, 1);
  t.equal((await get(app, '/_emulator/jobs?key_id=sk-not-an-id')).statusCode, 400, 'key ids only');
});

t.test('a failed job shows its error and no charge', async (t) => {
  const app = await makeApp(t);
  await submit(app, KEY, { 'x-emulator-fault': 'job_failed' });
  app.clock.advance(60_000);
  const job = (await get(app, '/_emulator/jobs')).json().data[0];
  t.equal(job.status, 'failed');
  t.type(job.error_message, 'string');
  t.notOk(job.charge);
});

t.test('GET /_emulator/jobs/:id/images/:i: the PNG of a completed job, or a 160 px thumbnail', async (t) => {
  const app = await makeApp(t);
  const { jobId } = (await submit(app, KEY, {}, generationBody({ size: '512x512' }))).json();
  const early = await get(app, `/_emulator/jobs/${jobId}/images/0`);
  t.equal(early.statusCode, 404, 'not before completion');
  t.equal(early.json().error.code, 'image_not_found');
  app.clock.advance(10_000);
  const full = await get(app, `/_emulator/jobs/${jobId}/images/0`);
  t.equal(full.headers['content-type'], 'image/png');
  t.match(await sharp(full.rawPayload).metadata(), { width: 512, height: 512 });
  const thumb = await get(app, `/_emulator/jobs/${jobId}/images/0?thumb=1`);
  t.match(await sharp(thumb.rawPayload).metadata(), { width: 160, height: 160 });
  t.equal((await get(app, `/_emulator/jobs/${jobId}/images/1`)).statusCode, 404, 'only n images');
  t.equal((await get(app, `/_emulator/jobs/${'0'.repeat(32)}/images/0`)).statusCode, 404);
  t.equal((await get(app, `/_emulator/jobs/nope/images/0`)).statusCode, 400);
});

t.test('GET /_emulator/snapshot: clock, jobs, journal without polls (with the serving provider), accounts with findings, rules, providers', async (t) => {
  const app = await makeApp(t);
  await generate(app, generationBody());
  const { jobId } = (await submit(app)).json();
  await get(app, `/v1/async/jobs/${jobId}`, AUTH);
  await app.inject({ method: 'POST', url: '/_emulator/faults', payload: { fault: 'internal_error', times: 2 } });
  const snap = (await get(app, '/_emulator/snapshot')).json();
  t.match(snap.clock, { mode: 'manual', now: '2026-11-24T12:00:00.000Z' });
  t.same(snap.key_ids, [keyIdOf(KEY)]);
  t.equal(snap.live_jobs, 1);
  t.equal(snap.jobs.data[0].id, jobId);
  t.same(
    snap.requests.data.map((r: { route: string }) => r.route),
    ['/v1/async/images/generations', '/v1/images/generations'],
    'newest first, polls left to their job',
  );
  t.equal(snap.requests.data[1].provider, AURORA);
  t.match(snap.accounts.data[0], { key_id: keyIdOf(KEY), currency: '0g', charge_count: 1, findings: { early_polls: 1, retried_submits: 0 } });
  t.match(snap.faults, [{ code: 'internal_error', fired: 0, remaining: 2 }]);
  t.equal(snap.providers.length, 4);
  t.match(snap.providers.find((p: { address: string }) => p.address === AURORA), { name: 'Aurora Compute', healthy: true });
  t.notOk(JSON.stringify(snap).includes(KEY), 'never a key');
});

t.test('reset by key id (what the console knows) forgets only that key, revocation included', async (t) => {
  const app = await makeApp(t);
  await submit(app);
  await submit(app, OTHER);
  await app.inject({ method: 'POST', url: '/_emulator/accounts', payload: { key: KEY, action: 'revoke' } });
  t.equal((await generate(app, generationBody())).statusCode, 401);
  const res = await app.inject({ method: 'POST', url: '/_emulator/reset', payload: { key_id: keyIdOf(KEY) } });
  t.same(res.json(), { reset: keyIdOf(KEY) });
  t.same((await get(app, '/_emulator/jobs')).json().data.map((j: { key_id: string }) => j.key_id), [keyIdOf(OTHER)]);
  t.equal((await generate(app, generationBody())).statusCode, 200, 'revocation lifted');
  const both = await app.inject({ method: 'POST', url: '/_emulator/reset', payload: { key: KEY, key_id: keyIdOf(KEY) } });
  t.equal(both.statusCode, 400);
  t.equal((await app.inject({ method: 'POST', url: '/_emulator/reset', payload: { key_id: 'sk-raw' } })).statusCode, 400);
});

t.test('a fault rule can match a key id', async (t) => {
  const app = await makeApp(t);
  const armed = await app.inject({ method: 'POST', url: '/_emulator/faults', payload: { fault: 'rate_limit_exceeded', match: { key_id: keyIdOf(KEY) } } });
  t.equal(armed.statusCode, 201);
  t.equal((await generate(app, generationBody(), { authorization: `Bearer ${OTHER}` })).statusCode, 200);
  t.equal((await generate(app, generationBody())).statusCode, 429);
  const both = await app.inject({ method: 'POST', url: '/_emulator/faults', payload: { fault: 'internal_error', match: { key: KEY, key_id: keyIdOf(KEY) } } });
  t.equal(both.statusCode, 400);
});

t.test('with EMULATOR_ADMIN_TOKEN every data route refuses a request without it; the page itself carries no data', async (t) => {
  const app = await makeApp(t, { adminToken: 'console-secret' });
  const { jobId } = (await submit(app)).json();
  app.clock.advance(10_000);
  for (const url of ['/_emulator/jobs', '/_emulator/snapshot', '/_emulator/events', `/_emulator/jobs/${jobId}/images/0`, '/_emulator/faults/catalog']) {
    const refused = await get(app, url);
    t.equal(refused.statusCode, 401, url);
    t.equal(refused.json().error.code, 'admin_token_required', url);
    t.equal((await get(app, url, { authorization: 'Bearer wrong-secret!' })).statusCode, 401, `${url}: wrong token`);
  }
  t.equal((await get(app, '/_emulator/jobs', { authorization: 'Bearer console-secret' })).statusCode, 200);
  t.equal((await get(app, `/_emulator/jobs/${jobId}/images/0`, { 'x-emulator-admin-token': 'console-secret' })).statusCode, 200);
  const page = await get(app, '/_emulator/ui');
  t.equal(page.statusCode, 200);
  t.match(page.body, 'data-admin-token="required"');
  t.notOk(page.body.includes('console-secret'));
});

t.test('the page, its assets and a favicon are served by the emulator, with a strict CSP', async (t) => {
  const app = await makeApp(t);
  const page = await get(app, '/_emulator/ui');
  t.equal(page.headers['content-type'], 'text/html; charset=utf-8');
  t.match(page.headers['content-security-policy'], "default-src 'none'");
  t.match(page.headers['content-security-policy'], "connect-src 'self'");
  t.match(page.body, 'data-admin-token="none"');
  for (const src of page.body.matchAll(/(?:src|href)="([^"]+)"/g)) {
    const res = await get(app, src[1]!);
    t.equal(res.statusCode, 200, src[1]!);
    t.ok(res.rawPayload.length > 100, `${src[1]} has content`);
  }
  t.notOk(/https?:\/\//.test((await get(app, '/_emulator/ui/console.js')).body.replace(/http:\/\/www\.w3\.org\/[0-9/a-z]+/g, '')), 'no CDN or remote URL in the bundle');
  t.equal((await get(app, '/favicon.ico')).headers['content-type'], 'image/svg+xml');
  const unknown = await get(app, '/_emulator/ui/secrets.txt');
  t.equal(unknown.statusCode, 404);
  t.equal(unknown.json().error.code, 'route_not_found');
});
