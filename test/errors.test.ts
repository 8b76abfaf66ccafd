import t from 'tap';
import { AUTH, generate, generationBody, makeApp } from './helpers/app.js';

t.test('authentication, in the Router order', async (t) => {
  const app = await makeApp(t, { revokedApiKeys: 'sk-old' });
  const cases: [Record<string, string>, number, string][] = [
    [{}, 401, 'missing_authorization'],
    [{ authorization: '   ' }, 401, 'missing_authorization'],
    [{ authorization: 'Basic dXNlcjpwYXNz' }, 401, 'invalid_api_key'],
    [{ authorization: 'Bearer' }, 401, 'invalid_api_key'],
    [{ authorization: 'Bearer not-a-key' }, 401, 'invalid_api_key'],
    [{ authorization: `Bearer sk-${'x'.repeat(600)}` }, 401, 'invalid_api_key'],
    [{ authorization: 'Bearer mk-admin' }, 403, 'insufficient_scope'],
    [{ authorization: 'Bearer sk-old' }, 401, 'api_key_revoked'],
    [{ authorization: 'bearer sk-anything-goes' }, 200, ''],
  ];
  for (const [headers, status, code] of cases) {
    const res = await generate(app, generationBody(), headers);
    t.equal(res.statusCode, status, JSON.stringify(headers).slice(0, 60));
    if (code) t.equal(res.json().error.code, code);
  }
  const mk = await generate(app, generationBody(), { authorization: 'Bearer mk-admin' });
  t.equal(mk.json().error.type, 'auth_error');
});

t.test('authentication happens before the body is parsed', async (t) => {
  const app = await makeApp(t);
  const res = await app.inject({
    method: 'POST',
    url: '/v1/images/generations',
    headers: { 'content-type': 'application/json' },
    payload: '{not json',
  });
  t.equal(res.statusCode, 401);
});

t.test('configured keys: only listed sk- keys pass', async (t) => {
  const app = await makeApp(t, { apiKeys: 'sk-one, sk-two' });
  t.equal((await generate(app, generationBody(), { authorization: 'Bearer sk-two' })).statusCode, 200);
  const res = await generate(app, generationBody(), { authorization: 'Bearer sk-three' });
  t.equal(res.statusCode, 401);
  t.equal(res.json().error.code, 'invalid_api_key');
});

t.test('Fastify failures come back in the Router envelope', async (t) => {
  const app = await makeApp(t);
  const inject = (payload: string, contentType = 'application/json') =>
    app.inject({ method: 'POST', url: '/v1/images/generations', headers: { ...AUTH, 'content-type': contentType }, payload });
  const cases: [string, string, number, RegExp][] = [
    ['{"model":', 'application/json', 400, /not valid JSON/],
    ['', 'application/json', 400, /request body is required/],
    ['model=z-image', 'application/x-www-form-urlencoded', 415, /Unsupported Media Type|Content-Type/i],
    ['[1,2]', 'application/json', 400, /body must be object/],
    ['"text"', 'application/json', 400, /body must be object/],
    ['null', 'application/json', 400, /body must be object/],
  ];
  for (const [payload, type, status, message] of cases) {
    const res = await inject(payload, type);
    t.equal(res.statusCode, status, payload);
    t.match(res.json().error.message, message, payload);
    t.ok(res.json().request_id);
  }
  const noBody = await app.inject({ method: 'POST', url: '/v1/images/generations', headers: AUTH });
  t.equal(noBody.statusCode, 400);
  t.equal(noBody.json().error.code, 'invalid_body');
  const wrongMethod = await app.inject({ method: 'GET', url: '/v1/images/generations', headers: AUTH });
  t.equal(wrongMethod.statusCode, 404);
  t.match(wrongMethod.json().error.message, /GET \/v1\/images\/generations/);
});

t.test('validation errors name the field', async (t) => {
  const app = await makeApp(t);
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ n: 0 }, /body\/n must be >= 1/],
    [{ n: 11 }, /body\/n must be <= 10/],
    [{ n: 1.5 }, /body\/n must be integer/],
    [{ n: '2' }, /body\/n must be integer/],
    [{ prompt: '' }, /body\/prompt must NOT have fewer than 1 characters/],
    [{ prompt: 42 }, /body\/prompt must be string/],
    [{ model: null }, /body\/model must be string/],
    [{ size: '1024' }, /body\/size must match pattern/],
    [{ verify_tee: 'yes' }, /body\/verify_tee must be boolean/],
    [{ provider: { order: ['a'] } }, /body\/provider must NOT have additional properties/],
    [{ provider: { sort: 'cheapest' } }, /body\/provider\/sort/],
    [{ provider: { address: '0x123' } }, /body\/provider\/address must match pattern/],
  ];
  for (const [override, message] of cases) {
    const res = await generate(app, generationBody(override));
    t.equal(res.statusCode, 400, JSON.stringify(override));
    t.match(res.json().error, { code: 'invalid_body', type: 'invalid_request_error', message }, JSON.stringify(override));
  }
  const { prompt: _p, ...noPrompt } = generationBody();
  const res = await generate(app, noPrompt);
  t.match(res.json().error.message, /must have required property 'prompt'/);
});

t.test('X-Request-ID: kept when short and plain, replaced otherwise, on every response', async (t) => {
  const app = await makeApp(t);
  const echo = async (value: string | undefined, url = '/v1/models') => {
    const res = await app.inject({ method: 'GET', url, headers: value === undefined ? {} : { 'x-request-id': value } });
    return res.headers['x-request-id'] as string;
  };
  t.equal(await echo('abc-DEF_1.2:3'), 'abc-DEF_1.2:3');
  t.equal(await echo('x'.repeat(64)), 'x'.repeat(64));
  for (const bad of ['x'.repeat(65), 'async-123', 'has space', 'semi;colon', 'ünï']) {
    const got = await echo(bad);
    t.not(got, bad, `replaced: ${bad}`);
    t.match(got, /^[0-9a-f-]{36}$/);
  }
  t.match(await echo(undefined), /^[0-9a-f-]{36}$/);
  t.equal(await echo('on-404', '/nowhere'), 'on-404');
  const res = await generate(app, generationBody(), {});
  t.equal(res.json().request_id, res.headers['x-request-id'], 'errors carry the same id');
});
