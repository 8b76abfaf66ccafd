import { execFileSync, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { loadSettings } from '../src/config-file.js';
import { ConfigError, loadConfig } from '../src/config.js';
import { ManualClock, MAX_TIMER_MS, systemClock } from '../src/lib/clock.js';
import { keyIdOf } from '../src/lib/ids.js';
import { AUTH, generationBody, KEY, makeApp } from './helpers/app.js';

const SERVER = fileURLToPath(new URL('../dist/bundle/server.js', import.meta.url));

t.test('periodic work collapses across a jump; one-shot timers keep their order', async (t) => {
  const clock = new ManualClock(0);
  const fired: string[] = [];
  clock.every(30, () => fired.push(`sweep@${clock.nowMs()}`));
  clock.schedule(100, () => fired.push(`job@${clock.nowMs()}`));
  clock.set(1000);
  t.same(fired, ['sweep@90', 'job@100', 'sweep@990'], 'the sweep runs at its last tick before each event, not 33 times');
  fired.length = 0;
  clock.advance(30);
  t.same(fired, ['sweep@1020']);
});

t.test('the manual clock jumps to the year 9999 in O(due timers), and refuses what cannot be a time', async (t) => {
  const app = await makeApp(t, { jobTtlS: 60 });
  let sweeps = 0;
  const sweep = app.services.jobs.sweep.bind(app.services.jobs);
  app.services.jobs.sweep = () => (sweeps++, sweep());
  const submitted = await app.inject({ method: 'POST', url: '/v1/async/images/generations', headers: AUTH, payload: generationBody() });
  const move = (body: unknown) => app.inject({ method: 'POST', url: '/_emulator/clock', payload: body as object });

  const far = await move({ setTo: '9999-12-31T23:59:59Z' });
  t.equal(far.statusCode, 200);
  t.equal(far.json().now, '9999-12-31T23:59:59.000Z');
  t.ok(sweeps <= 3, `the 30 s sweep ran ${sweeps} times over ~8,000 years`);
  t.equal(await app.services.jobs.find(submitted.json().jobId), undefined, 'the job completed, then expired and was swept');
  t.equal((await app.services.ledger.store.get(keyIdOf(KEY)))?.chargeCount, 1, 'and billed once on the way');
  t.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);

  const cases: [unknown, RegExp][] = [
    [{ advanceMs: 1e16 }, /400/],
    [{ advanceMs: 1000 }, /past 9999-12-31T23:59:59\.999Z/],
    [{ advanceMs: -1 }, /advanceMs/],
    [{ advanceMs: 'NaN' }, /advanceMs/],
    [{ setTo: '2026-01-01T00:00:00Z' }, /never goes backwards/],
    [{ setTo: 'tomorrow' }, /setTo/],
  ];
  for (const [body, message] of cases) {
    const res = await move(body);
    t.equal(res.statusCode, 400, JSON.stringify(body));
    t.match(`${res.statusCode} ${res.json().error.message}`, message, JSON.stringify(body));
  }
});

t.test('a leap second or an absurd advance is a 400, never a 500', async (t) => {
  const app = await makeApp(t);
  const leap = await app.inject({ method: 'POST', url: '/_emulator/clock', payload: { setTo: '2026-12-31T23:59:60Z' } });
  t.equal(leap.statusCode, 400);
  t.match(leap.json().error.message, /leap seconds/);
  const huge = await app.inject({ method: 'POST', url: '/_emulator/clock', payload: { advanceMs: 1e16 } });
  t.equal(huge.statusCode, 400);
  t.ok(huge.json().request_id);
});

