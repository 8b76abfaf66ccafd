// The scenarios of DESIGN.md §6 / issue 14: each prepares a fresh emulator (its env,
// a job to poll...) and names the one request the load generator repeats. The
// emulator's answer to that request is captured, and those bytes are what the bare
// server and every peer replay.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const auth = { authorization: 'Bearer sk-bench', 'content-type': 'application/json' };
export const genBody = (prompt, size) => JSON.stringify({ model: 'z-image', prompt, size, response_format: 'b64_json' });

async function submitJob(origin, size) {
  const res = await fetch(`${origin}/v1/async/images/generations`, { method: 'POST', headers: auth, body: genBody('bench', size) });
  if (res.status !== 202) throw new Error(`submit answered ${res.status}: ${await res.text()}`);
  return res.json();
}

const pollRequest = (job) => ({
  method: 'GET',
  path: `/v1/async/jobs/${job.jobId}`,
  search: `?provider_address=${job.provider_address}`,
  headers: { authorization: auth.authorization },
});

const syncHit = (size) => async () => ({ method: 'POST', path: '/v1/images/generations', headers: auth, body: genBody('the same prompt', size), imagePrompt: 'the same prompt' });

export const replayScenarios = [
  { key: 'sync1024', name: 'repeated 1024x1024 sync (cache hit)', env: {}, prepare: syncHit('1024x1024') },
  { key: 'sync256', name: 'repeated 256x256 sync (cache hit)', env: {}, prepare: syncHit('256x256') },
  {
    key: 'submit',
    name: 'async submit',
    env: { JOB_TIME_SCALE: '0' },
    prepare: async () => ({ method: 'POST', path: '/v1/async/images/generations', headers: auth, body: genBody('bench', '256x256') }),
  },
  { key: 'pollRunning', name: 'poll of a running job', env: { JOB_PENDING_MS: '0', JOB_TIME_SCALE: '1000' }, prepare: async (origin) => pollRequest(await submitJob(origin, '256x256')) },
  {
    key: 'pollDone',
    name: 'poll of a completed 1024x1024 job',
    env: { JOB_TIME_SCALE: '0' },
    prepare: async (origin) => {
      const request = pollRequest(await submitJob(origin, '1024x1024'));
      for (let i = 0; i < 100; i++) {
        const res = await fetch(`${origin}${request.path}${request.search}`, { headers: request.headers });
        if ((await res.json()).status === 'completed') return request;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error('the 1024x1024 job did not complete within 5 s');
    },
  },
];

export const renderScenarios = ['1024x1024', '256x256'].map((size) => ({
  key: `unique${size}`,
  name: `unique ${size} renders`,
  env: { RENDER_CACHE_MB: '0' },
  request: { method: 'POST', path: '/v1/images/generations', headers: auth, uniquePromptSize: size },
}));

/** The emulator's answer to `request` (asked twice: the second is what the load sees, e.g. a cache hit), saved under `dir`. */
export async function capture(origin, request, dir) {
  let res;
  for (let i = 0; i < 2; i++) {
    res = await fetch(`${origin}${request.path}${request.search ?? ''}`, { method: request.method, headers: request.headers, body: request.body });
    if (i === 0) await res.arrayBuffer();
  }
  const bytes = Buffer.from(await res.arrayBuffer());
  if (res.status >= 300) throw new Error(`${request.method} ${request.path} answered ${res.status}: ${bytes}`);
  const bodyFile = join(dir, 'body');
  writeFileSync(bodyFile, bytes);
  const text = bytes.toString('utf8');
  return {
    method: request.method,
    path: request.path,
    status: res.status,
    contentType: res.headers.get('content-type').split(';')[0],
    bodyFile,
    bytes: bytes.length,
    text,
    json: JSON.parse(text),
    imagePrompt: request.imagePrompt,
  };
}
