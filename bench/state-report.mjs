// The state bench's markdown: one section with a dated heading, so that --write can
// append it to bench/RESULTS.md (run.mjs --write keeps such sections when it rewrites the file).
export const stateHeading = '## State backends (issue 16)';

const fmt = (x, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : '-');
const averages = (l) => l.map((x) => x.toFixed(2)).join(' / ');

export function formatStateReport({ machine, cores, command, date, load, loadAverages, rows, notes }) {
  const generators = `${load.connections} connections in all (for (c), ${Math.max(1, Math.round(load.connections / 2))} from each of two autocannon processes at once, one per emulator, summed)`;
  return [
    `${stateHeading}, ${date}`,
    '',
    `${machine}; command: \`${command}\`; load average (1 / 5 / 15 min) at the start ${averages(loadAverages[0])}, at the end ${averages(loadAverages[1])}.`,
    ...(load.quick ? ['', '**A --quick smoke run: one short round per configuration, so these numbers say little.**'] : []),
    '',
    `${generators}; ${load.rounds} alternating round(s) x ${load.seconds} s per configuration after a ${load.warmupSeconds} s warm-up; medians. ` +
      "Emulators: the built app, default LOG_LEVEL (info), RATE_LIMIT_RPM=0, MAX_EVENT_LOOP_DELAY_MS=0; the Redis configurations share one redis-server started by the bench (--save '' --appendonly no), each configuration and scenario under its own REDIS_PREFIX. " +
      'In (c) every poll goes to the process that did not take the job\'s submit. CPU per request: utime+stime from /proc over the round ÷ requests answered, summed over the emulator processes; Redis\'s apart. ' +
      'A round\'s CPU runs until its processes (and Redis) are quiet again, so it includes the jobs that settle after the load stops; "quiet after" is how long that took (1 s, the least, means nothing was left). ' +
      'Latencies are the slower generator\'s.',
    '',
    '| scenario | configuration | req/s | emulator µs CPU/req | Redis µs CPU/req | total µs CPU/req | quiet after, s | p50 / p99 ms | errors/non-2xx |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.scenario} | ${r.config} | ${fmt(r.rps)} | ${fmt(r.emulatorUs)} | ${r.redis ? fmt(r.redisUs) : '-'} | ${fmt(r.emulatorUs + (r.redis ? r.redisUs : 0))} | ${fmt(r.drainS, 1)} | ${fmt(r.p50)} / ${fmt(r.p99)} | ${r.bad ? `**${r.bad}**` : 0} |`,
    ),
    '',
    `This machine has ${cores} cores, shared by the load generator(s), the emulator process(es) and Redis (and anything else running: see the load average). ` +
      "(c)'s req/s therefore cannot show what a second process gains on its own machine: its two emulators, two generators and Redis compete for the same cores. " +
      'CPU per request is the meaningful figure there: (c) against (b) is the cost of splitting the state over processes, (b) against (a) the cost of Redis itself.',
    '',
    `While one configuration was measured the others' processes sat idle; as a fairness check, their CPU (during (a), Redis's too) in ms per second: ${rows.map((r) => `${r.scenario.split(' (')[0]} ${r.config.slice(0, 3)} ${fmt(r.idleMsPerS, 1)}`).join(', ')}.`,
    ...(notes.length ? ['', ...notes.map((n) => `- ${n}`)] : []),
    '',
  ].join('\n');
}
