// What an open console costs the server: the same load with no console, with
// only its event stream read (the server's own cost), and with the page open in
// headless Chromium (which also takes CPU from the same machine), in alternating
// rounds so drift on a shared machine hits all three alike.
// Usage: npm run build && node bench/console-cost.mjs [--rounds 2] [--seconds 3]
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { load, median, startEmulatorServer } from './lib.mjs';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '2' }, seconds: { type: 'string', default: '3' } } });
const rounds = Number(values.rounds);
const duration = Number(values.seconds);
const headers = { authorization: 'Bearer sk-bench', 'content-type': 'application/json' };
const body = (size) => JSON.stringify({ model: 'z-image', prompt: 'bench', size, response_format: 'b64_json' });

const server = await startEmulatorServer({ RATE_LIMIT_RPM: '0', MAX_EVENT_LOOP_DELAY_MS: '0', JOB_TIME_SCALE: '0', MAX_LIVE_JOBS: '1000000' });
const env = { ...process.env };
delete env.FONTCONFIG_FILE;
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', env, args: ['--no-sandbox', '--disable-gpu'] });

const scenarios = [
  ['sync generation 64x64 (cached PNG)', { url: `${server.url}/v1/images/generations`, method: 'POST', headers, body: body('64x64') }],
  ['async submit (the job list grows)', { url: `${server.url}/v1/async/images/generations`, method: 'POST', headers, body: body('64x64') }],
];
console.log(`node ${process.version}, ${rounds} rounds x ${duration}s per state, 16 connections, medians`);
console.log('| scenario | no console req/s | event stream read req/s (ratio) | page open in Chromium req/s (ratio) | snapshot events received |');
console.log('|---|---|---|---|---|');

/** Reads the event stream as the page does, counting events, until stopped. */
function readStream() {
  const abort = new AbortController();
  let events = 0;
  const done = fetch(`${server.url}/_emulator/events`, { signal: abort.signal })
    .then(async (res) => {
      const decoder = new TextDecoder();
      for await (const chunk of res.body) events += decoder.decode(chunk, { stream: true }).split('event: snapshot').length - 1;
    })
    .catch(() => undefined);
  return { stop: () => (abort.abort(), done.then(() => events)) };
}

for (const [name, opts] of scenarios) {
  const rps = { none: [], stream: [], page: [] };
  const events = [];
  for (let i = 0; i < rounds; i++) {
    rps.none.push((await load({ ...opts, duration })).requests.average);
    const stream = readStream();
    rps.stream.push((await load({ ...opts, duration })).requests.average);
    events.push(await stream.stop());
    const page = await browser.newPage();
    await page.goto(`${server.url}/_emulator/ui`);
    await page.getByRole('heading', { name: /Async jobs/ }).waitFor();
    rps.page.push((await load({ ...opts, duration })).requests.average);
    await page.close();
  }
  const none = median(rps.none);
  const cell = (xs) => `${Math.round(median(xs))} (${(median(xs) / none).toFixed(2)})`;
  console.log(`| ${name} | ${Math.round(none)} | ${cell(rps.stream)} | ${cell(rps.page)} | ${median(events)} in ${duration} s |`);
}
await browser.close();
server.stop();
