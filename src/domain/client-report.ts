import * as crypto from 'node:crypto';
import { flat } from '../lib/ids.js';

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
  /** Real (monotonic) time the request arrived and was answered: the emulator clock may stand still. */
  startedRealMs?: number;
  endedRealMs?: number;
  stainlessRetry?: number;
  usedDeprecatedProvider?: boolean;
}

/** Per-key findings: short example lists and counts. */
interface KeyState {
  earlyPolls: { jobId: string; atMs: number; waitedMs: number; retryAfterS: number }[];
  earlyPollCount: number;
  stainlessRetries: { requestId: string; retryCount: number }[];
  deprecated: { requestId: string; field: string }[];
  deprecatedCount: number;
  expiredPolls: { jobId: string; atMs: number }[];
}

/** A submitted job as its client last saw it, and the Retry-After it was last given (0: none). */
interface TrackedJob {
  keyId: string;
  lastSeen: string;
  adviceAtMs: number;
  retryAfterS: number;
}

interface SeenBody {
  keyId: string;
  requestIds: string[];
  jobIds: (string | undefined)[];
  /** Whether each request started after an identical one had been answered: only those are retries. */
  retried: boolean[];
  firstAnsweredRealMs: number;
}

const LIST_MAX = 100;
/*
 * Bounds across all keys, oldest forgotten first, so memory does not scale
 * with the number of keys or jobs: a long soak or 100k retained jobs keep the
 * tracker at a few MB. Findings about older traffic are then undercounted.
 */
const JOBS_MAX = 20_000;
const BODIES_MAX = 20_000;
const KEYS_MAX = 1_000;

const push = <T>(list: T[], item: T) => {
  list.push(item);
  if (list.length > LIST_MAX) list.shift();
};

/** Inserts into a Map used as a FIFO of at most `max` entries. */
function remember<K, V>(map: Map<K, V>, key: K, value: V, max: number): V {
  if (map.size >= max) map.delete(map.keys().next().value!);
  map.set(key, value);
  return value;
}

/** Objects re-created with their keys sorted (code-unit order) when they are not already: a retry with reordered fields is the same body. */
function sortedKeys(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  let sorted = true;
  for (let i = 1; i < keys.length && sorted; i++) sorted = keys[i - 1]! < keys[i]!;
  if (sorted) return value;
  const object = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of keys.sort()) out[k] = object[k];
  return out;
}

const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');
const HEX_OUT = Buffer.alloc(16);

/** Two 32-bit multiply-xorshift lanes (the cyrb53 construction, both lanes kept): 16 hex digits. */
class Fingerprint {
  #h1 = 0xdeadbeef;
  #h2 = 0x41c6ce57;

  code(c: number): void {
    this.#h1 = Math.imul(this.#h1 ^ c, 2654435761);
    this.#h2 = Math.imul(this.#h2 ^ c, 1597334677);
  }

  /** The text's length, then its code units: no two sequences of texts feed the same codes. */
  text(text: string): void {
    this.code(text.length);
    for (let i = 0; i < text.length; i++) this.code(text.charCodeAt(i));
  }

