import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { ApiError } from '../errors.js';
import { isoMs, ManualClock } from '../lib/clock.js';
import { errorResponses } from '../schemas/common.js';
import type { Services } from '../services.js';

const ClockState = Type.Object(
  { mode: Type.Union([Type.Literal('system'), Type.Literal('manual')]), nowMs: Type.Integer(), now: Type.String() },
  { title: 'ClockState' },
);

/** Sandbox control plane: time. With CLOCK=manual, nothing moves until this says so. */
export const emulatorRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const state = () => ({
    mode: services.clock instanceof ManualClock ? ('manual' as const) : ('system' as const),
    nowMs: services.clock.nowMs(),
    now: isoMs(services.clock.nowMs()),
  });
  app.get(
    '/_emulator/clock',
    { schema: { operationId: 'getClock', tags: ['emulator'], summary: 'Read the emulator clock', response: { 200: ClockState } } },
    async () => state(),
  );
  app.post(
    '/_emulator/clock',
    {
      schema: {
        operationId: 'moveClock',
        tags: ['emulator'],
        summary: 'Advance the manual clock (CLOCK=manual); due jobs settle on the way',
        body: Type.Union([
          Type.Object({ advanceMs: Type.Integer({ minimum: 0 }) }, { additionalProperties: false }),
          Type.Object({ setTo: Type.String({ format: 'date-time' }) }, { additionalProperties: false }),
        ]),
        response: { 200: ClockState, ...errorResponses(400) },
      },
    },
    async (req) => {
      const clock = services.clock;
      if (!(clock instanceof ManualClock)) throw new ApiError('bad_request', 'the clock is not manual: start with CLOCK=manual');
      if ('advanceMs' in req.body) clock.advance(req.body.advanceMs);
      else {
        const target = Date.parse(req.body.setTo);
        if (target < clock.nowMs()) throw new ApiError('bad_request', 'the clock never goes backwards');
        clock.set(target);
      }
      return state();
    },
  );
};
