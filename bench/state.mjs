// npm run bench -- --state [--quick] [--write] [--rounds 5] [--seconds 5] [--connections 32] [--configs a,b,c]
// (or, once built: node bench/state.mjs with the same options)
// Issue 16, what keeping the state in Redis costs. Three scenarios (async submit, poll of
// a running job, poll of a completed job) on three configurations that run side by side
// and are measured in alternating rounds: (a) the memory backend, 1 process; (b) REDIS_URL,
// 1 process; (c) REDIS_URL, 2 processes on the same Redis, loaded at once by one autocannon
// process each (summed), every poll sent to the process that did not take the job's
// submit. Medians of req/s, of the emulators' CPU per request (summed over processes)
// and of Redis's, from /proc. Benchmarks assert nothing, but a build that does not share
// its state through Redis is refused: its numbers would be the memory backend's.
import { appendFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { median, runLoad } from './measure.mjs';
import { cpuSeconds } from './proc.mjs';
import { startRedis } from './redis.mjs';
import { formatStateReport } from './state-report.mjs';
import { checkShared, scenarios, waitReady } from './state-scenarios.mjs';
import { startEmulator } from './servers.mjs';

const { values } = parseArgs({
  strict: false, // run.mjs hands over its own argv, --state included
  options: {
    quick: { type: 'boolean', default: false },
    write: { type: 'boolean', default: false },
    connections: { type: 'string', default: '32' },
    rounds: { type: 'string' },
    seconds: { type: 'string' },
    configs: { type: 'string', default: 'a,b,c' },
  },
});
const quick = values.quick;
const load = {
  quick,
  connections: Number(values.connections),
  rounds: Number(values.rounds ?? (quick ? 1 : 5)),
  seconds: Number(values.seconds ?? (quick ? 2 : 5)),
  warmupSeconds: quick ? 1 : 5,
};
const configs = [
  { letter: 'a', name: '(a) memory, 1 process', processes: 1, redis: false },
  { letter: 'b', name: '(b) Redis, 1 process', processes: 1, redis: true },
  { letter: 'c', name: '(c) Redis, 2 processes', processes: 2, redis: true },
].filter((c) => values.configs.split(',').includes(c.letter));
if (!configs.length) throw new Error('--configs takes letters among a,b,c (e.g. --configs a,c)');
const loadAtStart = loadavg();
const redis = await startRedis();
const runId = `${process.pid}${Date.now().toString(36)}`;

async function startConfig(config, scenario) {
  const prefix = `bench:${runId}:${scenario.key}:${config.letter}:`;
  const env = { ...scenario.env, ...(config.redis ? { REDIS_URL: redis.url, REDIS_PREFIX: prefix } : {}) };
  const procs = [];
  for (let i = 0; i < config.processes; i++) {
    const proc = await startEmulator(env);
    procs.push(proc);
    await waitReady(proc.origin, config.redis ? ` with REDIS_URL=${redis.url}: is Redis reachable, and does this build support REDIS_URL?` : '');
  }
  return { ...config, prefix, procs };
}

/**
 * Waits until the configuration's processes and Redis are quiet (one clock tick, 10 ms, or
 * less in each of two 500 ms samples in a row, 30 s at most). With Redis, jobs submitted in a round
 * settle partly after it (at their completion time, from a read or a process's
 * once-a-second pass): that work is the round's, so it is counted in its CPU, and it
 * does not land in the next configuration's round.
 */
async function drain(cpuS) {
  const started = performance.now();
  for (let quiet = 0, last = cpuS(); quiet < 2 && performance.now() - started < 30_000; ) {
    await new Promise((r) => setTimeout(r, 500));
    const now = cpuS();
    quiet = now - last < 0.015 ? quiet + 1 : 0;
    last = now;
  }
  return (performance.now() - started) / 1e3;
}

/** One round of a configuration: one autocannon process per target, all at once; the other configurations' processes idle meanwhile. */
async function measureRound(config, idle, seconds = load.seconds) {
  const emulatorCpuS = () => config.procs.reduce((s, p) => s + cpuSeconds(p.pid), 0);
  const idleCpuS = () => idle.reduce((s, pid) => s + cpuSeconds(pid), 0);
  const before = { emulator: emulatorCpuS(), redis: cpuSeconds(redis.pid), idle: idleCpuS(), ms: performance.now() };
  const connections = Math.max(1, Math.round(load.connections / config.targets.length));
  const runs = await Promise.all(
    config.targets.map(({ origin, request }) =>
      runLoad({ url: `${origin}${request.path}${request.search ?? ''}`, method: request.method, headers: request.headers, body: request.body, connections, duration: seconds }),
    ),
  );
  const drainS = await drain(() => emulatorCpuS() + (config.redis ? cpuSeconds(redis.pid) : 0));
  const answered = runs.reduce((n, r) => n + r.answered, 0);
  const perRequestUs = (cpuS) => (answered ? (cpuS / answered) * 1e6 : NaN);
  return {
    rps: runs.reduce((s, r) => s + r.rps, 0),
    emulatorUs: perRequestUs(emulatorCpuS() - before.emulator),
    redisUs: perRequestUs(cpuSeconds(redis.pid) - before.redis),
    idleMsPerS: ((idleCpuS() - before.idle) * 1e3) / ((performance.now() - before.ms) / 1e3),
    drainS,
    // The slower generator's latencies: a split load is as slow as its slower half.
    p50: Math.max(...runs.map((r) => r.p50)),
    p99: Math.max(...runs.map((r) => r.p99)),
    bad: runs.reduce((n, r) => n + r.bad, 0),
  };
}

const rows = [];
const notes = [];
const redisMb = [];
for (const scenario of scenarios) {
  const started = [];
  for (const config of configs) started.push(await startConfig(config, scenario));
  for (const config of started) {
    if (config.redis) await checkShared(config, redis);
    config.targets = await scenario.targets(config.procs.map((p) => p.origin));
  }
  const allPids = [redis.pid, ...started.flatMap((c) => c.procs.map((p) => p.pid))];
  const idleOf = (config) => allPids.filter((pid) => !config.procs.some((p) => p.pid === pid) && (pid !== redis.pid || !config.redis));
  for (const config of started) await measureRound(config, [], load.warmupSeconds);
  const rounds = new Map(started.map((c) => [c.letter, []]));
  for (let i = 0; i < load.rounds; i++) for (const config of started) rounds.get(config.letter).push(await measureRound(config, idleOf(config)));
  for (const config of started) {
    const rs = rounds.get(config.letter);
    const med = (k) => median(rs.map((r) => r[k]));
    rows.push({ scenario: scenario.name, config: config.name, redis: config.redis, rps: med('rps'), emulatorUs: med('emulatorUs'), redisUs: med('redisUs'), idleMsPerS: med('idleMsPerS'), drainS: med('drainS'), p50: med('p50'), p99: med('p99'), bad: rs.reduce((n, r) => n + r.bad, 0) });
    const after = await scenario.recheck?.(config);
    if (after) notes.push(`${scenario.name}, ${config.name}: ${after}`);
  }
  redisMb.push(`${scenario.name.split(' (')[0]} ${redis.usedMemoryMb().toFixed(0)} MB`);
  console.error(`${scenario.name}: ${rows.slice(-configs.length).map((r) => `${r.config} ${Math.round(r.rps)} req/s`).join(', ')}`);
  for (const config of started) for (const p of config.procs) await p.stop();
  redis.flush(); // the submit scenario leaves one job per request behind
}
await redis.stop();
if (configs.some((c) => c.redis)) notes.push(`Redis used_memory at the end of each scenario (flushed between them): ${redisMb.join(', ')}`);

const command = process.argv[1].endsWith('run.mjs') ? `npm run bench -- ${process.argv.slice(2).join(' ')}` : `node bench/state.mjs ${process.argv.slice(2).join(' ')}`;
const report = formatStateReport({
  machine: `${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown CPU'}), node ${process.version}, Redis ${redis.version}`,
  cores: cpus().length,
  command: command.trim(),
  date: new Date().toISOString(),
  load,
  loadAverages: [loadAtStart, loadavg()],
  rows,
  notes,
});
console.log(report);
if (values.write) {
  appendFileSync(new URL('./RESULTS.md', import.meta.url), `\n${report}`);
  console.log('\nappended to bench/RESULTS.md');
}
