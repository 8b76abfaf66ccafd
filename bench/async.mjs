// Async submit and poll throughput against bare Fastify, measured in one run.
// Usage: npm run build && node bench/async.mjs [--rounds 3] [--seconds 5]
import { parseArgs } from 'node:util';
import { measure, startEmulatorServer, startServer } from './lib.mjs';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' }, seconds: { type: 'string', default: '5' } } });
const rounds = Number(values.rounds);
const duration = Number(values.seconds);
const auth = { authorization: 'Bearer sk-bench', 'content-type': 'application/json' };
const body = JSON.stringify({ model: 'z-image', prompt: 'bench', size: '256x256', response_format: 'b64_json' });

const baseline = await startServer('./serve-baseline.mjs');
const emulator = await startEmulatorServer({ JOB_TIME_SCALE: '0', MAX_LIVE_JOBS: '1000000', JOB_PENDING_MS: '0' });
const slow = await startEmulatorServer({ JOB_PENDING_MS: '100000000', MAX_LIVE_JOBS: '1000000' });
const submitOne = async (url) =>
  (await (await fetch(`${url}/v1/async/images/generations`, { method: 'POST', headers: auth, body })).json()).jobId;
const doneJob = await submitOne(emulator.url);
const pendingJob = await submitOne(slow.url);
await new Promise((r) => setTimeout(r, 100));

const rows = [];
const run = async (name, url, opts) => rows.push({ name, ...(await measure({ url, duration, ...opts }, rounds)) });
await run('baseline GET tiny JSON', `${baseline.url}/tiny`, {});
await run('baseline POST tiny JSON (202)', `${baseline.url}/tiny`, { method: 'POST', headers: auth, body });
await run('async submit', `${emulator.url}/v1/async/images/generations`, { method: 'POST', headers: auth, body });
await run('async poll, pending job', `${slow.url}/v1/async/jobs/${pendingJob}`, { headers: auth });
await run('async poll, completed job (256x256 PNG)', `${emulator.url}/v1/async/jobs/${doneJob}`, { headers: auth });
for (const s of [baseline, emulator, slow]) s.stop();

const base = rows[0].rps;
const basePost = rows[1].rps;
console.log(`node ${process.version}, ${rounds} rounds x ${duration}s, 16 connections, medians`);
console.log('| scenario | req/s | p50 ms | p99 ms | vs baseline | errors/non-2xx |');
console.log('|---|---|---|---|---|---|');
for (const r of rows) {
  const ref = r.name.includes('submit') || r.name.includes('POST') ? basePost : base;
  console.log(`| ${r.name} | ${Math.round(r.rps)} | ${r.p50} | ${r.p99} | ${(r.rps / ref).toFixed(2)}x | ${r.bad} |`);
}
