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
 * The request stage: once route, key and model are known. An error fault is
 * thrown (the Router's envelope); a behaviour fault is returned for the caller
 * (a job fault, say) after any latency it asks for.
 */
export async function requestStage(faults: FaultRules, point: FaultPoint): Promise<Fault | undefined> {
  if (point.headerFault) return point.headerFault;
  const fault = faults.take({ route: point.route, keyId: point.keyId, model: point.model });
  if (!fault) return undefined;
  if (fault.latencyMs) await sleep(fault.latencyMs);
  const error = faultError(fault);
  if (error) throw error;
  return fault;
}

/**
 * The provider stage: routing has picked `provider`. A provider_error fault
 * makes this provider fail (so fallbacks, if allowed, try the next); other
 * error faults answer at once. Returns the failure message, if any.
 */
export async function providerStage(faults: FaultRules, point: FaultPoint, provider: string): Promise<string | undefined> {
  const fault = faults.take({ route: point.route, keyId: point.keyId, model: point.model, provider });
  if (!fault) return undefined;
  if (fault.latencyMs) await sleep(fault.latencyMs);
  if (fault.code === 'provider_error') return fault.errorMessage ?? 'provider returned status 500: injected failure (emulator fault provider_error)';
  const error = faultError(fault);
  if (error) throw error;
  return undefined;
}
