import type { Currency } from '../domain/billing.js';
import type { Job, JobOutcome } from '../store/job-store.js';
import { arr, bad, bool, dec, int, obj, oneOf, optStr, str, type Obj } from './dump-read.js';
import type { Json } from './types.js';

/*
 * A job as JSON: the dump format of both job stores, and what the Redis store
 * keeps (bigints as decimal strings, the edit thumbnail as base64; fields that
 * are undefined are left out, and retryAfterS null means "no Retry-After").
 */

// A completed outcome is read-only: every job completed in one currency shares one object.
const COMPLETED: Record<Currency, JobOutcome> = {
  '0g': Object.freeze({ status: 'completed', currency: '0g' }),
  usd: Object.freeze({ status: 'completed', currency: 'usd' }),
};

/** The outcome as a job keeps it: completed ones shared, failed ones copied. */
export function keptOutcome(outcome: JobOutcome): JobOutcome {
  return outcome.status === 'completed' ? COMPLETED[outcome.currency] : { ...outcome };
}

/**
 * A copy that shares nothing a caller could change with the stored job (the
 * thumbnail Buffer is never written to; a completed outcome is frozen). Field
 * by field, one literal: stores copy a job on every read, and a spread with
 * overrides is V8's slow copy.
 */
export function copyJob(job: Job): Job {
  return {
    id: job.id,
    keyId: job.keyId,
    accountId: job.accountId,
    providerAddress: job.providerAddress,
    model: job.model,
    prompt: job.prompt,
    n: job.n,
    width: job.width,
    height: job.height,
    responseFormat: job.responseFormat,
    verifyTee: job.verifyTee,
    source: job.source && { ...job.source },
    priceNeuron: job.priceNeuron,
    createdMs: job.createdMs,
    processingAfterMs: job.processingAfterMs,
    doneAfterMs: job.doneAfterMs,
    polls: job.polls,
    outcome: job.outcome && keptOutcome(job.outcome),
    failWith: job.failWith,
    retryAfterS: job.retryAfterS,
  };
}

/** Newest first: createdMs, then id, both descending (the Redis store's ZRANGE REV order). */
export function newestFirst(a: Job, b: Job): number {
  return b.createdMs - a.createdMs || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

export function jobToJson(job: Job): Obj {
  const { source, outcome, failWith, retryAfterS } = job;
  return {
    id: job.id,
    keyId: job.keyId,
    accountId: job.accountId,
    providerAddress: job.providerAddress,
    model: job.model,
    prompt: job.prompt,
    n: job.n,
    width: job.width,
    height: job.height,
    responseFormat: job.responseFormat,
    verifyTee: job.verifyTee,
    ...(source ? { source: { ...source, png: source.png.toString('base64') } } : {}),
    priceNeuron: job.priceNeuron.toString(),
    createdMs: job.createdMs,
    processingAfterMs: job.processingAfterMs,
    doneAfterMs: job.doneAfterMs,
    polls: job.polls,
    ...(outcome ? { outcome: { ...outcome } } : {}),
    ...(failWith === undefined ? {} : { failWith }),
    ...(retryAfterS === undefined ? {} : { retryAfterS }),
  };
}

const CURRENCIES: readonly Currency[] = ['0g', 'usd'];

function outcomeOf(o: Obj, path: string): JobOutcome {
  if (oneOf(o, 'status', path, ['completed', 'failed'] as const) === 'completed') return { status: 'completed', currency: oneOf(o, 'currency', path, CURRENCIES) };
  return { status: 'failed', errorMessage: str(o, 'errorMessage', path) };
}

function base64(o: Obj, key: string, path: string): Buffer {
  const v = str(o, key, path);
  return v.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(v) ? Buffer.from(v, 'base64') : bad(`${path}.${key}`, 'base64');
}

export function jobFromJson(v: unknown, path: string): Job {
  const o = obj(v, path);
  const source = o.source === undefined ? undefined : obj(o.source, `${path}.source`);
  const retryAfterS = o.retryAfterS;
  if (retryAfterS !== undefined && retryAfterS !== null) int(o, 'retryAfterS', path);
  return {
    id: str(o, 'id', path),
    keyId: str(o, 'keyId', path),
    accountId: str(o, 'accountId', path),
    providerAddress: str(o, 'providerAddress', path),
    model: str(o, 'model', path),
    prompt: str(o, 'prompt', path),
    n: int(o, 'n', path, 1),
    width: int(o, 'width', path, 1),
    height: int(o, 'height', path, 1),
    responseFormat: oneOf(o, 'responseFormat', path, ['b64_json', 'url'] as const),
    verifyTee: bool(o, 'verifyTee', path),
    source: source && {
      png: base64(source, 'png', `${path}.source`),
      hash: str(source, 'hash', `${path}.source`),
      masked: bool(source, 'masked', `${path}.source`),
      references: int(source, 'references', `${path}.source`),
    },
    priceNeuron: dec(o, 'priceNeuron', path),
    createdMs: int(o, 'createdMs', path, Number.MIN_SAFE_INTEGER),
    processingAfterMs: int(o, 'processingAfterMs', path),
    doneAfterMs: int(o, 'doneAfterMs', path),
    polls: int(o, 'polls', path),
    outcome: o.outcome === undefined ? undefined : outcomeOf(obj(o.outcome, `${path}.outcome`), `${path}.outcome`),
    failWith: optStr(o, 'failWith', path),
    retryAfterS: retryAfterS as number | null | undefined,
  };
}

export function jobsToJson(jobs: Job[]): Json {
  return { jobs: jobs.sort((a, b) => -newestFirst(a, b)).map(jobToJson) as Json[] };
}

export function jobsFromJson(json: Json): Job[] {
  return arr(obj(json, 'jobs').jobs ?? [], 'jobs.jobs').map((j, i) => jobFromJson(j, `jobs.jobs[${i}]`));
}
