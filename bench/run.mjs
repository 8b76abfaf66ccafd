// npm run bench [-- --quick] [-- --peers] [-- --write] [-- --connections 32] [-- --rounds 5] [-- --seconds 5]
// npm run bench -- --profile [--scenario sync1024] [--seconds 5]   (see profile.mjs)
// npm run bench -- --state [--quick] [--write]   (memory vs Redis state, see state.mjs)
// Each scenario: a fresh emulator (default LOG_LEVEL, RATE_LIMIT_RPM=0), its answer
// captured and replayed byte for byte by a bare Fastify server (and, with --peers, by
// WireMock, aimock, Prism and Mockoon), all in their own processes, measured in
// alternating rounds (emulator, peers..., bare, emulator, ...) by autocannon in its
// own process; medians of req/s and of server CPU per request (from /proc).
// Benchmarks assert nothing; they report.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { measureRound, median, summarise } from './measure.mjs';
import { freePort, serverNodeFlags, waitForStatus } from './proc.mjs';
import { capture, renderScenarios, replayScenarios } from './scenarios.mjs';
import { bare, installPeers, peers, startEmulator } from './servers.mjs';
import { formatReport } from './report.mjs';
import { stateHeading } from './state-report.mjs';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    peers: { type: 'boolean', default: false },
    write: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    state: { type: 'boolean', default: false },
    connections: { type: 'string', default: '32' },
    rounds: { type: 'string' },
    seconds: { type: 'string' },
    scenarios: { type: 'string' }, // a comma list of scenario keys (sync1024,…,unique256x256,startup,memory): only those
    scenario: { type: 'string' }, // with --profile
    top: { type: 'string' }, // with --profile
    keep: { type: 'string' }, // with --profile: where to save the .cpuprofile
    configs: { type: 'string' }, // with --state
  },
});
if (values.profile || values.state) {
  await import(values.profile ? './profile.mjs' : './state.mjs');
  process.exit(0);
}
const quick = values.quick;
const only = values.scenarios ? new Set(values.scenarios.split(',')) : undefined;
const chosen = (key) => !only || only.has(key);
const load = {
  quick,
  connections: Number(values.connections),
  seconds: Number(values.seconds ?? (quick ? 1 : 5)),
  rounds: Number(values.rounds ?? (quick ? 1 : 5)),
  warmupSeconds: quick ? 1 : 5,
  jitWarmupSeconds: quick ? 1 : 15,
};
const cores = availableParallelism();
const work = mkdtempSync(join(tmpdir(), 'bench-'));
process.once('exit', () => rmSync(work, { recursive: true, force: true }));
if (values.peers) installPeers();

/** What a server answers to the scenario's request, in bytes (the peers must answer what the emulator answered). */
async function bodyLength(origin, request) {
  const res = await fetch(`${origin}${request.path}${request.search ?? ''}`, { method: request.method, headers: request.headers, body: request.body });
  return (await res.arrayBuffer()).byteLength;
}

/** Starts every comparison server on the captured bytes; a peer that cannot start is reported, not fatal. */
async function startComparisons(fixture, request, dir) {
  const started = [];
  const failed = [];
  for (const target of [...(values.peers ? peers : []), bare]) {
    const available = target.available?.() ?? true;
    if (available !== true) {
      failed.push({ name: target.name, reason: available });
      continue;
    }
    const peerDir = join(dir, target.name.replace(/\W+/g, '-'));
    mkdirSync(peerDir, { recursive: true });
    try {
      const server = { name: target.name, ...(target.jit ? { warmupSeconds: load.jitWarmupSeconds } : {}), ...(await target.start(fixture, request, peerDir)) };
      server.servedBytes = await bodyLength(server.origin, request);
      started.push(server);
    } catch (err) {
      failed.push({ name: target.name, reason: err.message.split('\n')[0] });
      console.error(`${target.name} could not serve "${request.method} ${request.path}": ${err.message}`);
    }
  }
  return { started, failed };
}

