import { readFileSync } from 'node:fs';
import t from 'tap';
import { parse } from 'yaml';
import { renderOpenapi } from '../../src/openapi.js';
import { makeApp } from '../helpers/app.js';

t.test('the committed openapi.yaml matches the schemas (run `npm run openapi` to refresh)', async (t) => {
  const committed = readFileSync(new URL('../../openapi.yaml', import.meta.url), 'utf8');
  t.equal(committed, await renderOpenapi());
});

t.test('the document is served and describes the image and catalog operations', async (t) => {
  const app = await makeApp(t);
  const res = await app.inject({ method: 'GET', url: '/openapi.yaml' });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /yaml/);
  const doc = parse(res.body);
  t.equal(doc.openapi, '3.1.0');
  const op = doc.paths['/v1/images/generations'].post;
  t.equal(op.operationId, 'createImageGeneration');
  t.same(op.security, [{ ApiKeyAuth: [] }]);
  t.same(Object.keys(op.responses).sort(), ['200', '400', '401', '402', '403', '404', '413', '415', '423', '429', '500', '502', '503']);
  t.same(op.requestBody.content['application/json'].schema.required, ['model', 'prompt', 'response_format']);
  for (const path of ['/v1/images/generations', '/v1/images/edits', '/v1/async/images/generations', '/v1/async/images/edits', '/v1/routing/preview']) {
    const operation = doc.paths[path].post;
    for (const status of ['402', '423', '429']) t.ok(operation.responses[status], `${path} declares ${status}`);
    const headers = operation.parameters.filter((p: { in: string }) => p.in === 'header').map((p: { name: string }) => p.name);
    t.ok(headers.includes('X-0G-Provider-Address') && headers.includes('X-0G-Provider-Require-Parameters'), `${path} declares the routing headers`);
  }
  for (const path of ['/v1/models', '/v1/providers', '/v1/service-types', '/healthz', '/readyz', '/v1/account/usage/history', '/v1/account/usage/daily', '/v1/account/usage/stats', '/v1/account/funds', '/v1/api-keys', '/v1/api-keys/{keyId}']) {
    t.ok(doc.paths[path], path);
  }
  t.same(doc.paths['/v1/account/funds'].get.security, [{ ManagementKeyAuth: [] }]);
  t.notOk(doc.paths['/openapi.yaml'], 'the document does not list itself');
  const json = await app.inject({ method: 'GET', url: '/openapi.json' });
  t.same(json.json(), doc);
});
