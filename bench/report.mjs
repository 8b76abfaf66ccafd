// The markdown report of a bench run: the issue-14 table (req/s and server CPU per
// request per server, ratios), unique renders, startup, memory, and DESIGN.md §6's
// targets checked against this run's own numbers.
const fmt = (x, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : '-');
const kb = (bytes) => `${(bytes / 1000).toFixed(bytes < 10_000 ? 1 : 0)} KB`;
const cell = (r) => {
  if (!r) return '';
  if (r.failed) return 'could not serve';
  return `${fmt(r.rps)} (${fmt(r.cpuUsPerReq)} µs)${r.bad ? ` **${r.bad} errors/non-2xx**` : ''}`;
};

// DESIGN.md §6 ratios to the bare server.
const bareTargets = { sync1024: 0.4, sync256: 0.4, pollDone: 0.4, pollRunning: 0.35, submit: 0.3 };

export function formatReport({ machine, command, date, load, cores, replay, renders, peerNames, bareName, startup, memory }) {
  const servers = ['emulator', ...peerNames, bareName];
  const ratiosOf = (s) => {
    const emu = s.results.emulator.rps;
    const [bestName, bestRps] = peerNames.map((n) => [n, s.results[n]?.rps]).filter(([, rps]) => Number.isFinite(rps)).sort((a, b) => b[1] - a[1])[0] ?? [];
    return { best: emu / bestRps, bestName, bare: emu / s.results[bareName].rps };
  };
  const main = [
    `| scenario | ${servers.join(' | ')} |${peerNames.length ? ' emulator / best peer |' : ''} emulator / bare |`,
    `|---|${servers.map(() => '---|').join('')}${peerNames.length ? '---|' : ''}---|`,
    ...replay.map((s) => {
      const r = ratiosOf(s);
      return `| ${s.name} (${kb(s.bytes)}) | ${servers.map((n) => cell(s.results[n])).join(' | ')} |${peerNames.length ? ` ${fmt(r.best, 2)}x (${r.bestName?.split(' ')[0] ?? '-'}) |` : ''} ${fmt(r.bare, 2)}x |`;
    }),
  ];
  const otherBodies = replay.flatMap((s) =>
    Object.entries(s.results)
      .filter(([, r]) => r.servedBytes !== undefined && r.servedBytes !== s.bytes)
      .map(([n, r]) => `- ${n}, ${s.name}: answers ${r.servedBytes} bytes where the emulator answered ${s.bytes}`),
  );
  const failures = replay.flatMap((s) => Object.entries(s.results).filter(([, r]) => r.failed).map(([n, r]) => `- ${n}, ${s.name}: ${r.failed}`));
  const emulatorDetail = [
    '| scenario | emulator p50 / p99 latency ms | emulator event-loop p99 ms |',
    '|---|---|---|',
    ...replay.map((s) => `| ${s.name} | ${fmt(s.results.emulator.p50)} / ${fmt(s.results.emulator.p99)} | ${fmt(s.results.emulator.loopP99Ms, 1)} |`),
  ];
  const renderLines = [
    '| scenario | req/s | images/s per core (req/s ÷ cores) | server CPU ms per image | p50 / p99 latency ms | event-loop p99 ms | errors/non-2xx |',
    '|---|---|---|---|---|---|---|',
    ...renders.map((r) => `| ${r.name} | ${fmt(r.rps)} | ${fmt(r.rps / cores, 1)} | ${fmt(r.cpuUsPerReq / 1000, 2)} | ${fmt(r.p50)} / ${fmt(r.p99)} | ${fmt(r.loopP99Ms, 1)} | ${r.bad} |`),
  ];

  const targets = [];
  for (const s of replay) {
    const r = ratiosOf(s);
    if (peerNames.length) targets.push([`${s.name}: ≥ 1.2x the best peer`, `${fmt(r.best, 2)}x`, r.best >= 1.2]);
    targets.push([`${s.name}: ≥ ${bareTargets[s.key]}x bare`, `${fmt(r.bare, 2)}x`, r.bare >= bareTargets[s.key]]);
  }
  for (const [r, min] of renders.map((r) => [r, r.key === 'unique1024x1024' ? 100 : 400])) {
    targets.push([`${r.name}: ≥ ${min} images/s per core`, fmt(r.rps / cores, 1), r.rps / cores >= min]);
  }
  const peakRssMb = Number(/peak rss ([\d.]+) MB/.exec(memory)?.[1] ?? NaN);
  targets.push(['100k finished jobs retained ≤ 300 MB RSS (peak)', memory ? `${peakRssMb} MB` : 'not run', peakRssMb <= 300]);
  targets.push(['`npm start` to first /healthz 200 < 500 ms', startup.all.length ? `${fmt(startup.median)} ms` : 'not run', startup.median < 500]);

  return [
    '# Benchmark results',
    '',
    `${machine}; ${date}; command: \`${command}\``,
    ...(load.quick ? ['', '**A --quick smoke run: short rounds, a short warm-up and no memory run, so these numbers say little.**'] : []),
    '',
    `${load.connections} connections, ${load.rounds} alternating round(s) x ${load.seconds} s per server and scenario after a ${load.warmupSeconds} s warm-up${peerNames.some((n) => n.startsWith('WireMock')) ? ` (WireMock: ${load.jitWarmupSeconds} s, for its JIT)` : ''}, medians. ` +
      'Cells: req/s (server CPU µs per request: utime+stime of its process tree from /proc over the round ÷ requests answered). ' +
      'Emulator: default LOG_LEVEL (info), RATE_LIMIT_RPM=0, MAX_EVENT_LOOP_DELAY_MS=0, DEFAULT_BALANCE_0G=1000000000. Every other server replays the bytes the emulator answered.',
    '',
    ...main,
    ...(failures.length ? ['', 'Could not serve the route:', ...failures] : []),
    ...(otherBodies.length ? ['', 'Bodies that differ from the captured bytes (aimock builds its own OpenAI image envelope around the captured PNG):', ...otherBodies] : []),
    '',
    ...emulatorDetail,
    '',
    'Unique prompts (every request a render; RENDER_CACHE_MB=0):',
    '',
    ...renderLines,
    '',
    ...(startup.all.length
      ? [
          `Startup to the first 200 on /healthz, on this built checkout, alternating: \`npm start\` median ${fmt(startup.median)} ms of ${startup.all.length} (${startup.all.map((ms) => fmt(ms)).join(', ')}); ` +
            `\`node dist/bundle/server.js\` (the image's CMD) median ${fmt(startup.bundleMedian)} ms (${startup.bundleAll.map((ms) => fmt(ms)).join(', ')}).`,
        ]
      : []),
    ...(memory ? ['', 'Memory, 100k finished jobs retained, server in its own process (`node bench/memory.mjs 100000`):', '', ...memory.split('\n').map((l) => `    ${l}`)] : []),
    '',
    '| target (DESIGN.md §6) | this run | met? |',
    '|---|---|---|',
    ...targets.map(([what, got, met]) => `| ${what} | ${got} | ${got.startsWith('not run') ? '-' : met ? 'yes' : 'no'} |`),
    '',
  ].join('\n');
}
