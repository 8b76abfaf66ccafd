// Soak: mixed traffic with faults armed against the built server in its own
// process, for N minutes. Reports RSS over time, answers by status and code,
// and jobs submitted vs finished vs lost. Exits 1 if a job was lost.
// Hostile traffic is part of the mix: 256 KB bodies of unknown fields and one-off keys.
// Usage: npm run soak -- --minutes 10 [--concurrency 8]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startEmulatorServer } from './lib.mjs';

const { values } = parseArgs({
  options: { minutes: { type: 'string', default: '1' }, concurrency: { type: 'string', default: '8' }, 'sample-s': { type: 'string', default: '15' } },
});
const durationMs = Number(values.minutes) * 60_000;
const concurrency = Number(values.concurrency);
const sampleMs = Number(values['sample-s']) * 1000;

const server = await startEmulatorServer({
  JOB_TIME_SCALE: '0.2',
  RETRY_AFTER_S: '1',
  RATE_LIMIT_RPM: '0',
  JOB_TTL_S: '60',
  JOB_SWEEP_INTERVAL_S: '5',
  RENDER_CACHE_MB: '32',
});
const base = server.url;
const rssMb = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server.child.pid}/status`, 'utf8'))[1]) / 1024;
const json = { 'content-type': 'application/json' };
const auth = (k) => ({ authorization: `Bearer sk-soak-${k}`, ...json });
const post = (path, body, headers = json) => fetch(`${base}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });

for (const rule of [
  { fault: 'provider_error', match: { provider: '0xa11ce0000000000000000000000000000000a001' }, probability: 0.05, seed: 1 },
  { fault: 'job_failed', match: { route: '/v1/async/images/generations' }, probability: 0.03, seed: 2 },
  { fault: 'rate_limit_exceeded', match: { route: '/v1/images/generations' }, probability: 0.02, seed: 3 },
]) {
  const res = await post('/_emulator/faults', rule);
  if (res.status !== 201) throw new Error(`arming ${rule.fault}: ${res.status}`);
}

const answers = new Map();
const count = (status, code = '') => answers.set(`${status} ${code}`.trim(), (answers.get(`${status} ${code}`.trim()) ?? 0) + 1);
const jobs = { submitted: 0, completed: 0, failed: 0, lost: 0 };
let requests = 0;
let seq = 0;

async function call(path, init) {
  requests++;
  const res = await fetch(`${base}${path}`, init);
  const text = await res.text();
  let code = '';
  if (res.status >= 400) code = JSON.parse(text).error.code;
  count(res.status, code);
  return { res, text };
}

const prompt = () => `soak ${seq++} ${Math.random().toString(36).slice(2)}`;
const BAD = [
  ['/v1/images/generations', '{"model":', json],
  ['/v1/images/generations', JSON.stringify({ model: 'z-image', prompt: 'x', n: 99, response_format: 'b64_json' })],
  ['/v1/images/generations', JSON.stringify({ model: 'nope', prompt: 'x', response_format: 'b64_json' })],
  ['/v1/images/generations', JSON.stringify({ model: 'z-image', prompt: 'x' })],
  ['/v1/images/generations', 'draw a cat', { 'content-type': 'text/plain' }],
  // Hostile: ~256 KB of unknown fields, accepted (and forwarded) or rejected (404); the journal and provider keep summaries.
  ['/v1/images/generations', `{"model":"z-image","prompt":"junk","size":"64x64","response_format":"b64_json","junk":[${'{},'.repeat(87_000)}{}]}`],
  ['/v1/images/generations', `{"model":"no-such-model","prompt":"junk","response_format":"b64_json","junk":[${'{},'.repeat(87_000)}{}]}`],
];

async function asyncJob(k) {
  const { res, text } = await call('/v1/async/images/generations', {
    method: 'POST',
    headers: auth(k),
    body: JSON.stringify({ model: 'z-image', prompt: prompt(), size: '128x128', n: 1 + (seq % 2), response_format: 'b64_json' }),
  });
  if (res.status !== 202) return;
  jobs.submitted++;
  const job = JSON.parse(text);
  let wait = Number(res.headers.get('retry-after') ?? 1);
  for (;;) {
    await new Promise((r) => setTimeout(r, wait * 1000));
    const poll = await call(`/v1/async/jobs/${job.jobId}?provider_address=${job.provider_address}`, { headers: auth(k) });
    if (poll.res.status === 404) return void jobs.lost++;
    if (poll.res.status !== 200) continue;
    const status = JSON.parse(poll.text).status;
    if (status === 'completed' || status === 'failed') return void jobs[status]++;
    wait = Number(poll.res.headers.get('retry-after') ?? 2);
  }
}

async function worker(k, deadline) {
  while (Date.now() < deadline) {
    const r = Math.random();
    if (r < 0.3) await call('/v1/images/generations', { method: 'POST', headers: auth(k), body: JSON.stringify({ model: 'z-image', prompt: prompt(), size: '128x128', response_format: 'b64_json' }) });
    else if (r < 0.5) await call('/v1/images/generations', { method: 'POST', headers: auth(k), body: JSON.stringify({ model: 'z-image', prompt: 'the cached one', size: '512x512', response_format: 'b64_json' }) });
    else if (r < 0.8) await asyncJob(k);
    else if (r < 0.9) {
      const [path, body, headers] = BAD[seq++ % BAD.length];
      await call(path, { method: 'POST', headers: { ...auth(k), ...(headers ?? {}) }, body });
    } else if (r < 0.95) await call('/v1/models', {});
    // A key never seen again: accounts and rate windows must not pile up.
    else await call(`/v1/async/jobs/${'0'.repeat(32)}`, { headers: { authorization: `Bearer sk-once-${seq++}` } });
  }
}

const started = Date.now();
async function sample() {
  const text = await (await fetch(`${base}/metrics`)).text();
  const metric = (name) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN) / 1048576;
  samples.push({ minute: (Date.now() - started) / 60_000, rssMb: rssMb(), heapMb: metric('nodejs_heap_size_used_bytes'), externalMb: metric('nodejs_external_memory_bytes') });
}
const samples = [];
await sample();
const sampler = setInterval(() => void sample(), sampleMs);
await Promise.all(Array.from({ length: concurrency }, (_, i) => worker(i % 4, started + durationMs)));
clearInterval(sampler);
await sample();
const metrics = await (await fetch(`${base}/metrics`)).text();
const retained = [...metrics.matchAll(/^emulator_jobs\{state="(\w+)"\} (\d+)$/gm)].map(([, s, n]) => `${s} ${n}`).join(', ');
server.stop();

const peak = Math.max(...samples.map((s) => s.rssMb));
console.log(`soak: ${values.minutes} min, ${concurrency} workers, node ${process.version}`);
console.log(`RSS MB: start ${samples[0].rssMb.toFixed(0)}, peak ${peak.toFixed(0)}, end ${samples.at(-1).rssMb.toFixed(0)}`);
console.log(`over time (min: RSS/heap/external MB): ${samples.map((s) => `${s.minute.toFixed(1)}: ${s.rssMb.toFixed(0)}/${s.heapMb.toFixed(0)}/${s.externalMb.toFixed(0)}`).join(', ')}`);
console.log(`requests ${requests}; answers: ${[...answers].sort().map(([k, v]) => `${k} x${v}`).join(', ')}`);
console.log(`jobs: submitted ${jobs.submitted}, completed ${jobs.completed}, failed (injected) ${jobs.failed}, lost ${jobs.lost}; retained at end: ${retained}`);
process.exit(jobs.lost > 0 || jobs.submitted !== jobs.completed + jobs.failed ? 1 : 0);
