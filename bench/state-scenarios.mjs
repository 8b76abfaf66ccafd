// The state bench's scenarios: the env their emulators start with and, per
// configuration, the request each load generator repeats. In a 2-process configuration
// every poll goes to the process the job was NOT submitted on, and a configuration
// with REDIS_URL must prove it shares its state before it is measured.
import { genBody } from './scenarios.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const auth = { authorization: 'Bearer sk-bench', 'content-type': 'application/json' };
const submitRequest = { method: 'POST', path: '/v1/async/images/generations', headers: auth, body: genBody('bench', '256x256') };
const pollRequest = (job) => ({
  method: 'GET',
  path: `/v1/async/jobs/${job.jobId}`,
  search: `?provider_address=${job.provider_address}`,
  headers: { authorization: auth.authorization },
});

async function ask(origin, request) {
  const res = await fetch(`${origin}${request.path}${request.search ?? ''}`, { method: request.method, headers: request.headers, body: request.body });
  return { status: res.status, text: await res.text() };
}

async function submit(origin) {
  const { status, text } = await ask(origin, submitRequest);
  if (status !== 202) throw new Error(`${origin}: async submit answered ${status}: ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

const isRunning = (job) => job.status === 'processing' || job.status === 'running';
const isDone = (job, text) => job.status === 'completed' && text.includes('"b64_json"');

/** Polls `job` at `origin` until `wanted`; a 404 from a process other than the submitter's means the processes do not share their state. */
async function pollUntil(origin, job, wanted, what, crossProcess) {
  const request = pollRequest(job);
  let last = '';
  for (const started = Date.now(); Date.now() - started < 10_000; await sleep(50)) {
    const { status, text } = await ask(origin, request);
    if (status === 404 && crossProcess) {
      throw new Error(`job ${job.jobId}, submitted on one emulator process, is a 404 on the other (${origin}): the processes do not share their state. Does this build support REDIS_URL?`);
    }
    if (status !== 200) throw new Error(`${origin}${request.path}: poll answered ${status}: ${text.slice(0, 300)}`);
    if (wanted(JSON.parse(text), text)) return request;
    last = text.slice(0, 200);
  }
  throw new Error(`job ${job.jobId} was not ${what} within 10 s (last answer: ${last})`);
}

/** Process i polls a job submitted on process i+1 (itself when alone). */
const pollTargets = (wanted, what) => async (origins) =>
  Promise.all(
    origins.map(async (origin, i) => {
      const submittedOn = origins[(i + 1) % origins.length];
      return { origin, request: await pollUntil(origin, await submit(submittedOn), wanted, what, submittedOn !== origin) };
    }),
  );

export const scenarios = [
  {
    key: 'submit',
    name: 'async submit (256x256, n=1)',
    // As in run.mjs: the job completes at once (a render-cache hit), so a submit's cost includes settling it.
    env: { JOB_TIME_SCALE: '0' },
    targets: async (origins) => origins.map((origin) => ({ origin, request: submitRequest })),
  },
  {
    key: 'pollRunning',
    name: 'poll of a running job',
    // Processing for (provider latency + image time) x 1000: far longer than the bench.
    env: { JOB_PENDING_MS: '0', JOB_TIME_SCALE: '1000' },
    targets: pollTargets(isRunning, 'processing'),
    async recheck(config) {
      for (const { origin, request } of config.targets) {
        const { text } = await ask(origin, request);
        if (!isRunning(JSON.parse(text))) return `the polled job was no longer running after the rounds (${text.slice(0, 120)}): these numbers mix states`;
      }
      return undefined;
    },
  },
  { key: 'pollDone', name: 'poll of a completed 256x256 job (b64 PNG)', env: { JOB_TIME_SCALE: '0' }, targets: pollTargets(isDone, 'completed') },
];

/**
 * Before a configuration with REDIS_URL is measured: a job submitted on its first
 * process is seen by its last, and Redis holds keys under its prefix. A build that
 * ignores REDIS_URL fails here instead of reporting the memory backend's numbers.
 */
export async function checkShared(config, redis) {
  const origins = config.procs.map((p) => p.origin);
  const job = await submit(origins[0]);
  await pollUntil(origins.at(-1), job, () => true, 'pollable', origins.length > 1);
  if (redis.keysUnder(config.prefix) === 0) {
    throw new Error(`${config.name}: after a submit, Redis holds no key under REDIS_PREFIX "${config.prefix}": the emulator keeps its state elsewhere. Does this build support REDIS_URL?`);
  }
}

/** /readyz answers 200 within 30 s (the renderer warmed up, and Redis reached when configured). */
export async function waitReady(origin, hint) {
  let last = 'no answer';
  for (const started = Date.now(); Date.now() - started < 30_000; await sleep(100)) {
    try {
      const res = await fetch(`${origin}/readyz`, { signal: AbortSignal.timeout(2000) });
      last = `${res.status} ${await res.text()}`;
      if (res.status === 200) return;
    } catch (err) {
      last = err.message;
    }
  }
  throw new Error(`${origin}/readyz was not ready within 30 s (last answer: ${last})${hint}`);
}
