// Median latency of sequential 1024x1024 sync requests over a real socket:
// cached (the same request again) versus uncached (a new prompt each time).
// Usage: npm run build && node bench/sync-latency.mjs [rounds]
import { buildApp } from '../dist/app.js';
import { defaultConfig } from '../dist/config.js';

const rounds = Number(process.argv[2] ?? 40);
const app = await buildApp(defaultConfig({ logLevel: 'silent' }));
const base = await app.listen({ host: '127.0.0.1', port: 0 });

async function once(prompt) {
  const started = performance.now();
  const res = await fetch(`${base}/v1/images/generations`, {
    method: 'POST',
    headers: { authorization: 'Bearer sk-bench', 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'z-image', prompt, size: '1024x1024', response_format: 'b64_json' }),
  });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`status ${res.status}`);
  return performance.now() - started;
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { median: q(0.5).toFixed(2), p90: q(0.9).toFixed(2), min: s[0].toFixed(2), n: s.length };
};

for (let i = 0; i < 5; i++) await once(`warm-up ${i}`);
const cached = [];
const uncached = [];
// Interleaved so both see the same machine state.
for (let i = 0; i < rounds; i++) {
  uncached.push(await once(`unique prompt ${i} ${Date.now()}`));
  cached.push(await once('the same prompt every time'));
}
const c = stats(cached);
const u = stats(uncached);
console.log(`sync 1024x1024, ${rounds} rounds, node ${process.version}`);
console.log(`cached   median ${c.median} ms  p90 ${c.p90} ms  min ${c.min} ms`);
console.log(`uncached median ${u.median} ms  p90 ${u.p90} ms  min ${u.min} ms`);
console.log(`ratio uncached/cached median: ${(u.median / c.median).toFixed(1)}x`);
await app.close();
