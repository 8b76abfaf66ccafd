import { createHash } from 'node:crypto';

/** What the inference routes tell the tracker about each answered request. */
export interface Observation {
  keyId: string;
  kind: 'sync' | 'submit' | 'poll' | 'other';
  atMs: number;
  requestId: string;
  status: number;
  jobId?: string;
  jobStatus?: string;
  retryAfterS?: number;
  bodyHash?: string;
  stainlessRetry?: number;
  usedDeprecatedProvider?: boolean;
}

interface KeyState {
  advice: Map<string, { atMs: number; retryAfterS: number }>;
  earlyPolls: { jobId: string; atMs: number; waitedMs: number; retryAfterS: number }[];
  earlyPollCount: number;
  jobs: Map<string, { submittedMs: number; lastSeen: string }>;
  submits: Map<string, { requestIds: string[]; jobIds: string[] }>;
  stainlessRetries: { requestId: string; retryCount: number }[];
  deprecated: { requestId: string; field: string }[];
  deprecatedCount: number;
  expiredPolls: { jobId: string; atMs: number }[];
}

const LIST_MAX = 100;
const JOBS_MAX = 10_000;
/** Distinct bodies remembered per key for retry detection; the oldest are forgotten first. */
const BODIES_MAX = 5_000;

const push = <T>(list: T[], item: T) => {
  list.push(item);
  if (list.length > LIST_MAX) list.shift();
};

export function bodyHash(body: unknown): string | undefined {
  if (body === undefined) return undefined;
  const canonical = JSON.stringify(body, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

/**
 * Watches one key's traffic for what a client should not do against the real
 * Router: poll sooner than Retry-After, abandon jobs, retry submits (each
 * retry is billed), use deprecated fields, poll expired jobs. Bounded per key.
 */
export class ClientTracker {
  readonly #keys = new Map<string, KeyState>();

  observe(o: Observation): void {
    const s = this.#state(o.keyId);
    if (o.usedDeprecatedProvider) {
      s.deprecatedCount++;
      push(s.deprecated, { requestId: o.requestId, field: 'provider (body object; use X-0G-Provider-* headers)' });
    }
    if (o.stainlessRetry !== undefined && o.stainlessRetry > 0) push(s.stainlessRetries, { requestId: o.requestId, retryCount: o.stainlessRetry });
    if ((o.kind === 'submit' || o.kind === 'sync') && o.bodyHash) {
      let seen = s.submits.get(o.bodyHash);
      if (!seen) {
        if (s.submits.size >= BODIES_MAX) s.submits.delete(s.submits.keys().next().value!);
        seen = { requestIds: [], jobIds: [] };
        s.submits.set(o.bodyHash, seen);
      }
      if (seen.requestIds.length < LIST_MAX) {
        seen.requestIds.push(o.requestId);
        if (o.jobId) seen.jobIds.push(o.jobId);
      }
    }
    if (o.kind === 'submit' && o.jobId) {
      if (s.jobs.size >= JOBS_MAX) s.jobs.delete(s.jobs.keys().next().value!);
      s.jobs.set(o.jobId, { submittedMs: o.atMs, lastSeen: 'pending' });
    }
    if (o.kind === 'poll' && o.jobId) {
      const advice = s.advice.get(o.jobId);
      if (advice && o.atMs - advice.atMs < advice.retryAfterS * 1000) {
        s.earlyPollCount++;
        push(s.earlyPolls, { jobId: o.jobId, atMs: o.atMs, waitedMs: o.atMs - advice.atMs, retryAfterS: advice.retryAfterS });
      }
      const job = s.jobs.get(o.jobId);
      if (o.status === 404 && job) push(s.expiredPolls, { jobId: o.jobId, atMs: o.atMs });
      if (job && o.jobStatus) job.lastSeen = o.jobStatus;
    }
    if (o.jobId) {
      if (o.retryAfterS !== undefined) s.advice.set(o.jobId, { atMs: o.atMs, retryAfterS: o.retryAfterS });
      else s.advice.delete(o.jobId);
    }
  }

  /** The report; `jobStatus` says where each tracked job really is now (undefined: expired). */
  report(keyId: string, jobStatus: (jobId: string) => string | undefined, costOf: (requestId: string, jobId?: string) => bigint) {
    const s = this.#state(keyId);
    // A job that is gone has ended and expired: live jobs are never evicted.
    const terminal = (status: string) => status === 'completed' || status === 'failed';
    const abandoned = [...s.jobs]
      .map(([jobId, j]) => ({ jobId, status: jobStatus(jobId) ?? 'expired', lastSeenByClient: j.lastSeen }))
      .filter((j) => (terminal(j.status) || j.status === 'expired') && !terminal(j.lastSeenByClient));
    const retried = [...s.submits.values()]
      .filter((v) => v.requestIds.length > 1)
      .map((v) => {
        const repeats = v.requestIds.slice(1);
        const cost = repeats.reduce((sum, id, i) => sum + costOf(id, v.jobIds[i + 1]), 0n);
        return { requestIds: v.requestIds, repeats: repeats.length, repeatCost: cost.toString() };
      });
    return {
      early_polls: { count: s.earlyPollCount, examples: s.earlyPolls },
      jobs_never_polled_to_terminal: { count: abandoned.length, jobs: abandoned.slice(0, LIST_MAX) },
      retried_submits: {
        count: retried.reduce((n, r) => n + r.repeats, 0),
        repeat_cost: retried.reduce((n, r) => n + BigInt(r.repeatCost), 0n).toString(),
        groups: retried.slice(0, LIST_MAX),
        sdk_retries: s.stainlessRetries,
      },
      deprecated_fields: { count: s.deprecatedCount, examples: s.deprecated },
      expired_job_polls: { count: s.expiredPolls.length, examples: s.expiredPolls },
    };
  }

  reset(keyId?: string): void {
    if (keyId === undefined) this.#keys.clear();
    else this.#keys.delete(keyId);
  }

  #state(keyId: string): KeyState {
    let s = this.#keys.get(keyId);
    if (!s) {
      s = { advice: new Map(), earlyPolls: [], earlyPollCount: 0, jobs: new Map(), submits: new Map(), stainlessRetries: [], deprecated: [], deprecatedCount: 0, expiredPolls: [] };
      this.#keys.set(keyId, s);
    }
    return s;
  }
}
