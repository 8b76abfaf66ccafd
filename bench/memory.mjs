// RSS with N finished async jobs retained. Jobs go through the real HTTP
// routes (app.inject), finish at once (JOB_TIME_SCALE=0) and stay retained.
// Usage: npm run build && node --expose-gc bench/memory.mjs 10000 100000
import { buildApp } from '../dist/app.js';
import { defaultConfig } from '../dist/config.js';

const counts = process.argv.slice(2).map(Number).filter(Boolean);
if (!counts.length) counts.push(10_000, 100_000);
const mb = (b) => (b / 1024 / 1024).toFixed(1);
const settle = async () => {
  await new Promise((r) => setTimeout(r, 50));
  globalThis.gc?.();
  await new Promise((r) => setTimeout(r, 50));
  globalThis.gc?.();
};

const app = await buildApp(defaultConfig({ logLevel: 'silent', jobTimeScale: 0, maxLiveJobs: 1_000_000, rateLimitRpm: 0, maxEventLoopDelayMs: 0 }));
await app.ready();
await settle();
const start = process.memoryUsage();
console.log(`node ${process.version}; after start-up: rss ${mb(start.rss)} MB, heap ${mb(start.heapUsed)} MB`);
let submitted = 0;
for (const target of counts.sort((a, b) => a - b)) {
  while (submitted < target) {
    const batch = Math.min(500, target - submitted);
    const statuses = await Promise.all(
      Array.from({ length: batch }, (_, i) =>
        app.inject({
          method: 'POST',
          url: '/v1/async/images/generations',
          headers: { authorization: `Bearer sk-mem-${(submitted + i) % 50}` },
          payload: { model: 'z-image', prompt: `memory job ${submitted + i} with a prompt of ordinary length`, size: '1024x1024', n: 4, response_format: 'b64_json' },
        }).then((r) => r.statusCode),
      ),
    );
    const refused = statuses.filter((s) => s !== 202).length;
    if (refused) throw new Error(`${refused} submits were not accepted (${[...new Set(statuses)].join(', ')})`);
    submitted += batch;
  }
  await settle();
  const m = process.memoryUsage();
  console.log(
    `${target} finished jobs retained (store holds ${[...app.services.jobs.all()].length}, live ${app.services.jobs.liveCount}): rss ${mb(m.rss)} MB, heap ${mb(m.heapUsed)}/${mb(m.heapTotal)} MB, external ${mb(m.external)} MB, ` +
      `heap per job ${((m.heapUsed - start.heapUsed) / target).toFixed(0)} B`,
  );
}
// A server that has gone quiet: V8's memory reducer returns unused heap pages.
await new Promise((r) => setTimeout(r, 8000));
globalThis.gc?.();
const idle = process.memoryUsage();
console.log(`after 8 s idle: rss ${mb(idle.rss)} MB, heap ${mb(idle.heapUsed)}/${mb(idle.heapTotal)} MB`);
await app.close();
