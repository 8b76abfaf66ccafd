// Process-level measurements the bench takes from outside a server: CPU time from
// /proc (so the load generator's share of the cores never counts as the server's),
// free ports, and readiness.
import { readFileSync, readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';

const clockTicksPerS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;

/** [ppid, utime + stime in ticks] of one process, or undefined once it is gone. */
function statOf(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: fields are counted after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return [Number(fields[1]), Number(fields[11]) + Number(fields[12])];
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds used so far by a process and all its descendants (a peer started through
 * a wrapper, such as a CLI that forks a worker, is measured whole).
 */
export function cpuSeconds(rootPid) {
  const stats = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = statOf(name);
    if (s) stats.set(Number(name), s);
  }
  let ticks = 0;
  const tree = new Set([rootPid]);
  // Children usually have larger pids than their parents, but pids wrap: repeat until stable.
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, [ppid]] of stats) if (!tree.has(pid) && tree.has(ppid)) (tree.add(pid), (grew = true));
  }
  for (const pid of tree) ticks += stats.get(pid)?.[1] ?? 0;
  return ticks / clockTicksPerS;
}

/**
 * The Node flags `npm start` runs the server with (package.json's start script; the
 * Dockerfile's CMD and the bin's shebang carry the same): every emulator the bench
 * starts runs with them, as a user's would.
 */
export const serverNodeFlags = (() => {
  const start = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).scripts.start;
  return /^node((?: --\S+)*) scripts\/start\.mjs$/.exec(start)[1].trim().split(' ').filter(Boolean);
})();

/** Peak resident set (VmHWM) of one process in MB. */
export const peakRssMb = (pid) => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Polls a request every `pollMs` until it answers `status` (peers such as WireMock take seconds to start). */
export async function waitForStatus(url, init, status, timeoutMs, isAlive = () => true, pollMs = 100) {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  let wrongSince;
  while (Date.now() < deadline) {
    if (!isAlive()) throw new Error(`${url}: the server exited while starting`);
    try {
      const res = await fetch(url, { ...init, signal: AbortSignal.timeout(2000) });
      const body = await res.text();
      if (res.status === status) return;
      last = `status ${res.status}: ${body.slice(0, 200)}`;
      // A server that answers, but not with the status expected, is given 3 s to finish loading its routes.
      wrongSince ??= Date.now();
      if (Date.now() - wrongSince > 3000) break;
    } catch (err) {
      last = err.message;
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
  throw new Error(`${url} did not answer ${status} (last answer: ${last})`);
}