const replay = [];
for (const scenario of replayScenarios.filter((s) => chosen(s.key))) {
  const dir = join(work, scenario.key);
  mkdirSync(dir, { recursive: true });
  const emulator = { name: 'emulator', metrics: true, ...(await startEmulator(scenario.env)) };
  const request = await scenario.prepare(emulator.origin);
  const fixture = await capture(emulator.origin, request, dir);
  const { started, failed } = await startComparisons(fixture, request, dir);
  const servers = [emulator, ...started];
  for (const s of servers) await measureRound(s, request, { ...load, seconds: s.warmupSeconds ?? load.warmupSeconds });
  const rounds = new Map(servers.map((s) => [s.name, []]));
  for (let i = 0; i < load.rounds; i++) for (const s of servers) rounds.get(s.name).push(await measureRound(s, request, load));
  const results = Object.fromEntries([...rounds].map(([name, rs]) => [name, summarise(rs)]));
  for (const f of failed) results[f.name] = { failed: f.reason };
  for (const s of started) results[s.name].servedBytes = s.servedBytes;
  replay.push({ ...scenario, bytes: fixture.bytes, results });
  console.error(`${scenario.name}: ${servers.map((s) => `${s.name} ${Math.round(results[s.name].rps)} req/s`).join(', ')}`);
  for (const s of servers) await s.stop();
}

const renders = [];
for (const scenario of renderScenarios.filter((s) => chosen(s.key))) {
  const emulator = { metrics: true, ...(await startEmulator(scenario.env)) };
  await measureRound(emulator, scenario.request, { ...load, seconds: load.warmupSeconds });
  const rs = [];
  for (let i = 0; i < load.rounds; i++) rs.push(await measureRound(emulator, scenario.request, load));
  renders.push({ ...scenario, ...summarise(rs) });
  await emulator.stop();
}

/**
 * Startup to the first 200 from /healthz, of what the issue names (`npm start`
 * on a built checkout: npm's own start-up included) and of the bundle alone
 * (`node dist/bundle/server.js`, the image's CMD). Alternating, 5 each.
 */
const root = new URL('..', import.meta.url).pathname;
const startCommands = {
  npmStart: ['npm', ['start', '--silent']],
  bundle: [process.execPath, [...serverNodeFlags, join(root, 'dist/bundle/server.js')]],
};
async function startupMs([command, args]) {
  const port = await freePort();
  const started = performance.now();
  // Its own process group: npm runs the server under a shell, and the whole group is stopped.
  const child = spawn(command, args, { cwd: root, env: { ...process.env, HOST: '127.0.0.1', PORT: String(port) }, stdio: 'ignore', detached: true });
  await waitForStatus(`http://127.0.0.1:${port}/healthz`, {}, 200, 10_000, undefined, 2);
  const ms = performance.now() - started;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  process.kill(-child.pid, 'SIGTERM');
  await exited;
  return ms;
}
const startup = { npmStart: [], bundle: [] };
if (chosen('startup')) {
  for (let i = 0; i < 5; i++) for (const [name, command] of Object.entries(startCommands)) startup[name].push(await startupMs(command));
}

let memory = '';
if (!quick && chosen('memory')) {
  memory = spawnSync(process.execPath, [new URL('./memory.mjs', import.meta.url).pathname, '100000'], { encoding: 'utf8' }).stdout.trim();
}

const command = ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' ');
const report = formatReport({
  machine: `${cores} CPUs (${cpus()[0]?.model ?? 'unknown CPU'}), node ${process.version}`,
  command,
  date: new Date().toISOString(),
  load,
  cores,
  replay,
  renders,
  peerNames: values.peers ? peers.map((p) => p.name) : [],
  bareName: bare.name,
  startup: { median: median(startup.npmStart), all: startup.npmStart, bundleMedian: median(startup.bundle), bundleAll: startup.bundle },
  memory,
});
console.log(report);
if (values.write) {
  // The state bench's sections (appended by `--state --write`) are kept below the new report.
  const results = new URL('./RESULTS.md', import.meta.url);
  const previous = existsSync(results) ? readFileSync(results, 'utf8') : '';
  const stateStart = previous.indexOf(`\n${stateHeading}`);
  writeFileSync(results, stateStart < 0 ? report : `${report}${previous.slice(stateStart)}`);
  console.log('\nwrote bench/RESULTS.md');
}
