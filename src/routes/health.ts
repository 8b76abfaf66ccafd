import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { hostname } from 'node:os';
import type { Registry } from 'prom-client';
import Type from 'typebox';
import { unixSeconds } from '../lib/clock.js';
import type { Services } from '../services.js';

const Health = Type.Object(
  { status: Type.Literal('ok'), instance_id: Type.String(), time: Type.Integer() },
  { title: 'HealthCheckResponse' },
);
const Readiness = Type.Object(
  { status: Type.Union([Type.Literal('ready'), Type.Literal('not_ready')]), reason: Type.Optional(Type.String()) },
  { title: 'Readiness' },
);

export const healthRoutes: FastifyPluginAsyncTypebox<{ services: Services; metrics: Registry }> = async (app, { services, metrics }) => {
  const instanceId = `emulator-${hostname()}-${process.pid}`;
  app.get(
    '/healthz',
    { schema: { operationId: 'healthz', tags: ['operations'], summary: 'Liveness', response: { 200: Health } } },
    async () => ({ status: 'ok' as const, instance_id: instanceId, time: unixSeconds(services.clock) }),
  );
  app.get(
    '/readyz',
    {
      schema: {
        operationId: 'readyz',
        tags: ['operations'],
        summary: 'Readiness: pool loaded, renderer warmed up, the state store (Redis) answering, not shutting down',
        response: { 200: Readiness, 503: Readiness },
      },
    },
    async (_req, reply) => {
      const { ready, shuttingDown } = services.lifecycle;
      if (shuttingDown) return reply.code(503).send({ status: 'not_ready', reason: 'shutting down' });
      if (!ready) return reply.code(503).send({ status: 'not_ready', reason: 'warming up the renderer' });
      const state = services.state.status();
      if (!state.ok) return reply.code(503).send({ status: 'not_ready', reason: `state store unavailable: ${state.reason}` });
      // A shared store is asked, not just trusted: a Redis that stopped answering keeps its socket open.
      try {
        await services.control.sync();
      } catch (err) {
        return reply.code(503).send({ status: 'not_ready', reason: (err as Error).message });
      }
      return { status: 'ready' as const };
    },
  );
  app.get(
    '/metrics',
    {
      schema: {
        operationId: 'metrics',
        tags: ['operations'],
        summary: 'Prometheus metrics: requests, latency, jobs by state, renders and cache, ledger totals, event loop',
        response: { 200: Type.String() },
      },
    },
    async (_req, reply) => reply.type(metrics.contentType).send(await metrics.metrics()),
  );
};
