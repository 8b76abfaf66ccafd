// The top of a CPU profile of the emulator under load: `npm run bench -- --profile
// [--scenario sync1024] [--seconds 5] [--connections 32]`. The emulator runs under
// `node --cpu-prof` (default LOG_LEVEL, RATE_LIMIT_RPM=0) while autocannon, in its own
// process, repeats the scenario's request; the .cpuprofile it writes on exit is
// aggregated by function (self time) and by package.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { measureRound } from './measure.mjs';
import { replayScenarios } from './scenarios.mjs';
import { startEmulator } from './servers.mjs';

const { values } = parseArgs({
  strict: false,
  options: { scenario: { type: 'string', default: 'sync1024' }, seconds: { type: 'string', default: '5' }, connections: { type: 'string', default: '32' }, top: { type: 'string', default: '25' }, keep: { type: 'string' } },
});
const scenario = replayScenarios.find((s) => s.key === values.scenario);
if (!scenario) throw new Error(`--scenario must be one of ${replayScenarios.map((s) => s.key).join(', ')}`);
const dir = mkdtempSync(join(tmpdir(), 'bench-profile-'));
const repo = new URL('..', import.meta.url).href;

const emulator = await startEmulator(scenario.env, '/healthz', ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
const request = await scenario.prepare(emulator.origin);
const load = { connections: Number(values.connections), seconds: Number(values.seconds) };
await measureRound(emulator, request, { ...load, seconds: 1 }); // JIT warm, modules loaded: neither is in the window
const roundStartMs = performance.now();
const round = await measureRound(emulator, request, load);
const roundEndMs = performance.now();
await emulator.stop();
const stoppedMs = performance.now();

const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
if (!file) throw new Error('the emulator wrote no .cpuprofile (did it exit cleanly on SIGTERM?)');
const profile = JSON.parse(readFileSync(join(dir, file), 'utf8'));
rmSync(dir, { recursive: true, force: true });

// Self time per node: the time deltas of the samples that landed in it, counting only the
// measured round (the profile ends when the emulator exits, just after the round; the
// shutdown's few ms make the window's edges approximate).
const windowStartUs = profile.endTime - (stoppedMs - roundStartMs) * 1000;
const windowEndUs = profile.endTime - (stoppedMs - roundEndMs) * 1000;
// --keep FILE: the profile, with the measured window, for Chrome DevTools or further analysis.
if (values.keep) writeFileSync(values.keep, JSON.stringify({ ...profile, measuredWindowUs: [windowStartUs, windowEndUs] }));
const selfUs = new Map();
let atUs = profile.startTime;
profile.samples.forEach((id, i) => {
  atUs += profile.timeDeltas[i] ?? 0;
  if (atUs >= windowStartUs && atUs <= windowEndUs) selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});
const where = (url) => url.replace(repo, '').replace(/^file:\/\//, '').replace(/^node:/, 'node:');
const packageOf = (url) => {
  if (!url) return '(native / V8)';
  if (url.startsWith('node:')) return 'node internals';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  return pkg ? pkg[1] : where(url).split('/').slice(0, 2).join('/');
};
const byFunction = new Map();
const byPackage = new Map();
let totalUs = 0;
let idleUs = 0;
for (const node of profile.nodes) {
  const us = selfUs.get(node.id) ?? 0;
  totalUs += us;
  const { functionName, url, lineNumber } = node.callFrame;
  if (functionName === '(idle)') idleUs += us;
  const key = `${functionName || '(anonymous)'}  ${url ? `${where(url)}:${lineNumber + 1}` : ''}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + us);
  if (functionName !== '(idle)') byPackage.set(packageOf(url), (byPackage.get(packageOf(url)) ?? 0) + us);
}
const busyUs = totalUs - idleUs;
const pct = (us) => `${((us / busyUs) * 100).toFixed(1)}%`.padStart(6);
const top = (map, n) => [...map].filter(([k]) => !k.startsWith('(idle)')).sort((a, b) => b[1] - a[1]).slice(0, n);

console.log(`CPU profile of the emulator's main thread, scenario "${scenario.name}", ${load.connections} connections, ${load.seconds} s, node ${process.version}`);
console.log(`${Math.round(round.rps)} req/s, ${Math.round(round.cpuUsPerReq)} µs server CPU per request (all threads); main thread not idle for ${(busyUs / 1e6).toFixed(2)} s of ${(totalUs / 1e6).toFixed(2)} s sampled (wall time: on a busy machine it includes waits for a core)`);
console.log('\nself time, % of the main thread\'s non-idle time, by function:');
for (const [key, us] of top(byFunction, Number(values.top))) console.log(`${pct(us)} ${(us / 1000).toFixed(0).padStart(7)} ms  ${key}`);
console.log('\nby package:');
for (const [key, us] of top(byPackage, 15)) console.log(`${pct(us)} ${(us / 1000).toFixed(0).padStart(7)} ms  ${key}`);
