import t from 'tap';
import { keyIdOf } from '../src/lib/ids.js';
import { renderPlaceholder } from '../src/render/placeholder.js';
import { AUTH, generate, generationBody, KEY, makeApp } from './helpers/app.js';
import { raw, serve } from './helpers/sockets.js';

t.test('a slow-loris client is cut off at HEADERS_TIMEOUT_MS with a 408 envelope', async (t) => {
  const server = await serve(t, { headersTimeoutMs: 300, requestTimeoutMs: 600 });
  const trickle = Array.from({ length: 30 }, (_, i) => ({ data: `X-Slow-${i}: ${i}\r\n`, afterMs: 100 }));
  const res = await raw(server.url, [{ data: 'POST /v1/images/generations HTTP/1.1\r\nHost: x\r\n' }, ...trickle]);
  t.match(res.text, /^HTTP\/1\.1 408 Request Timeout/);
  t.match(res.text, /"code":"request_timeout"/);
  t.ok(res.closedAfterMs < 2000, `closed after ${res.closedAfterMs} ms, before the trickle ended`);
  t.equal((await fetch(`${server.url}/healthz`)).status, 200, 'still serving');
});

t.test('header injection and oversize headers get envelopes from the HTTP parser stage', async (t) => {
  const server = await serve(t);
  const injected = await raw(server.url, [{ data: 'GET /v1/models HTTP/1.1\r\nHost: x\r\nX-Request-ID: a\rInjected: 1\r\n\r\n' }]);
  t.match(injected.text, /^HTTP\/1\.1 400 Bad Request/);
  t.match(injected.text, /"code":"bad_request"/);
  const huge = await raw(server.url, [{ data: `GET /v1/models HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sk-${'k'.repeat(20_000)}\r\n\r\n` }]);
  t.match(huge.text, /^HTTP\/1\.1 413/);
  t.match(huge.text, /"code":"request_too_large"/);
  t.equal((await fetch(`${server.url}/v1/models`)).status, 200, 'still serving');
});

t.test('a client that disconnects mid-request leaks nothing', async (t) => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const server = await serve(t, {}, {
    draw: async (p) => {
      if (p.prompt === 'hang') await gate;
      return renderPlaceholder(p);
    },
  });
  const controller = new AbortController();
  const pending = fetch(`${server.url}/v1/images/generations`, {
    method: 'POST',
    signal: controller.signal,
    headers: { ...AUTH, 'content-type': 'application/json' },
    body: JSON.stringify(generationBody({ prompt: 'hang' })),
  }).catch((e: Error) => e.name);
  // Abort once the render has started (it waits on the gate), then let it finish.
  while (server.app.services.renderer.stats().active === 0) await new Promise((r) => setTimeout(r, 5));
  controller.abort();
  t.equal(await pending, 'AbortError');
  release();
  for (let waitedMs = 0; server.app.services.renderer.stats().active > 0 && waitedMs < 5000; waitedMs += 5) await new Promise((r) => setTimeout(r, 5));
  const stats = server.app.services.renderer.stats();
  t.same([stats.active, stats.waiting], [0, 0], 'no render left in flight');
  const again = await fetch(`${server.url}/v1/images/generations`, {
    method: 'POST',
    headers: { ...AUTH, 'content-type': 'application/json' },
    body: JSON.stringify(generationBody()),
  });
  t.equal(again.status, 200);
});

t.test('a job whose submitter disconnected still completes and bills', async (t) => {
  const server = await serve(t, { clock: 'manual' });
  const controller = new AbortController();
  const submit = fetch(`${server.url}/v1/async/images/generations`, {
    method: 'POST',
    signal: controller.signal,
    headers: { ...AUTH, 'content-type': 'application/json', 'x-emulator-latency-ms': '150' },
    body: JSON.stringify(generationBody()),
  }).catch((e: Error) => e.name);
  await new Promise((r) => setTimeout(r, 30));
  controller.abort();
  t.equal(await submit, 'AbortError', 'the client gave up before the 202');
  await new Promise((r) => setTimeout(r, 300));
  const jobs = await server.app.services.jobs.list();
  t.equal(jobs.length, 1, 'the job was accepted anyway');
  await fetch(`${server.url}/_emulator/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"advanceMs":10000}' });
  t.equal((await server.app.services.state.jobs.get(jobs[0]!.id))?.outcome?.status, 'completed');
  t.equal((await server.app.services.ledger.store.get(keyIdOf(KEY)))!.chargeCount, 1, 'and billed');
});

t.test('one API key can never read another key’s jobs, ledger or journal', async (t) => {
  const app = await makeApp(t);
  const other = { authorization: 'Bearer sk-team-b' };
  const { jobId } = (await app.inject({ method: 'POST', url: '/v1/async/images/generations', headers: AUTH, payload: generationBody() })).json();
  await generate(app, generationBody({ prompt: 'team a secret prompt' }));
  const peek = await app.inject({ method: 'GET', url: `/v1/async/jobs/${jobId}`, headers: other });
  t.equal(peek.statusCode, 403);
  t.notMatch(peek.body, /lighthouse|b64_json/, 'a denied poll reveals nothing of the job');
  const ledgerB = (await app.inject({ method: 'GET', url: '/_emulator/ledger?key=sk-team-b' })).json();
  t.equal(ledgerB.charge_count, 0);
  const journalB = (await app.inject({ method: 'GET', url: '/_emulator/requests?key=sk-team-b' })).json();
  t.notMatch(JSON.stringify(journalB), /team a secret prompt/);
  t.equal(journalB.data.length, 1, 'only its own denied poll');
});
