import type { FastifyRequest, onRequestHookHandler, preValidationHookHandler } from 'fastify';
import { authenticate } from '../domain/auth.js';
import { faultError, faultFromHeaders } from '../domain/faults.js';
import { rateLimitHeaders } from '../domain/rate-limit.js';
import { ApiError } from '../errors.js';
import { errorResponses } from '../schemas/common.js';
import type { Services } from '../services.js';

/**
 * The gate in front of every inference route, in two steps. Before the body
 * is read: authenticate (the account opens when a request is admitted). Once a JSON body is
 * parsed (before it is validated): count the request against its account's
 * per-minute limit (the headers go on every answer, errors included), then
 * any fault armed by X-Emulator-* headers: answer an error, or mark the
 * request for a job-level fault. Those answers come after the body is read so
 * the client report can recognise a retried body even when it was refused.
 * A fault's latency delays the answer, after the work is done, so a client
 * that gives up waiting still leaves an accepted job behind.
 */
export function inferenceGate(services: Services): { onRequest: onRequestHookHandler; preValidation: preValidationHookHandler } {
  return {
    // Authentication reads only control state this process holds: no store round trip, so no promise.
    onRequest: (req, _reply, done) => {
      req.auth = authenticate(req.headers.authorization, services.auth, services.accounts, services.clock.nowMs());
      done();
    },
    preValidation: (req, reply, done) => {
      const limiter = services.rateLimiter;
      if (!limiter) return done(headerFault(req));
      // Per account, as the Router limits (contract §14): a plain sk- key is its own account.
      limiter
        .take(req.auth!.accountId)
        .then((state) => {
          reply.headers(rateLimitHeaders(state));
          if (state.allowed) return headerFault(req);
          const retryAfterS = Math.max(1, Math.ceil((state.resetMs - services.clock.nowMs()) / 1000));
          return new ApiError('rate_limit_exceeded', undefined, { 'retry-after': String(retryAfterS) });
        })
        .then(done, done);
    },
  };
}

/** A fault armed by X-Emulator-* headers: its error, if it is one (the request is marked either way). */
function headerFault(req: FastifyRequest): ApiError | undefined {
  const fault = faultFromHeaders(req.headers);
  if (!fault) return undefined;
  // Set first: the latency is applied to whatever answer goes out, this error included.
  req.fault = fault;
  return faultError(fault);
}

export const API_KEY_SECURITY = [{ ApiKeyAuth: [] }];

/**
 * What an inference route can answer besides success: its own errors, plus
 * everything the gate can say (401, 403, 429, and any error an X-Emulator-Fault
 * header or fault rule forces: 400, 401, 402, 403, 404, 423, 429, 500, 502, 503).
 * Body-parsing statuses are added to every route (declared-statuses.ts).
 */
export const INFERENCE_ERRORS = errorResponses(400, 401, 402, 403, 404, 423, 429, 500, 502, 503);
