// RSS of the emulator holding N finished async jobs. The server runs in its
// own process, as in production; jobs go through the real HTTP route, finish
// at once (JOB_TIME_SCALE=0) and stay retained (the default one-hour TTL).
// Usage: npm run build && node bench/memory.mjs [N ...]   (default 10000 100000)
import { readFileSync } from 'node:fs';
import { startEmulatorServer } from './lib.mjs';

const counts = process.argv.slice(2).map(Number).filter(Boolean);
if (!counts.length) counts.push(10_000, 100_000);
const IDLE_MS = Number(process.env.IDLE_MS ?? 10_000);
const CONCURRENCY = 32;

const server = await startEmulatorServer({ JOB_TIME_SCALE: '0', MAX_LIVE_JOBS: '1000000', RATE_LIMIT_RPM: '0', MAX_EVENT_LOOP_DELAY_MS: '0' });
const status = () => readFileSync(`/proc/${server.child.pid}/status`, 'utf8');
const kb = (field) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status())[1]);
const metric = async (name) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(await (await fetch(`${server.url}/metrics`)).text())?.[1]);
const snapshot = async (label) => {
  const heapMb = (await metric('nodejs_heap_size_used_bytes')) / 2 ** 20;
  const jobs = await metric('emulator_jobs{state="completed"}');
  console.log(`${label}: rss ${(kb('VmRSS') / 1024).toFixed(1)} MB, heap used ${heapMb.toFixed(1)} MB, completed jobs held ${jobs}`);
};

await new Promise((r) => setTimeout(r, 1000));
await snapshot(`node ${process.version}; after start-up`);
let submitted = 0;
for (const target of counts.sort((a, b) => a - b)) {
  const submitOne = async () => {
    while (submitted < target) {
      const i = submitted++;
      const res = await fetch(`${server.url}/v1/async/images/generations`, {
        method: 'POST',
        headers: { authorization: `Bearer sk-mem-${i % 50}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'z-image', prompt: `memory job ${i} with a prompt of ordinary length`, size: '1024x1024', n: 4, response_format: 'b64_json' }),
      });
      await res.arrayBuffer();
      if (res.status !== 202) throw new Error(`submit ${i} answered ${res.status}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, submitOne));
  await snapshot(`${target} jobs submitted`);
  // A server that has gone quiet: V8's memory reducer returns unused heap pages.
  await new Promise((r) => setTimeout(r, IDLE_MS));
  await snapshot(`  after ${IDLE_MS / 1000} s idle`);
}
console.log(`peak rss ${(kb('VmHWM') / 1024).toFixed(1)} MB`);
server.stop();
