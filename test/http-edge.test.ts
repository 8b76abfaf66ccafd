import t, { type Test } from 'tap';
import { AUTH, generationBody, makeApp } from './helpers/app.js';
import { bodyOf, raw, serve } from './helpers/sockets.js';

const REQUEST_ID = /\r\nX-Request-ID: ([0-9a-f-]{36})\r\n/i;

/** Every answer decided below the routes still has the Router envelope and a request id, in the body and the header. */
function expectEnvelope(t: Test, text: string, status: number, code: string) {
  t.match(text, new RegExp(`^HTTP/1\\.1 ${status} `), `status ${status}`);
  const body = bodyOf(text);
  t.equal(body.error.code, code);
  const header = REQUEST_ID.exec(text)?.[1];
  t.ok(header, 'X-Request-ID header');
  t.equal(body.request_id, header, 'request_id in the body is the header');
  return body;
}

t.test('parser, router and handshake rejections all answer in the envelope with a request id', async (t) => {
  const server = await serve(t);
  const long = await raw(server.url, [{ data: `GET /v1/async/jobs/${'a'.repeat(5000)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n` }]);
  const tooLong = expectEnvelope(t, long.text, 414, 'uri_too_long');
  t.ok(long.text.length < 1000, `the 5,000-character URL is not echoed (${long.text.length} bytes)`);
  t.notMatch(tooLong.error.message, /aaaa/);

  const expect = await raw(server.url, [{ data: 'POST /v1/images/generations HTTP/1.1\r\nHost: x\r\nExpect: 200-ok\r\nContent-Length: 2\r\n\r\n{}' }]);
  expectEnvelope(t, expect.text, 417, 'expectation_failed');

  const noHost = await raw(server.url, [{ data: 'GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n' }]);
  t.match(expectEnvelope(t, noHost.text, 400, 'bad_request').error.message, /Host/);
  const http10 = await raw(server.url, [{ data: 'GET /healthz HTTP/1.0\r\n\r\n' }]);
  t.match(http10.text, /^HTTP\/1\.1 200/, 'HTTP/1.0 needs no Host');

  const chunk = await raw(server.url, [
    { data: `POST /v1/images/generations HTTP/1.1\r\nHost: x\r\nAuthorization: ${AUTH.authorization}\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nzz\r\n` },
  ]);
  expectEnvelope(t, chunk.text, 400, 'bad_request');
  // Without a key the gate answers 401 before the body is read; the bad chunk after it gets no second answer.
  const unauthorised = await raw(server.url, [{ data: 'POST /v1/images/generations HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nzz\r\n' }]);
  expectEnvelope(t, unauthorised.text, 401, 'missing_authorization');
  t.equal(unauthorised.text.match(/HTTP\/1\.1 /g)?.length, 1, 'one answer on the connection');
  const clte = await raw(server.url, [{ data: 'POST /v1/images/generations HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n' }]);
  expectEnvelope(t, clte.text, 400, 'bad_request');
  const truncated = await raw(
    server.url,
    [{ data: `POST /v1/images/generations HTTP/1.1\r\nHost: x\r\nAuthorization: ${AUTH.authorization}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"model":` }],
    20,
  );
  expectEnvelope(t, truncated.text, 400, 'bad_request');
  t.equal((await fetch(`${server.url}/healthz`)).status, 200, 'still serving');
});

t.test('an absolute-form request target is routed, journaled and reported like its path', async (t) => {
  const app = await makeApp(t);
  const res = await app.inject({
    method: 'POST',
    url: 'http://emulator.test/v1/images/generations',
    headers: AUTH,
    payload: generationBody(),
  });
  t.equal(res.statusCode, 200);
  const journal = (await app.inject({ method: 'GET', url: '/_emulator/requests?key=sk-test-key' })).json();
  t.match(journal.data, [{ route: '/v1/images/generations', url: '/v1/images/generations', status: 200 }]);
  const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
  t.match(metrics, /emulator_http_requests_total\{route="\/v1\/images\/generations",method="POST",status="200"\} 1/);
});

t.test('a forbidden JSON key is named; a syntax error says where', async (t) => {
  const app = await makeApp(t);
  const post = (payload: string) =>
    app.inject({ method: 'POST', url: '/v1/images/generations', headers: { ...AUTH, 'content-type': 'application/json' }, payload });
  const proto = await post('{"model":"z-image","prompt":"p","__proto__":{"polluted":true}}');
  t.equal(proto.statusCode, 400);
  t.match(proto.json().error.message, /forbidden key "__proto__"/);
  t.ok(proto.json().request_id);
  const ctor = await post('{"model":"z-image","constructor":{"prototype":{"x":1}}}');
  t.match(ctor.json().error.message, /forbidden key "constructor"/);
  const broken = await post('{"model":"z-image",}');
  t.match(broken.json().error.message, /not valid JSON: .+/);
});

t.test('?limit=0 on the journal returns no entries', async (t) => {
  const app = await makeApp(t);
  await app.inject({ method: 'GET', url: '/v1/models', headers: AUTH });
  await app.inject({ method: 'POST', url: '/v1/images/generations', headers: AUTH, payload: generationBody() });
  const none = (await app.inject({ method: 'GET', url: '/_emulator/requests?limit=0' })).json();
  t.same(none.data, []);
  const one = (await app.inject({ method: 'GET', url: '/_emulator/requests?limit=1' })).json();
  t.equal(one.data.length, 1);
});
