// Shared bench helpers: servers run in their own processes so the load
// generator never competes with them for an event loop.
import { spawn } from 'node:child_process';
import autocannon from 'autocannon';
import { serverNodeFlags } from './proc.mjs';

export function startServer(script, env = {}, nodeFlags = []) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeFlags, new URL(script, import.meta.url).pathname], {
      env: { ...process.env, LOG_LEVEL: 'silent', PORT: '0', HOST: '127.0.0.1', ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /^listening (\S+)$/m.exec(out);
      if (m) resolve({ url: m[1], child, stop: () => child.kill('SIGTERM') });
    });
    child.on('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

/** The built emulator in its own process, with the Node flags `npm start` uses. */
export const startEmulatorServer = (env = {}) => startServer('./serve-emulator.mjs', env, serverNodeFlags);

export function load(opts) {
  return new Promise((resolve, reject) => {
    autocannon({ connections: 16, pipelining: 1, ...opts }, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Runs `rounds` autocannon rounds and keeps the medians; errors and non-2xx are reported, not hidden. */
export async function measure(opts, rounds) {
  const results = [];
  for (let i = 0; i < rounds; i++) results.push(await load(opts));
  const bad = results.reduce((n, r) => n + r.errors + r.timeouts + r.non2xx, 0);
  return {
    rps: median(results.map((r) => r.requests.average)),
    p50: median(results.map((r) => r.latency.p50)),
    p99: median(results.map((r) => r.latency.p99)),
    bad,
  };
}
