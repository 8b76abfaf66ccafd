import type { onRequestHookHandler, preValidationHookHandler } from 'fastify';
import { authenticate } from '../domain/auth.js';
import { faultError, faultFromHeaders } from '../domain/faults.js';
import { rateLimitHeaders } from '../domain/rate-limit.js';
import { ApiError } from '../errors.js';
import type { Services } from '../services.js';

/**
 * The gate in front of every inference route, in two steps. Before the body
 * is read: authenticate and open the key's account. Once a JSON body is
 * parsed (before it is validated): count the request against the key's
 * per-minute limit (the headers go on every answer, errors included), then
 * any fault armed by X-Emulator-* headers: answer an error, or mark the
 * request for a job-level fault. Those answers come after the body is read so
 * the client report can recognise a retried body even when it was refused.
 * A fault's latency delays the answer, after the work is done, so a client
 * that gives up waiting still leaves an accepted job behind.
 */
export function inferenceGate(services: Services): { onRequest: onRequestHookHandler; preValidation: preValidationHookHandler } {
  return {
    onRequest: (req, _reply, done) => {
      const auth = authenticate(req.headers.authorization, services.auth);
      req.auth = auth;
      services.ledger.open(auth.keyId, auth.currency);
      done();
    },
    preValidation: (req, reply, done) => {
      const keyId = req.auth!.keyId;
      if (services.rateLimiter) {
        const state = services.rateLimiter.take(keyId);
        reply.headers(rateLimitHeaders(state));
        if (!state.allowed) {
          const retryAfterS = Math.max(1, Math.ceil((state.resetMs - services.clock.nowMs()) / 1000));
          done(new ApiError('rate_limit_exceeded', undefined, { 'retry-after': String(retryAfterS) }));
          return;
        }
      }
      const fault = faultFromHeaders(req.headers);
      if (!fault) return done();
      // Set first: the latency is applied to whatever answer goes out, this error included.
      req.fault = fault;
      done(faultError(fault));
    },
  };
}

export const API_KEY_SECURITY = [{ ApiKeyAuth: [] }];
