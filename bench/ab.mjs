// Paired A/B of built checkouts on one scenario: which change is real, below this
// machine's run-to-run noise (±10-20% per round on a shared 2-core VM).
//
//   node bench/ab.mjs SCENARIO ROUNDS SECONDS DIR[+ENV=VALUE...] DIR[+ENV=VALUE...] ...
//
// Each DIR is a checkout built with `npm run build` (a git worktree of another
// commit, say, with node_modules linked to this one's); `+ENV=VALUE` starts its
// emulator with that variable too, so `. .+LOG_LEVEL=warn` compares a setting.
// Every variant runs at once, idle while another is measured; rounds alternate
// (A B, B A, ...). The server is pinned to core 0 and the load generator to
// core 1 when `taskset` exists. Reported: median req/s and CPU µs per request
// per variant, then each variant against the first as the median of per-round
// differences: rounds next to each other share the machine's state.
import { spawn, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { cpuSeconds, freePort, serverNodeFlags, waitForStatus } from './proc.mjs';
import { median } from './measure.mjs';
import { renderScenarios, replayScenarios } from './scenarios.mjs';
import { BENCH_ENV } from './servers.mjs';

const [key, roundsArg, secondsArg, ...specs] = process.argv.slice(2);
const scenario = [...replayScenarios, ...renderScenarios].find((s) => s.key === key);
if (!scenario || specs.length < 2) {
  console.error(`usage: node bench/ab.mjs SCENARIO ROUNDS SECONDS DIR[+ENV=V...] DIR[+ENV=V...] ...\nscenarios: ${[...replayScenarios, ...renderScenarios].map((s) => s.key).join(', ')}`);
  process.exit(2);
}
const pinned = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
const onCore = (core, args) => (pinned ? ['taskset', ['-c', String(core), ...args]] : [args[0], args.slice(1)]);
const loadScript = new URL('./load.mjs', import.meta.url).pathname;
// AB_CONNECTIONS=1: one request at a time, so req/s is 1 / latency (what a lone client waits).
const connections = Number(process.env.AB_CONNECTIONS ?? 32);

async function start(spec) {
  const [dir, ...settings] = spec.split('+');
  const port = await freePort();
  const env = { ...process.env, ...BENCH_ENV, ...scenario.env, PORT: String(port), HOST: '127.0.0.1' };
  delete env.LOG_LEVEL;
  for (const setting of settings) env[setting.slice(0, setting.indexOf('='))] = setting.slice(setting.indexOf('=') + 1);
  const [command, args] = onCore(0, [process.execPath, ...serverNodeFlags, resolve(dir, 'bench/serve-emulator.mjs')]);
  // The request log is read from a pipe and dropped, as in `npm run bench`.
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
  child.stdout.resume();
  const origin = `http://127.0.0.1:${port}`;
  await waitForStatus(`${origin}/healthz`, {}, 200, 30_000);
  return { spec, child, origin, request: scenario.prepare ? await scenario.prepare(origin) : scenario.request, rounds: [] };
}

function load(server, seconds) {
  const r = server.request;
  const opts = { url: `${server.origin}${r.path}${r.search ?? ''}`, method: r.method, headers: r.headers, body: r.body, uniquePromptSize: r.uniquePromptSize, connections, duration: seconds };
  const [command, args] = onCore(1, [process.execPath, loadScript, JSON.stringify(opts)]);
  return new Promise((done, fail) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.once('exit', (code) => (code === 0 ? done(JSON.parse(out)) : fail(new Error(`load generator exited with ${code}`))));
  });
}

const servers = [];
try {
  for (const spec of specs) servers.push(await start(spec));
  for (const server of servers) await load(server, 2);
  for (let round = 0; round < Number(roundsArg); round++) {
    for (const server of round % 2 ? [...servers].reverse() : servers) {
      const cpuBefore = cpuSeconds(server.child.pid);
      const r = await load(server, Number(secondsArg));
      server.rounds.push({ rps: r.rps, cpuUs: ((cpuSeconds(server.child.pid) - cpuBefore) / r.answered) * 1e6, bad: r.bad });
    }
  }
  console.log(`${scenario.name}: ${roundsArg} rounds of ${secondsArg} s, ${connections} connection(s)${pinned ? ', server on core 0, load on core 1' : ''}`);
  for (const [i, s] of servers.entries()) {
    const cpu = s.rounds.map((r) => r.cpuUs);
    console.log(`${i}: ${s.spec}  ${Math.round(median(s.rounds.map((r) => r.rps)))} req/s, ${median(cpu).toFixed(1)} µs CPU/req  [${cpu.map((x) => x.toFixed(0)).join(' ')}]  errors/non-2xx ${s.rounds.reduce((n, r) => n + r.bad, 0)}`);
  }
  for (const [i, s] of servers.entries()) {
    if (i === 0) continue;
    const diffs = s.rounds.map((r, k) => r.cpuUs - servers[0].rounds[k].cpuUs);
    console.log(`${i} vs 0: CPU per request ${median(diffs) >= 0 ? '+' : ''}${median(diffs).toFixed(1)} µs (median of per-round differences), higher in ${diffs.filter((d) => d > 0).length} of ${diffs.length} rounds`);
  }
} finally {
  for (const server of servers) server.child.kill('SIGTERM');
}
