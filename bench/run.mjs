// npm run bench [-- --quick] [-- --write]
// Every scenario runs against a fresh emulator process (so its event-loop p99 and
// peak RSS are its own) and is compared with a bare Fastify baseline measured in
// the same run. Benchmarks assert nothing; they report.
import { spawn, spawnSync } from 'node:child_process';
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

/** Startup: spawning what `npm start` runs (the bundle) to the first 200 from /healthz. */
async function startupMs(port) {
  const started = performance.now();
  const child = spawn(process.execPath, [new URL('../dist/bundle/server.js', import.meta.url).pathname], {
    env: { ...process.env, ...emulatorEnv, LOG_LEVEL: 'silent', HOST: '127.0.0.1', PORT: String(port) },
    stdio: 'ignore',
  });
  while (!(await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false))) await new Promise((r) => setTimeout(r, 2));
  const ms = performance.now() - started;
  await new Promise((resolve) => child.once('exit', resolve).kill('SIGTERM'));
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
const submitJob = async (url) => (await fetch(`${url}/v1/async/images/generations`, { method: 'POST', headers: auth, body: genBody('bench', '256x256') })).json();
const pollUrl = (url, job) => `${url}/v1/async/jobs/${job.jobId}?provider_address=${job.provider_address}`;
// The exact bytes of a cache-hit 1024x1024 response and of a completed job's poll, for the baseline to replay.
{
  const probe = await startServer('./serve-emulator.mjs', { ...emulatorEnv, JOB_TIME_SCALE: '0' });
  const store = async (name, bytes) => fetch(`${baseline.url}/bytes/${name}`, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: bytes });
  await store('hit', await (await fetch(`${probe.url}/v1/images/generations`, { method: 'POST', headers: auth, body: genBody('the same prompt', '1024x1024') })).text());
  const job = await submitJob(probe.url);
  await new Promise((r) => setTimeout(r, 50));
  await store('poll', await (await fetch(pollUrl(probe.url, job), { headers: auth })).text());
  probe.stop();
}
const base = {};
for (const [key, path, method, what] of [
  ['tiny', '/tiny', 'GET', 'GET tiny JSON'],
  ['tiny202', '/tiny', 'POST', 'POST tiny JSON (202)'],
  ['hit', '/bytes/hit', 'POST', 'replaying the cache-hit 1024x1024 bytes'],
  ['poll', '/bytes/poll', 'GET', 'replaying a completed 256x256 job poll'],
]) {
  base[key] = await measure({ url: `${baseline.url}${path}`, method, duration, headers: auth, body: method === 'POST' ? '{}' : undefined }, rounds);
  rows.push({ name: `baseline: bare Fastify ${what}`, ...base[key], baseline: key });
}
baseline.stop();

let seq = 0;
const unique = (size) => ({
  url: '',
  method: 'POST',
  headers: auth,
  requests: [{ setupRequest: (req) => ({ ...req, body: genBody(`unique ${process.pid} ${seq++}`, size) }) }],
});
await scenario('sync cache hit 1024x1024', {}, async (url) => ({ url: `${url}/v1/images/generations` }), { method: 'POST', headers: auth, body: genBody('the same prompt', '1024x1024') }, 'hit');
for (const size of ['1024x1024', '256x256']) {
  await scenario(`sync unique prompts ${size}`, { RENDER_CACHE_MB: '0' }, async (url) => ({ ...unique(size), url: `${url}/v1/images/generations` }), {}, 'hit', 1);
}
await scenario('async submit', { JOB_TIME_SCALE: '0' }, async (url) => ({ url: `${url}/v1/async/images/generations` }), { method: 'POST', headers: auth, body: genBody('bench', '256x256') }, 'tiny202');
// A client's polls mostly find the job still running (a tiny body); the last one carries the images.
await scenario('async poll of a running job', { JOB_TIME_SCALE: '100000' }, async (url) => ({ url: pollUrl(url, await submitJob(url)) }), { headers: auth }, 'tiny');
await scenario('async poll of a completed job (256x256)', { JOB_TIME_SCALE: '0' }, async (url) => {
  const job = await submitJob(url);
  await new Promise((r) => setTimeout(r, 50));
  return { url: pollUrl(url, job) };
}, { headers: auth }, 'poll');
await scenario('GET /v1/models', {}, async (url) => ({ url: `${url}/v1/models` }), {}, 'tiny');

