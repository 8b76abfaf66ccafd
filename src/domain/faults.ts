import type { IncomingHttpHeaders } from 'node:http';
import Type, { type Static } from 'typebox';
import { ApiError, ERROR_TABLE, type ErrorCode } from '../errors.js';

/** Faults that are not an immediate error answer but change what happens to a job or a provider call. */
export const BEHAVIOUR_FAULTS = {
  job_failed: 'the async job ends `failed` with the given errorMessage (no charge)',
  job_slow: 'the async job stays processing for processingMs longer',
  no_retry_after: 'submits and polls of the job carry no Retry-After (test the 2-3 s fallback cadence)',
  retry_after: 'submits and polls of the job carry Retry-After: retryAfterS instead of the default',
  slow: 'the response is delayed by latencyMs (X-Emulator-Latency-Ms)',
} as const;

/** Errors that make sense to force: the Router's own, not the emulator's plumbing. */
const FORCEABLE: ErrorCode[] = [
  'invalid_body',
  'provider_model_mismatch',
  'invalid_api_key',
  'api_key_revoked',
  'insufficient_balance',
  'access_denied',
  'model_not_found',
  'async_job_not_found',
  'refund_pending',
  'rate_limit_exceeded',
  'internal_error',
  'provider_error',
  'vault_unavailable',
  'no_provider_for_trust_mode',
  'no_available_provider',
];

/** job_slow's extra time, from a rule or X-Emulator-Processing-Ms: one day. */
const MAX_PROCESSING_MS = 86_400_000;

const DEFAULT_RETRY_AFTER_S: Partial<Record<ErrorCode, number>> = {
  rate_limit_exceeded: 15,
  no_available_provider: 5,
  vault_unavailable: 2,
  no_provider_for_trust_mode: 5,
};

export type FaultCode = ErrorCode | keyof typeof BEHAVIOUR_FAULTS;

export function isFaultCode(code: string): code is FaultCode {
  return (FORCEABLE as string[]).includes(code) || code in BEHAVIOUR_FAULTS;
}

export function faultCatalog() {
  return [
    ...FORCEABLE.map((code) => {
      const row = ERROR_TABLE[code];
      const retry = DEFAULT_RETRY_AFTER_S[code];
      return {
        code,
        kind: 'error' as const,
        status: row.status,
        type: row.type,
        message: row.message,
        headers: retry ? { 'retry-after': String(retry) } : {},
      };
    }),
    ...Object.entries(BEHAVIOUR_FAULTS).map(([code, description]) => ({ code, kind: 'behaviour' as const, description })),
  ];
}

/** One armed fault with its parameters, from a header or a rule. */
export interface Fault {
  code: FaultCode;
  latencyMs?: number;
  errorMessage?: string;
  retryAfterS?: number;
  processingMs?: number;
}

/** The error an error-kind fault answers with. */
export function faultError(fault: Fault): ApiError | undefined {
  if (fault.code in BEHAVIOUR_FAULTS) return undefined;
  const code = fault.code as ErrorCode;
  const retry = fault.retryAfterS ?? DEFAULT_RETRY_AFTER_S[code];
  return new ApiError(code, fault.errorMessage ?? `${ERROR_TABLE[code].message} (forced by the emulator)`, retry !== undefined ? { 'retry-after': String(retry) } : {});
}

