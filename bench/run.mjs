// npm run bench [-- --quick] [-- --write]
// Every scenario runs against a fresh emulator process (so its event-loop p99 and
// peak RSS are its own) and is compared with a bare Fastify baseline measured in
// the same run. Benchmarks assert nothing; they report.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { measure, startServer } from './lib.mjs';
import { mixedWorkload } from './mixed.mjs';

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, write: { type: 'boolean', default: false } } });
const quick = values.quick;
const rounds = 3;
const duration = quick ? 1 : 5;
const cores = availableParallelism();
const auth = { authorization: 'Bearer sk-bench', 'content-type': 'application/json' };
const genBody = (prompt, size) => JSON.stringify({ model: 'z-image', prompt, size, response_format: 'b64_json' });
const emulatorEnv = { RATE_LIMIT_RPM: '0', MAX_LIVE_JOBS: '10000000', MAX_EVENT_LOOP_DELAY_MS: '0' };

const vmHwmMb = (pid) => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
async function loopP99Ms(url) {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^nodejs_eventloop_lag_p99_seconds (\S+)$/m.exec(text)?.[1] ?? NaN) * 1000;
}

/** Startup: process spawn to the first 200 from /healthz. */
async function startupMs() {
  const started = performance.now();
  const server = await startServer('./serve-emulator.mjs', emulatorEnv);
  for (;;) {
    const ok = await fetch(`${server.url}/healthz`).then((r) => r.ok, () => false);
    if (ok) break;
  }
  const ms = performance.now() - started;
  server.stop();
  return ms;
}

const rows = [];
async function scenario(name, env, prepare, opts, baseline, perImage = 0) {
  const server = await startServer('./serve-emulator.mjs', { ...emulatorEnv, ...env });
  const target = await prepare(server.url);
  const m = await measure({ duration, ...target, ...opts }, rounds);
  rows.push({ name, ...m, baseline, loopP99: await loopP99Ms(server.url), peakRssMb: vmHwmMb(server.child.pid), perImage });
  server.stop();
}

const baseline = await startServer('./serve-baseline.mjs');
// The exact bytes of a cache-hit 1024x1024 response, for the baseline to replay.
{
  const probe = await startServer('./serve-emulator.mjs', emulatorEnv);
  const bytes = await (await fetch(`${probe.url}/v1/images/generations`, { method: 'POST', headers: auth, body: genBody('the same prompt', '1024x1024') })).text();
  probe.stop();
  await fetch(`${baseline.url}/bytes`, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: bytes });
}
const base = {};
for (const [key, path, method] of [['tiny', '/tiny', 'GET'], ['tiny202', '/tiny', 'POST'], ['bytes', '/bytes', 'POST']]) {
  base[key] = await measure({ url: `${baseline.url}${path}`, method, duration, headers: auth, body: method === 'POST' ? '{}' : undefined }, rounds);
  rows.push({ name: `baseline: bare Fastify ${key === 'bytes' ? 'replaying the cache-hit 1024x1024 bytes' : key === 'tiny' ? 'GET tiny JSON' : 'POST tiny JSON (202)'}`, ...base[key], baseline: key });
}
baseline.stop();

let seq = 0;
const unique = (size) => ({
  url: '',
  method: 'POST',
  headers: auth,
  requests: [{ setupRequest: (req) => ({ ...req, body: genBody(`unique ${process.pid} ${seq++}`, size) }) }],
});
await scenario('sync cache hit 1024x1024', {}, async (url) => ({ url: `${url}/v1/images/generations` }), { method: 'POST', headers: auth, body: genBody('the same prompt', '1024x1024') }, 'bytes');
for (const size of ['1024x1024', '256x256']) {
  await scenario(`sync unique prompts ${size}`, { RENDER_CACHE_MB: '0' }, async (url) => ({ ...unique(size), url: `${url}/v1/images/generations` }), {}, 'bytes', 1);
}
await scenario('async submit', { JOB_TIME_SCALE: '0' }, async (url) => ({ url: `${url}/v1/async/images/generations` }), { method: 'POST', headers: auth, body: genBody('bench', '256x256') }, 'tiny202');
await scenario('async poll of a completed job (256x256)', { JOB_TIME_SCALE: '0' }, async (url) => {
  const job = await (await fetch(`${url}/v1/async/images/generations`, { method: 'POST', headers: auth, body: genBody('bench', '256x256') })).json();
  await new Promise((r) => setTimeout(r, 50));
  return { url: `${url}/v1/async/jobs/${job.jobId}?provider_address=${job.provider_address}` };
}, { headers: auth }, 'tiny');
await scenario('GET /v1/models', {}, async (url) => ({ url: `${url}/v1/models` }), {}, 'tiny');

// Mixed: clients submit, then poll honouring Retry-After (jobs scaled to ~0.5 s, Retry-After 1 s).
{
  const server = await startServer('./serve-emulator.mjs', { ...emulatorEnv, JOB_TIME_SCALE: '0.2', RETRY_AFTER_S: '1' });
  const m = await mixedWorkload(server.url, { clients: 32, seconds: quick ? 3 : 10 });
  rows.push({ name: `mixed: 32 clients submit + poll honouring Retry-After (${m.jobs} jobs, ${m.jobsPerS.toFixed(1)} jobs/s)`, ...m, baseline: undefined, loopP99: await loopP99Ms(server.url), peakRssMb: vmHwmMb(server.child.pid) });
  server.stop();
}

const startup = [];
for (let i = 0; i < 3; i++) startup.push(await startupMs());
startup.sort((a, b) => a - b);

let memoryLine = '';
if (!quick) {
  const out = spawnSync(process.execPath, ['--expose-gc', new URL('./memory.mjs', import.meta.url).pathname, '100000'], { encoding: 'utf8' });
  memoryLine = out.stdout.trim().split('\n').join('\n    ');
}

const fmt = (x, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : '-');
const lines = [
  `| scenario | req/s | p50 ms | p99 ms | vs baseline | images/s per core | event loop p99 ms | peak RSS MB | errors |`,
  '|---|---|---|---|---|---|---|---|---|',
  ...rows.map((r) => {
    const ratio = r.baseline && base[r.baseline] && !r.name.startsWith('baseline') ? `${(r.rps / base[r.baseline].rps).toFixed(2)}x` : '';
    return `| ${r.name} | ${fmt(r.rps)} | ${fmt(r.p50, 1)} | ${fmt(r.p99, 1)} | ${ratio} | ${r.perImage ? fmt(r.rps / cores, 1) : ''} | ${fmt(r.loopP99, 1)} | ${fmt(r.peakRssMb)} | ${r.bad} |`;
  }),
];
const cpu = cpus()[0]?.model ?? 'unknown CPU';
const header = `${cores} CPUs (${cpu}), node ${process.version}, ${rounds} rounds x ${duration} s per scenario, 16 connections, medians; command: npm run bench${quick ? ' -- --quick' : ''}`;
const report = [
  header,
  '',
  ...lines,
  '',
  `Startup to first 200 on /healthz (spawn included): median ${fmt(startup[1])} ms of 3.`,
  ...(memoryLine ? ['', 'Memory, 100k finished jobs retained (`node --expose-gc bench/memory.mjs 100000`):', '', `    ${memoryLine}`] : []),
].join('\n');
console.log(report);
if (values.write) {
  writeFileSync(new URL('./RESULTS.md', import.meta.url), `# Benchmark results\n\n${report}\n`);
  console.log('\nwrote bench/RESULTS.md');
}