t.test('durations in fault rules, headers and outages are bounded by what they can mean', async (t) => {
  const app = await makeApp(t);
  const arm = (body: object) => app.inject({ method: 'POST', url: '/_emulator/faults', payload: body });
  t.equal((await arm({ fault: 'job_slow', processingMs: 1e300 })).statusCode, 400, 'processingMs 1e300');
  t.equal((await arm({ fault: 'job_slow', processingMs: 86_400_001 })).statusCode, 400, 'over a day');
  t.equal((await arm({ fault: 'job_slow', processingMs: 86_400_000, times: 1 })).statusCode, 201, 'a day is fine');
  const { jobId } = (await app.inject({ method: 'POST', url: '/v1/async/images/generations', headers: AUTH, payload: generationBody() })).json();
  const poll = await app.inject({ method: 'GET', url: `/v1/async/jobs/${jobId}`, headers: AUTH });
  t.equal(poll.statusCode, 200, 'a slow job polls fine');
  const outage = await app.inject({
    method: 'POST',
    url: '/_emulator/providers/health',
    payload: { address: '0xa11ce0000000000000000000000000000000a001', healthy: false, inMs: MAX_TIMER_MS + 1 },
  });
  t.equal(outage.statusCode, 400, 'an outage beyond what a timer can wait');
  const header = await app.inject({
    method: 'POST',
    url: '/v1/async/images/generations',
    headers: { ...AUTH, 'x-emulator-fault': 'job_slow', 'x-emulator-processing-ms': '999999999' },
    payload: generationBody(),
  });
  t.equal(header.statusCode, 400);
});

t.test('a system-clock timer longer than 2^31-1 ms waits instead of firing at once', async (t) => {
  let fired = false;
  const timer = systemClock.schedule(MAX_TIMER_MS + 10_000, () => (fired = true));
  await new Promise((r) => setTimeout(r, 30));
  t.equal(fired, false);
  timer.cancel();
});

t.test('settings: plain decimals only, bounded durations, and combinations Node would refuse', async (t) => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ PORT: '0x4b68' }, /PORT="0x4b68" is invalid/],
    [{ PORT: '8e3' }, /PORT="8e3" is invalid/],
    [{ USD_PER_0G: 'Infinity' }, /USD_PER_0G="Infinity" is invalid/],
    [{ JOB_PENDING_MS: '2147483648' }, /JOB_PENDING_MS="2147483648" is invalid: expected an integer >= 0 and <= 2147483647/],
    [{ SHUTDOWN_GRACE_MS: '1e300' }, /SHUTDOWN_GRACE_MS/],
    [{ JOB_SWEEP_INTERVAL_S: '3000000' }, /JOB_SWEEP_INTERVAL_S/],
    [{ HEADERS_TIMEOUT_MS: '20000', REQUEST_TIMEOUT_MS: '10000' }, /HEADERS_TIMEOUT_MS \(20000\) must not exceed REQUEST_TIMEOUT_MS \(10000\)/],
  ];
  for (const [env, message] of cases) t.throws(() => loadConfig(env), message, JSON.stringify(env));
  t.equal(loadConfig({ USD_PER_0G: '2.5', PORT: '8081' }).port, 8081, 'plain decimals still work');
});

t.test('EMULATOR_CONFIG naming a FIFO fails at once instead of blocking start', async (t) => {
  const fifo = join(tmpdir(), `emulator-fifo-${process.pid}`);
  execFileSync('mkfifo', [fifo]);
  t.teardown(() => rmSync(fifo, { force: true }));
  t.throws(() => loadSettings({ EMULATOR_CONFIG: fifo }), ConfigError);
  t.throws(() => loadSettings({ EMULATOR_CONFIG: fifo }), /not a regular file/);
});

t.test('--check-config rejects what start would reject', async (t) => {
  const check = (env: Record<string, string>) =>
    new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn(process.execPath, [SERVER, '--check-config'], { env: { ...process.env, ...env } });
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d));
      child.stderr.on('data', (d: Buffer) => (output += d));
      child.on('exit', (code) => resolve({ code, output }));
    });
  const timeouts = await check({ HEADERS_TIMEOUT_MS: '40000', REQUEST_TIMEOUT_MS: '30000' });
  t.equal(timeouts.code, 2);
  t.match(timeouts.output, /HEADERS_TIMEOUT_MS/);
  const host = await check({ HOST: 'no-such-host.invalid' });
  t.equal(host.code, 2);
  t.match(host.output, /HOST="no-such-host.invalid" is invalid/);
});
