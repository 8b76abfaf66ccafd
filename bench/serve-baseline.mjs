// The baseline: bare Fastify answering precomputed bytes, the ceiling for any route.
import Fastify from 'fastify';

const tiny = JSON.stringify({ jobId: '5b595c31955d4be2923f5070705cced4', status: 'pending', provider_address: '0xa11ce0000000000000000000000000000000a001' });
// Named response bodies the bench stores (PUT) and then measures replaying byte for byte.
const stored = new Map();
const app = Fastify({ logger: false, bodyLimit: 64 * 1024 * 1024 });
app.get('/tiny', (_req, reply) => reply.type('application/json').send(tiny));
app.post('/tiny', (_req, reply) => reply.code(202).type('application/json').send(tiny));
app.put('/bytes/:name', (req, reply) => {
  stored.set(req.params.name, req.body);
  reply.code(204).send();
});
app.post('/bytes/:name', (req, reply) => reply.type('application/json').send(stored.get(req.params.name)));
app.get('/bytes/:name', (req, reply) => reply.type('application/json').send(stored.get(req.params.name)));
const url = await app.listen({ host: '127.0.0.1', port: 0 });
console.log(`listening ${url}`);
process.once('SIGTERM', () => app.close().then(() => process.exit(0)));
