import { ApiError } from '../errors.js';
import { ClientTracker, type Observation, type ReportBody } from '../domain/client-report.js';
import { ReportDump } from '../schemas/state-dumps.js';
import { checkDump } from './dump-check.js';

/*
 * The client report is computed, when asked for, by replaying one key's
 * recent observations through a fresh ClientTracker: its findings about a key
 * depend only on that key's observations (jobs are tracked per submitting
 * key, bodies per key and hash), so the replay equals what a tracker fed all
 * traffic would say, and both backends store the same thing: the list.
 */

export interface ReportBounds {
  /** Observations kept per key, the newest: the report covers a key's last this many requests. */
  perKeyMax: number;
  /** Keys kept; past it, the least recently active key is forgotten. */
  keysMax: number;
  /** Observations kept across keys (at least perKeyMax); past it, least recently active keys are forgotten. */
  totalMax: number;
}

/** About 250 bytes an observation: some 25 MB at most, in the process or in Redis. */
export const REPORT_BOUNDS: ReportBounds = { perKeyMax: 2_000, keysMax: 1_000, totalMax: 100_000 };

export function checkBounds(bounds: ReportBounds): ReportBounds {
  if (!(bounds.perKeyMax >= 1 && bounds.keysMax >= 1 && bounds.totalMax >= bounds.perKeyMax)) throw new Error(`invalid report bounds ${JSON.stringify(bounds)}`);
  return bounds;
}

const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const finite = (v: unknown): number | undefined => (Number.isFinite(v) ? (v as number) : undefined);

/**
 * The observation as stored: known fields only, and none that JSON would
 * change (NaN, Infinity: a header such as `x-stainless-retry-count: 1e999`
 * reads as Infinity), so a replay after a trip through JSON or Redis sees
 * exactly what the live store saw. One literal with every field (undefined
 * where absent, which JSON drops): one hidden class for every stored
 * observation, where fields added one by one cost a property-array spill each.
 */
export function storedObservation(o: Observation): Observation {
  return {
    // Required fields too are checked, as before: a stored observation holds nothing JSON would change.
    keyId: text(o.keyId) as string,
    kind: text(o.kind) as Observation['kind'],
    requestId: text(o.requestId) as string,
    jobId: text(o.jobId),
    jobStatus: text(o.jobStatus),
    bodyHash: text(o.bodyHash),
    atMs: finite(o.atMs) as number,
    status: finite(o.status) as number,
    retryAfterS: finite(o.retryAfterS),
    startedRealMs: finite(o.startedRealMs),
    endedRealMs: finite(o.endedRealMs),
    stainlessRetry: finite(o.stainlessRetry),
    usedDeprecatedProvider: o.usedDeprecatedProvider === true ? true : undefined,
  };
}

export function replayReport(
  keyId: string,
  observations: readonly Observation[],
  jobStatus: (jobId: string) => string | undefined,
  costOf: (requestId: string, jobId?: string) => bigint,
): ReportBody {
  const tracker = new ClientTracker();
  for (const o of observations) tracker.observe(o);
  return tracker.report(keyId, jobStatus, costOf);
}

/** A report dump checked, each key's observations its own. */
export function checkReportDump(dump: unknown): ReportDump {
  const d = checkDump<ReportDump>(ReportDump, dump, 'client report');
  d.keys.forEach((k, i) => {
    const j = k.observations.findIndex((o) => o.keyId !== k.keyId);
    if (j >= 0) throw new ApiError('bad_request', `invalid client report dump: /keys/${i}/observations/${j}/keyId: is not the key's own (${k.keyId})`);
  });
  return d;
}
