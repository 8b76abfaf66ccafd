// The baseline: bare Fastify answering precomputed bytes, held as Buffers (a JS string
// would be encoded on every send, ~4x slower for a 131 KB body): the ceiling for any
// route on this machine. Routes come from FIXTURES (a JSON file written by run.mjs:
// [{ method, path, status, contentType, bodyFile }]); /tiny and PUT /bytes/:name serve
// bench/async.mjs.
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';

const tiny = Buffer.from(JSON.stringify({ jobId: '5b595c31955d4be2923f5070705cced4', status: 'pending', provider_address: '0xa11ce0000000000000000000000000000000a001' }));
const stored = new Map();
const app = Fastify({ logger: false, bodyLimit: 64 * 1024 * 1024 });
app.get('/tiny', (_req, reply) => reply.type('application/json').send(tiny));
app.post('/tiny', (_req, reply) => reply.code(202).type('application/json').send(tiny));
app.put('/bytes/:name', (req, reply) => {
  stored.set(req.params.name, Buffer.from(req.body));
  reply.code(204).send();
});
app.post('/bytes/:name', (req, reply) => reply.type('application/json').send(stored.get(req.params.name)));
app.get('/bytes/:name', (req, reply) => reply.type('application/json').send(stored.get(req.params.name)));
for (const f of process.env.FIXTURES ? JSON.parse(readFileSync(process.env.FIXTURES, 'utf8')) : []) {
  const bytes = readFileSync(f.bodyFile);
  app.route({ method: f.method, url: f.path, handler: (_req, reply) => reply.code(f.status).type(f.contentType).send(bytes) });
}
const url = await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) });
console.log(`listening ${url}`);
process.once('SIGTERM', () => app.close().then(() => process.exit(0)));