export const FaultRuleBody = Type.Object(
  {
    fault: Type.String({ description: 'a code from GET /_emulator/faults/catalog' }),
    match: Type.Optional(
      Type.Object(
        {
          route: Type.Optional(Type.String({ description: 'route pattern, e.g. /v1/images/generations' })),
          model: Type.Optional(Type.String()),
          key: Type.Optional(Type.String({ description: 'the API key the rule applies to' })),
          key_id: Type.Optional(Type.String({ pattern: '^key_[0-9a-f]{16}$', description: 'or its key id, as the console shows it' })),
          provider: Type.Optional(Type.String({ description: 'provider address: matches when routing picks it' })),
        },
        { additionalProperties: false },
      ),
    ),
    times: Type.Optional(Type.Integer({ minimum: 1, description: 'fire this many times, then disarm' })),
    probability: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'fire with this probability (seeded)' })),
    seed: Type.Optional(Type.Integer({ description: 'seed for probability; same seed, same sequence' })),
    latencyMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 600000 })),
    errorMessage: Type.Optional(Type.String({ maxLength: 2000 })),
    retryAfterS: Type.Optional(Type.Integer({ minimum: 0, maximum: 86400 })),
    processingMs: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_PROCESSING_MS, description: 'job_slow: extra processing time, at most one day' })),
  },
  { additionalProperties: false, title: 'FaultRule' },
);
export type FaultRuleInput = Static<typeof FaultRuleBody>;

/** A rule as armed: what it matches and does. How often it fired lives in the fault counter store. */
export interface FaultRule extends Fault {
  id: string;
  match: { route?: string; model?: string; keyId?: string; provider?: string };
  /** Firings it was armed with (absent: unlimited). */
  times?: number;
  probability?: number;
  /** Seeds the rule's sequence of draws (seededDraw), shared by every process. */
  seed: number;
}

export interface FaultContext {
  route: string;
  keyId: string;
  model?: string;
  provider?: string;
}


function headerInt(headers: IncomingHttpHeaders, name: string, max: number): number | undefined {
  const raw = headers[name];
  if (raw === undefined) return undefined;
  const value = String(raw).trim();
  if (!/^[0-9]{1,9}$/.test(value) || Number(value) > max) throw new ApiError('bad_request', `${name} must be an integer from 0 to ${max}`);
  return Number(value);
}

/** X-Emulator-Fault and friends: a fault armed for this one request. */
export function faultFromHeaders(headers: IncomingHttpHeaders): Fault | undefined {
  const raw = headers['x-emulator-fault'];
  const latencyMs = headerInt(headers, 'x-emulator-latency-ms', 600_000);
  if (raw === undefined) return latencyMs !== undefined ? { code: 'slow', latencyMs } : undefined;
  const code = String(raw).trim();
  if (!isFaultCode(code)) {
    throw new ApiError('bad_request', `X-Emulator-Fault "${code.slice(0, 60)}" is not in the catalogue (GET /_emulator/faults/catalog)`);
  }
  const fault: Fault = { code };
  if (latencyMs !== undefined) fault.latencyMs = latencyMs;
  const retryAfterS = headerInt(headers, 'x-emulator-retry-after', 86_400);
  if (retryAfterS !== undefined) fault.retryAfterS = retryAfterS;
  const processingMs = headerInt(headers, 'x-emulator-processing-ms', MAX_PROCESSING_MS);
  if (processingMs !== undefined) fault.processingMs = processingMs;
  const message = headers['x-emulator-error-message'];
  if (message !== undefined) fault.errorMessage = String(message).slice(0, 2000);
  return fault;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** What a job-level fault does to a job. */
export interface JobFault {
  failWith?: string;
  extraProcessingMs?: number;
  /** null: send no Retry-After at all. */
  retryAfterS?: number | null;
}

function jobFaultOfOne(fault: Fault): JobFault | undefined {
  switch (fault.code) {
    case 'job_failed':
      return { failWith: fault.errorMessage ?? 'provider returned status 500: injected failure (emulator fault job_failed)' };
    case 'job_slow':
      return { extraProcessingMs: fault.processingMs ?? 60_000 };
    case 'no_retry_after':
      return { retryAfterS: null };
    case 'retry_after':
      return { retryAfterS: fault.retryAfterS ?? 1 };
    default:
      return undefined;
  }
}

/** What the faults in force do to a job, merged; the first (the header's) wins on the same setting. */
export function jobFaultOf(faults: readonly Fault[]): JobFault | undefined {
  let merged: JobFault | undefined;
  for (let i = faults.length - 1; i >= 0; i--) {
    const one = jobFaultOfOne(faults[i]!);
    if (one) merged = { ...merged, ...one };
  }
  return merged;
}
