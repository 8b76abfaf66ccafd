import t from 'tap';
import { makeApp } from './helpers/app.js';

t.test('/healthz answers with the HealthCheckResponse shape', async (t) => {
  const app = await makeApp(t);
  const res = await app.inject({ method: 'GET', url: '/healthz' });
  t.equal(res.statusCode, 200);
  t.match(res.json(), { status: 'ok', instance_id: /^emulator-/, time: Math.floor(app.clock.nowMs() / 1000) });
});

t.test('/readyz is ready after warm-up and not while shutting down', async (t) => {
  const app = await makeApp(t);
  t.equal(app.services.lifecycle.ready, false, 'not ready before the renderer warmed up');
  await app.ready();
  await app.services.lifecycle.warmedUp;
  t.equal(app.services.lifecycle.ready, true);
  t.same((await app.inject({ method: 'GET', url: '/readyz' })).json(), { status: 'ready' });
  app.services.lifecycle.ready = false;
  const warming = await app.inject({ method: 'GET', url: '/readyz' });
  t.equal(warming.statusCode, 503);
  t.match(warming.json(), { status: 'not_ready', reason: /warming/ });
  app.services.lifecycle.ready = true;
  app.services.lifecycle.shuttingDown = true;
  const closing = await app.inject({ method: 'GET', url: '/readyz' });
  t.equal(closing.statusCode, 503);
  t.same(closing.json(), { status: 'not_ready', reason: 'shutting down' });
});
