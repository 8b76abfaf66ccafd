import type { onRequestAsyncHookHandler } from 'fastify';
import { authenticate } from '../domain/auth.js';
import { faultError, faultFromHeaders } from '../domain/faults.js';
import { rateLimitHeaders } from '../domain/rate-limit.js';
import { ApiError } from '../errors.js';
import { errorResponses } from '../schemas/common.js';
import type { Services } from '../services.js';

/**
 * The gate in front of every inference route, run before the body is read:
 * authenticate, open the key's account, count the request against the key's
 * per-minute limit (the headers go on every answer, errors included), then any
 * fault armed by X-Emulator-* headers: answer an error, or mark the request for
 * a job-level fault. Its latency delays the answer, after the work is done, so a
 * client that gives up waiting still leaves an accepted job behind.
 */
export function inferenceGate(services: Services): onRequestAsyncHookHandler {
  return async (req, reply) => {
    const auth = authenticate(req.headers.authorization, services.auth, services.accounts, services.clock.nowMs());
    req.auth = auth;
    // The key id, never the key, on every later log line of this request (a child logger costs; not when silent).
    if (req.log.level !== 'silent') req.log = reply.log = req.log.child({ keyId: auth.keyId });
    services.ledger.open(auth.accountId, auth.currency, auth.key && services.accounts.account(auth.accountId)?.balance);
    if (services.rateLimiter) {
      // Per account, as the Router limits (contract §14): a plain sk- key is its own account.
      const state = services.rateLimiter.take(auth.accountId);
      reply.headers(rateLimitHeaders(state));
      if (!state.allowed) {
        const retryAfterS = Math.max(1, Math.ceil((state.resetMs - services.clock.nowMs()) / 1000));
        throw new ApiError('rate_limit_exceeded', undefined, { 'retry-after': String(retryAfterS) });
      }
    }
    const fault = faultFromHeaders(req.headers);
    if (!fault) return;
    // Set first: the latency is applied to whatever answer goes out, this error included.
    req.fault = fault;
    const error = faultError(fault);
    if (error) throw error;
  };
}

export const API_KEY_SECURITY = [{ ApiKeyAuth: [] }];

/**
 * What an inference route can answer besides success: its own errors, plus
 * everything the gate can say (401, 403, 429, and any error an X-Emulator-Fault
 * header or fault rule forces: 400, 401, 402, 403, 404, 423, 429, 500, 502, 503).
 * Body-parsing statuses are added to every route (declared-statuses.ts).
 */
export const INFERENCE_ERRORS = errorResponses(400, 401, 402, 403, 404, 423, 429, 500, 502, 503);
