// One measured round: autocannon in its own process against one server, with the
// server's CPU time (its whole process tree, from /proc) over the round divided by
// the requests it answered.
import { spawn } from 'node:child_process';
import { cpuSeconds } from './proc.mjs';

const loadScript = new URL('./load.mjs', import.meta.url).pathname;

/** One autocannon run in its own process (`load.mjs` takes these options). */
export function runLoad(opts) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [loadScript, JSON.stringify(opts)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`load generator exited with ${code}`))));
  });
}

async function loopP99Ms(origin) {
  const text = await (await fetch(`${origin}/metrics`)).text();
  return Number(/^nodejs_eventloop_lag_p99_seconds (\S+)$/m.exec(text)?.[1] ?? NaN) * 1000;
}

/**
 * `server`: { origin, pid, metrics? }; `request`: { method, path, search, headers, body, uniquePromptSize? }.
 * With `metrics`, the emulator's /metrics is read before (prom-client resets its
 * event-loop histogram on each read) and after, so the p99 covers this round only.
 */
export async function measureRound(server, request, { connections, seconds }) {
  if (server.metrics) await loopP99Ms(server.origin);
  const cpuBefore = cpuSeconds(server.pid);
  const r = await runLoad({
    url: `${server.origin}${request.path}${request.search ?? ''}`,
    method: request.method,
    headers: request.headers,
    body: request.body,
    uniquePromptSize: request.uniquePromptSize,
    connections,
    duration: seconds,
  });
  const cpuS = cpuSeconds(server.pid) - cpuBefore;
  return { ...r, cpuUsPerReq: r.answered ? (cpuS / r.answered) * 1e6 : NaN, loopP99Ms: server.metrics ? await loopP99Ms(server.origin) : NaN };
}

export const median = (xs) => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length ? (s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2) : NaN;
};

/** Medians over rounds, and the count of errors, timeouts and unexpected statuses over all of them. */
export const summarise = (results) => ({
  rps: median(results.map((r) => r.rps)),
  cpuUsPerReq: median(results.map((r) => r.cpuUsPerReq)),
  p50: median(results.map((r) => r.p50)),
  p99: median(results.map((r) => r.p99)),
  loopP99Ms: median(results.map((r) => r.loopP99Ms)),
  bad: results.reduce((n, r) => n + r.bad, 0),
});
