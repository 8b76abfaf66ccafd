import t from 'tap';
import { AUTH, generationBody, makeApp } from './helpers/app.js';

const completedJob = async (app: Awaited<ReturnType<typeof makeApp>>, responseFormat: 'b64_json' | 'url') => {
  const { jobId } = (
    await app.inject({ method: 'POST', url: '/v1/async/images/generations', headers: AUTH, payload: generationBody({ response_format: responseFormat }) })
  ).json();
  await app.inject({ method: 'POST', url: '/_emulator/clock', payload: { advanceMs: 60_000 } });
  return { jobId: jobId as string, poll: (await app.inject({ method: 'GET', url: `/v1/async/jobs/${jobId}`, headers: AUTH })).json() };
};

t.test('URL_RESPONSES=reject (the default): the image proxy serves nothing, even for a real job id', async (t) => {
  const app = await makeApp(t);
  const { jobId, poll } = await completedJob(app, 'b64_json');
  t.equal(poll.status, 'completed');
  const res = await app.inject({ method: 'GET', url: `/v1/proxy/images/${jobId}/0` });
  t.equal(res.statusCode, 404);
  t.equal(res.json().error.code, 'image_not_found');
});

t.test('URL_RESPONSES=serve: job image URLs carry a signature; the bare job id or a forged one gets 404', async (t) => {
  const app = await makeApp(t, { urlResponses: 'serve' });
  const { jobId, poll } = await completedJob(app, 'url');
  const path = new URL(poll.data.data[0].url).pathname;
  const [, linkId] = /\/v1\/proxy\/images\/([^/]+)\/0$/.exec(path)!;
  t.not(linkId, jobId, 'the URL is not the job id alone');
  t.equal((await app.inject({ method: 'GET', url: path })).statusCode, 200, 'the URL handed out works without auth, as a URL must');
  t.equal((await app.inject({ method: 'GET', url: `/v1/proxy/images/${jobId}/0` })).statusCode, 404, 'job id alone');
  const forged = `${jobId}-${'0'.repeat(32)}`;
  t.equal((await app.inject({ method: 'GET', url: `/v1/proxy/images/${forged}/0` })).statusCode, 404, 'forged signature');
});

t.test('the admin gate takes the Bearer scheme or its own header, never a bare token', async (t) => {
  const app = await makeApp(t, { adminToken: 'let-me-in' });
  const get = (headers: Record<string, string>) => app.inject({ method: 'GET', url: '/_emulator/clock', headers });
  t.equal((await get({ authorization: 'let-me-in' })).statusCode, 401, 'bare token in Authorization');
  t.equal((await get({ authorization: 'Basic let-me-in' })).statusCode, 401, 'another scheme');
  t.equal((await get({ authorization: 'Bearer let-me-in' })).statusCode, 200);
  t.equal((await get({ authorization: 'bearer  let-me-in' })).statusCode, 200, 'scheme is case-insensitive');
  t.equal((await get({ 'x-emulator-admin-token': 'let-me-in' })).statusCode, 200);
  t.equal((await get({ authorization: 'Bearer let-me-in-not' })).statusCode, 401);
});
