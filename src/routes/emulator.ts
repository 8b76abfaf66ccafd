import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { onRequestAsyncHookHandler } from 'fastify';
import Type from 'typebox';
import { faultCatalog, FaultRuleBody } from '../domain/faults.js';
import { ApiError } from '../errors.js';
import { clockState, moveClock } from '../domain/clock-control.js';
import { isoMs, ManualClock } from '../lib/clock.js';
import { keyIdOf, sameSecret } from '../lib/ids.js';
import { errorResponses } from '../schemas/common.js';
import { Free, ProviderHealthBody } from '../schemas/emulator.js';
import type { Services } from '../services.js';
import { CLOCK_DOC, HEALTH_DOC } from '../state/control-kinds.js';

const ClockState = Type.Object(
  { mode: Type.Union([Type.Literal('system'), Type.Literal('manual')]), nowMs: Type.Integer(), now: Type.String() },
  { title: 'ClockState' },
);
const tags = ['emulator'];

/** With EMULATOR_ADMIN_TOKEN set, every control request must present it. */
export function adminGate(token: string): onRequestAsyncHookHandler {
  return async (req) => {
    // The Bearer scheme is required: a bare `Authorization: <token>` is malformed, not a credential.
    const header = req.headers['x-emulator-admin-token'] ?? /^Bearer +(\S+)$/i.exec(req.headers.authorization?.trim() ?? '')?.[1];
    if (!sameSecret(typeof header === 'string' ? header : '', token)) throw new ApiError('admin_token_required');
  };
}

/** Control plane, part one: time, faults and provider health. */
export const emulatorRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.get('/_emulator/clock', { schema: { operationId: 'getClock', tags, summary: 'Read the emulator clock', response: { 200: ClockState } } }, async () =>
    clockState(services.clock),
  );
  app.post(
    '/_emulator/clock',
    {
      schema: {
        operationId: 'moveClock',
        tags,
        summary: 'Advance the manual clock (CLOCK=manual); due jobs settle and scheduled faults fire on the way',
        body: Type.Union([
          Type.Object({ advanceMs: Type.Integer({ minimum: 0, description: 'the clock stops at 9999-12-31T23:59:59.999Z' }) }, { additionalProperties: false }),
          Type.Object({ setTo: Type.String({ format: 'date-time' }) }, { additionalProperties: false }),
        ]),
        response: { 200: ClockState, ...errorResponses(400, 401) },
      },
    },
    async (req) => {
      const move = () => moveClock(services.clock, req.body);
      const state = services.clock instanceof ManualClock ? await services.control.change(CLOCK_DOC, move) : move();
      // Jobs that came due on the way are settled (and billed) before the answer.
      await services.jobs.settleDue();
      return state;
    },
  );

  app.get(
    '/_emulator/faults/catalog',
    {
      schema: {
        operationId: 'faultCatalog',
        tags,
        summary: 'Every fault that can be armed: the Router errors with status, type, code and headers, and job/latency behaviours',
        response: { 200: Free('FaultCatalog') },
      },
    },
    async () => ({ object: 'list', data: faultCatalog() }),
  );
  app.post(
    '/_emulator/faults',
    {
      schema: {
        operationId: 'armFault',
        tags,
        summary: 'Arm a fault rule (match route, model, key, provider; times or seeded probability)',
        body: FaultRuleBody,
        response: { 201: Free('FaultRuleArmed'), ...errorResponses(400, 401) },
      },
    },
    async (req, reply) => reply.code(201).send(await services.faults.add(req.body)),
  );
  app.get(
    '/_emulator/faults',
    {
      schema: {
        operationId: 'listFaults',
        tags,
        summary: 'Armed fault rules',
        querystring: Type.Object({ key: Type.Optional(Type.String()) }),
        response: { 200: Free('FaultRules'), ...errorResponses(400) },
      },
    },
    async (req) => {
      return { object: 'list', data: await services.faults.list(req.query.key ? keyIdOf(req.query.key) : undefined) };
    },
  );
  app.delete(
    '/_emulator/faults/:id',
    { schema: { operationId: 'disarmFault', tags, summary: 'Disarm one rule', params: Type.Object({ id: Type.String() }), response: { 204: Type.Null(), ...errorResponses(404) } } },
    async (req, reply) => {
      if (!(await services.faults.remove(req.params.id))) throw new ApiError('route_not_found', `no fault rule ${req.params.id}`);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/_emulator/providers/health',
    {
      schema: {
        operationId: 'setProviderHealth',
        tags,
        summary: 'Make a provider healthy or unhealthy, now or from a time on the emulator clock; catalog, routing and in-flight jobs agree',
        body: ProviderHealthBody,
        response: { 200: Free('ProviderHealth'), ...errorResponses(400, 401) },
      },
    },
    async (req) => {
      const { address, healthy, inMs = 0 } = req.body;
      const provider = services.pool.provider(address);
      if (!provider) throw new ApiError('provider_not_found', `provider not found: ${address}`);
      // A change at a time on the emulator clock, not a timer: every replica agrees when it takes effect.
      const atMs = services.clock.nowMs() + inMs;
      await services.control.change(HEALTH_DOC, () => services.health.set(address, healthy, atMs));
      return { address: provider.address, healthy, effective_at: isoMs(services.clock.nowMs() + inMs) };
    },
  );
};
