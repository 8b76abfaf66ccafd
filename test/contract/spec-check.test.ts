import t from 'tap';
import { makeApp } from '../helpers/app.js';
import { checkAgainstSpec } from '../helpers/spec-check.js';

/** The hook every other test runs through must be able to fail. */
t.test('the spec check rejects an undeclared status, an undeclared path and a body its schema does not allow', async (t) => {
  const app = await makeApp(t);
  const real = await app.inject({ method: 'GET', url: '/v1/models' });
  t.equal(real.statusCode, 200, 'a real answer passes');
  const json = { 'content-type': 'application/json; charset=utf-8' };
  t.throws(() => checkAgainstSpec(app, 'GET', '/v1/models', { statusCode: 418, headers: json, body: '{}' }), /status not declared/);
  t.throws(
    () => checkAgainstSpec(app, 'GET', '/v1/models', { statusCode: 200, headers: json, body: '{"object":"list","data":[{"id":1}]}' }),
    /does not match the declared schema/,
  );
  t.throws(() => checkAgainstSpec(app, 'PUT', '/v1/models', { statusCode: 200, headers: json, body: '{}' }), /no operation/);
  t.throws(
    () => checkAgainstSpec(app, 'GET', '/v1/async/jobs/abc', { statusCode: 400, headers: json, body: '{"error":{"message":"x"}}' }),
    /does not match/,
    'a path template matches and error bodies are held to the envelope',
  );
  t.doesNotThrow(() =>
    checkAgainstSpec(app, 'GET', '/v1/async/jobs/abc', { statusCode: 400, headers: json, body: '{"error":{"message":"x","type":"t","code":"c"},"request_id":"r"}' }),
  );
});