  /** One flat 16-character string: hashes are kept by the report store, where two joined halves cost three objects. */
  hex(): string {
    const h1 = Math.imul(this.#h1 ^ (this.#h1 >>> 16), 2246822507) ^ Math.imul(this.#h2 ^ (this.#h2 >>> 13), 3266489909);
    const h2 = Math.imul(this.#h2 ^ (this.#h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
    for (let i = 0; i < 8; i++) {
      HEX_OUT[i] = HEX_DIGITS[(h1 >>> (28 - 4 * i)) & 15]!;
      HEX_OUT[8 + i] = HEX_DIGITS[(h2 >>> (28 - 4 * i)) & 15]!;
    }
    return HEX_OUT.toString('latin1');
  }
}

/** A flat object (no nested objects or arrays) fingerprinted field by field in key order; undefined otherwise. */
function flatHash(body: Record<string, unknown>): string | undefined {
  const fp = new Fingerprint();
  for (const key of Object.keys(body).sort()) {
    const value = body[key];
    if (value !== null && typeof value === 'object') return undefined;
    fp.text(key);
    fp.code(typeof value === 'string' ? 1 : 2);
    fp.text(String(value));
  }
  return fp.hex();
}

/**
 * A body fingerprint for retry detection, order of fields aside. Flat bodies
 * (every JSON generation request) are fed to the hash field by field; others
 * go through canonical JSON. Not a security boundary: a SHA-1 call cost ~2 µs
 * per request, mostly fixed overhead, for a ~100-byte body.
 */
export function bodyHash(body: unknown): string | undefined {
  if (body === undefined) return undefined;
  const flat = body !== null && typeof body === 'object' && !Array.isArray(body) ? flatHash(body as Record<string, unknown>) : undefined;
  return flat ?? textHash(JSON.stringify(body, sortedKeys) ?? 'null');
}

/**
 * Past this size a JSON body is hashed as sent: key order then counts, but a
 * 1 MiB body of junk costs a digest, not a walk over its objects (SDK retries
 * resend the same bytes anyway).
 */
export const CANONICAL_MAX_BYTES = 64 * 1024;

/** Short texts by Fingerprint; long ones by SHA-1, whose native speed wins past a few KB (crypto.hash: Node 20.12+). */
export function textHash(text: string): string {
  if (text.length > 4096) return (crypto.hash ? crypto.hash('sha1', text, 'hex') : crypto.createHash('sha1').update(text).digest('hex')).slice(0, 16);
  const fp = new Fingerprint();
  fp.text(text);
  return fp.hex();
}

/**
 * Watches one key's traffic for what a client should not do against the real
 * Router: poll sooner than Retry-After, abandon jobs, retry submits (each
 * retry is billed), use deprecated fields, poll expired jobs. Bounded per key.
 */
export class ClientTracker {
  readonly #keys = new Map<string, KeyState>();
  readonly #jobs = new Map<string, TrackedJob>();
  readonly #bodies = new Map<string, SeenBody>();

  observe(o: Observation): void {
    const s = this.#state(o.keyId);
    if (o.usedDeprecatedProvider) {
      s.deprecatedCount++;
      push(s.deprecated, { requestId: o.requestId, field: 'provider (body object; use X-0G-Provider-* headers)' });
    }
    if (o.stainlessRetry !== undefined && o.stainlessRetry > 0) push(s.stainlessRetries, { requestId: o.requestId, retryCount: o.stainlessRetry });
    if ((o.kind === 'submit' || o.kind === 'sync') && o.bodyHash) {
      const bodyKey = flat(`${o.keyId} ${o.bodyHash}`);
      const seen =
        this.#bodies.get(bodyKey) ??
        remember(this.#bodies, bodyKey, { keyId: o.keyId, requestIds: [], jobIds: [], retried: [], firstAnsweredRealMs: Infinity }, BODIES_MAX);
      if (seen.requestIds.length < LIST_MAX) {
        seen.requestIds.push(o.requestId);
        seen.jobIds.push(o.jobId);
        // Requests that overlap in time (an SDK splitting n=2 into two n=1 calls) are not retries of each other.
        seen.retried.push(seen.requestIds.length > 1 && (o.startedRealMs ?? Infinity) >= seen.firstAnsweredRealMs);
      }
      // Without timings (unit tests) requests count as sequential.
      seen.firstAnsweredRealMs = Math.min(seen.firstAnsweredRealMs, o.endedRealMs ?? -Infinity);
    }
    if (!o.jobId) return;
    let job = this.#jobs.get(o.jobId);
    if (o.kind === 'submit') job = remember(this.#jobs, o.jobId, { keyId: o.keyId, lastSeen: 'pending', adviceAtMs: 0, retryAfterS: 0 }, JOBS_MAX);
    if (!job || job.keyId !== o.keyId) return;
    if (o.kind === 'poll') {
      if (job.retryAfterS > 0 && o.atMs - job.adviceAtMs < job.retryAfterS * 1000) {
        s.earlyPollCount++;
        push(s.earlyPolls, { jobId: o.jobId, atMs: o.atMs, waitedMs: o.atMs - job.adviceAtMs, retryAfterS: job.retryAfterS });
      }
      if (o.status === 404) push(s.expiredPolls, { jobId: o.jobId, atMs: o.atMs });
      if (o.jobStatus) job.lastSeen = o.jobStatus;
    }
    job.adviceAtMs = o.atMs;
    job.retryAfterS = o.retryAfterS ?? 0;
  }

  /** The report; `jobStatus` says where each tracked job really is now (undefined: expired). */
  report(keyId: string, jobStatus: (jobId: string) => string | undefined, costOf: (requestId: string, jobId?: string) => bigint) {
    const s = this.#state(keyId);
    // A job that is gone has ended and expired: live jobs are never evicted.
    const terminal = (status: string) => status === 'completed' || status === 'failed';
    const abandoned = [...this.#jobs]
      .filter(([, j]) => j.keyId === keyId)
      .map(([jobId, j]) => ({ jobId, status: jobStatus(jobId) ?? 'expired', lastSeenByClient: j.lastSeen }))
      .filter((j) => (terminal(j.status) || j.status === 'expired') && !terminal(j.lastSeenByClient));
    // A retry's cost is what was booked twice: it counts only when an identical earlier request was billed too.
    const retried = [...this.#bodies.values()]
      .filter((v) => v.keyId === keyId && v.retried.includes(true))
      .map((v) => {
        let billedBefore = false;
        let cost = 0n;
        v.requestIds.forEach((id, i) => {
          const booked = costOf(id, v.jobIds[i]);
          if (v.retried[i] && billedBefore) cost += booked;
          if (booked > 0n) billedBefore = true;
        });
        return { requestIds: v.requestIds, repeats: v.retried.filter(Boolean).length, repeatCost: cost.toString() };
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
    if (keyId === undefined) {
      this.#keys.clear();
      this.#jobs.clear();
      this.#bodies.clear();
      return;
    }
    this.#keys.delete(keyId);
    for (const [id, job] of this.#jobs) if (job.keyId === keyId) this.#jobs.delete(id);
    for (const [key, body] of this.#bodies) if (body.keyId === keyId) this.#bodies.delete(key);
  }

  #state(keyId: string): KeyState {
    return (
      this.#keys.get(keyId) ??
      remember(this.#keys, keyId, { earlyPolls: [], earlyPollCount: 0, stainlessRetries: [], deprecated: [], deprecatedCount: 0, expiredPolls: [] }, KEYS_MAX)
    );
  }
}

export type ReportBody = ReturnType<ClientTracker['report']>;
