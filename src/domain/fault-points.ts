import { ApiError } from '../errors.js';
import type { Endpoint } from '../providers/pool.js';
import { SaturatedError } from '../render/limiter.js';
import type { FaultRules } from './fault-rules.js';
import { faultError, sleep, type Fault } from './faults.js';

export interface FaultPoint {
  route: string;
  keyId: string;
  model: string;
  /** Armed by X-Emulator-Fault; error faults from headers were already answered by the gate. */
  headerFault?: Fault;
}

/**
 * The request stage: once route, key and model are known. Header faults and
 * rules compose: a matching rule fires whether or not the request carries
 * X-Emulator-* headers (its latency first, then its error is thrown). The
 * behaviour faults in force are returned, the header's first, for the caller
 * to merge (a job fault, say); the header wins where both set the same thing.
 */
export async function requestStage(faults: FaultRules, point: FaultPoint): Promise<Fault[]> {
  const armed: Fault[] = point.headerFault ? [point.headerFault] : [];
  const rule = await faults.take({ route: point.route, keyId: point.keyId, model: point.model });
  if (!rule) return armed;
  if (rule.latencyMs) await sleep(rule.latencyMs);
  const error = faultError(rule);
  if (error) throw error;
  armed.push(rule);
  return armed;
}

/**
 * The provider stage: routing has picked `provider`. A provider_error fault
 * makes this provider fail (so fallbacks, if allowed, try the next); other
 * error faults answer at once. Returns the failure message, if any.
 */
export async function providerStage(faults: FaultRules, point: FaultPoint, provider: string): Promise<string | undefined> {
  const fault = await faults.take({ route: point.route, keyId: point.keyId, model: point.model, provider });
  if (!fault) return undefined;
  if (fault.latencyMs) await sleep(fault.latencyMs);
  if (fault.code === 'provider_error') return fault.errorMessage ?? 'provider returned status 500: injected failure (emulator fault provider_error)';
  const error = faultError(fault);
  if (error) throw error;
  return undefined;
}

/** The fault point of a request once its model is known. */
export function faultPointOf(ctx: { route: string; keyId: string; headerFault?: Fault | undefined }, model: string): FaultPoint {
  const point: FaultPoint = { route: ctx.route, keyId: ctx.keyId, model };
  if (ctx.headerFault) point.headerFault = ctx.headerFault;
  return point;
}

/**
 * Serves from the ranked candidates in order, as the Router fails over: a
 * provider failed by a fault rule, or whose `attempt` throws, is skipped; the
 * first that succeeds serves. When none does: 502 naming every failure. The
 * emulator's own overload is not a provider's failure and is never failed over.
 */
export async function serveFirst<T>(
  faults: FaultRules,
  point: FaultPoint,
  candidates: readonly Endpoint[],
  attempt: (endpoint: Endpoint) => T | Promise<T>,
): Promise<{ endpoint: Endpoint; result: T }> {
  const failures: string[] = [];
  for (const endpoint of candidates) {
    const injected = await providerStage(faults, point, endpoint.provider.address);
    if (injected) {
      failures.push(`${endpoint.provider.address}: ${injected}`);
      continue;
    }
    try {
      return { endpoint, result: await attempt(endpoint) };
    } catch (err) {
      if (err instanceof SaturatedError) throw err;
      failures.push(`${endpoint.provider.address}: ${(err as Error).message}`);
    }
  }
  throw new ApiError('provider_error', `provider request failed: ${failures.join('; ')}`);
}