// Mixed: clients submit, then poll honouring Retry-After (jobs scaled to ~0.5 s, Retry-After 1 s).
{
  const server = await startServer('./serve-emulator.mjs', { ...emulatorEnv, JOB_TIME_SCALE: '0.2', RETRY_AFTER_S: '1' });
  const m = await mixedWorkload(server.url, { clients: 32, seconds: quick ? 3 : 10 });
  rows.push({ name: `mixed: 32 clients submit + poll honouring Retry-After (${m.jobs} jobs, ${m.jobsPerS.toFixed(1)} jobs/s)`, ...m, baseline: undefined, loopP99: await loopP99Ms(server.url), peakRssMb: vmHwmMb(server.child.pid) });
  server.stop();
}

const startup = [];
for (let i = 0; i < 5; i++) startup.push(await startupMs(20_000 + ((process.pid * 7 + i) % 20_000)));
startup.sort((a, b) => a - b);

let memoryLine = '';
if (!quick) {
  const out = spawnSync(process.execPath, [new URL('./memory.mjs', import.meta.url).pathname, '100000'], { encoding: 'utf8' });
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
// DESIGN.md §6, checked against this run's numbers.
const row = (prefix) => rows.find((r) => r.name.startsWith(prefix));
const ratio = (prefix) => row(prefix).rps / base[row(prefix).baseline].rps;
const peakRssMb = Number(/peak rss ([\d.]+) MB/.exec(memoryLine)?.[1] ?? NaN);
const targets = [
  ['sync cache hit >= 0.8x bare Fastify replaying the same bytes', `${ratio('sync cache hit').toFixed(2)}x`, ratio('sync cache hit') >= 0.8],
  ['unique 1024x1024 renders >= 100 images/s/core', (row('sync unique prompts 1024').rps / cores).toFixed(1), row('sync unique prompts 1024').rps / cores >= 100],
  ['async poll >= 0.5x bare GET tiny JSON (a running job: the tiny answer)', `${ratio('async poll of a running').toFixed(2)}x`, ratio('async poll of a running') >= 0.5],
  ['async submit >= 0.3x bare POST tiny JSON', `${ratio('async submit').toFixed(2)}x`, ratio('async submit') >= 0.3],
  ['100k finished jobs retained <= 300 MB RSS (peak)', Number.isFinite(peakRssMb) ? `${peakRssMb} MB` : 'not run (--quick)', peakRssMb <= 300],
  ['startup to first /healthz 200 < 500 ms', `${fmt(startup[2])} ms`, startup[2] < 500],
];
const targetLines = ['| target (DESIGN.md §6) | this run | met? |', '|---|---|---|', ...targets.map(([what, got, met]) => `| ${what} | ${got} | ${got.startsWith('not run') ? '-' : met ? 'yes' : 'no'} |`)];
const cpu = cpus()[0]?.model ?? 'unknown CPU';
const header = `${cores} CPUs (${cpu}), node ${process.version}, ${rounds} rounds x ${duration} s per scenario, 16 connections, medians; command: npm run bench${quick ? ' -- --quick' : ''}`;
const report = [
  header,
  '',
  ...lines,
  '',
  `Startup, spawning \`node dist/bundle/server.js\` (what npm start runs) to the first 200 on /healthz: median ${fmt(startup[2])} ms of 5 (${startup.map((ms) => fmt(ms)).join(', ')}).`,
  ...(memoryLine ? ['', 'Memory, 100k finished jobs retained, server in its own process (`node bench/memory.mjs 100000`):', '', `    ${memoryLine}`] : []),
  '',
  ...targetLines,
].join('\n');
console.log(report);
if (values.write) {
  writeFileSync(new URL('./RESULTS.md', import.meta.url), `# Benchmark results\n\n${report}\n`);
  console.log('\nwrote bench/RESULTS.md');
}
