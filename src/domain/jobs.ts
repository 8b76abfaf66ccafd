import type { Config } from '../config.js';
import { ApiError } from '../errors.js';
import type { Clock, TimerHandle } from '../lib/clock.js';
import { flat, newHexId } from '../lib/ids.js';
import type { MockProvider } from '../providers/mock-provider.js';
import type { ProviderPool } from '../providers/pool.js';
import type { Job, JobStore } from '../store/job-store.js';
import type { Ledger } from '../store/ledger.js';
import type { ImageJobSpec } from './image-request.js';
import type { Billing } from '../schemas/common.js';
import { imageBilling, type Currency } from './billing.js';
import { doneAtMs, traceRequestIdOf } from './job-state.js';
import type { FaultRules } from './fault-rules.js';
import { faultPointOf, requestStage, serveFirst } from './fault-points.js';
import { jobFaultOf } from './faults.js';
import { admit, type RequestContext } from './generation.js';
import { rankCandidates } from './routing.js';

export type JobConfig = Pick<
  Config,
  'jobPendingMs' | 'jobTimeScale' | 'jobTtlS' | 'jobSweepIntervalS' | 'maxLiveJobs' | 'retryAfterS' | 'usdPer0g'
>;

export interface JobServiceDeps {
  clock: Clock;
  store: JobStore;
  ledger: Ledger;
  pool: ProviderPool;
  config: JobConfig;
  faults: FaultRules;
  provider(address: string): MockProvider;
}

/** Who submits: what the fault rules match on, and the request id the provider sees. */
type SubmitContext = Pick<RequestContext, 'requestId' | 'route' | 'keyId' | 'accountId' | 'key' | 'headerFault'>;

const DEFAULT_IMAGE_MS = 500;
/** Edit thumbnails held by retained jobs (a 256 px thumbnail of noise is ~200 KB; of a photo, tens of KB). */
export const MAX_SOURCE_BYTES = 256 * 1024 * 1024;
// Shared by every completed job: a retained job carries no outcome object of its own.
const COMPLETED = {
  '0g': Object.freeze({ status: 'completed', currency: '0g' }),
  usd: Object.freeze({ status: 'completed', currency: 'usd' }),
} as const;

/**
 * Submission, settlement and retention of async jobs. A job is settled (and
 * billed) by a clock timer at its completion time whether or not anyone polls;
 * a read that arrives first settles it itself, so reads never see stale state.
 */
export class JobService {
  readonly #timers = new Map<string, TimerHandle>();
  #sweepTimer: TimerHandle | undefined;

  constructor(private readonly deps: JobServiceDeps) {
    this.#scheduleSweep();
  }

  get liveCount(): number {
    return this.#timers.size;
  }

  async submit(spec: ImageJobSpec, ctx: SubmitContext): Promise<Job> {
    const { clock, config, pool } = this.deps;
    const keyId = ctx.keyId;
    if (this.liveCount >= config.maxLiveJobs) {
      throw new ApiError('provider_error', 'async job queue is full, please try again later', {
        'retry-after': String(Math.max(1, config.retryAfterS)),
      });
    }
    if (spec.source && this.deps.store.sourceBytes + spec.source.png.length > MAX_SOURCE_BYTES) {
      throw new ApiError('no_available_provider', 'The emulator holds the most edit images it keeps; retry when older jobs expire', {
        'retry-after': String(Math.max(1, config.retryAfterS)),
      });
    }
    admit(this.deps.ledger, ctx, spec.model.id, clock.nowMs());
    const point = faultPointOf(ctx, spec.model.id);
    const jobFault = jobFaultOf(await requestStage(this.deps.faults, point));
    // The provider that accepts the submit owns the job; one that fails it is skipped if fallbacks allow.
    const candidates = rankCandidates(pool, spec.model.id, spec.prefs, config.usdPer0g, ctx.key?.restrictions);
    const { endpoint } = await serveFirst(this.deps.faults, point, candidates, (e) =>
      this.deps.provider(e.provider.address).receive(spec.forward, ctx.requestId, spec.forwardHeaders),
    );
    const provider = endpoint.provider;
    const id = newHexId();
    const nowMs = clock.nowMs();
    const scale = config.jobTimeScale;
    const processingAfterMs = Math.round(config.jobPendingMs * scale);
    const processingMs = provider.latencyMs + (spec.model.imageMs ?? DEFAULT_IMAGE_MS) * spec.n;
    const job: Job = {
      id,
      keyId,
      accountId: ctx.accountId,
      providerAddress: provider.address,
      model: spec.model.id,
      prompt: spec.prompt,
      n: spec.n,
      width: spec.width,
      height: spec.height,
      responseFormat: spec.responseFormat,
      verifyTee: spec.verifyTee,
      priceNeuron: endpoint.priceNeuron,
      createdMs: nowMs,
      processingAfterMs,
      doneAfterMs: processingAfterMs + Math.round(processingMs * scale) + (jobFault?.extraProcessingMs ?? 0),
      polls: 0,
      source: spec.source,
      outcome: undefined,
      failWith: jobFault?.failWith,
      retryAfterS: jobFault?.retryAfterS,
    };
    this.deps.store.put(job);
    this.#timers.set(id, clock.schedule(job.doneAfterMs, () => this.settle(job)));
    return job;
  }

  /**
   * The job as `accountId` may see it (any key of the submitting account).
   * Unknown, expired and wrongly pinned jobs (provider or model) are all 404,
   * as the Router cannot tell them apart; another account's job is 403.
   */
  lookup(jobId: string, accountId: string, providerAddress?: string, model?: string): Job {
    const job = this.find(jobId);
    if (
      !job ||
      (providerAddress !== undefined && providerAddress.toLowerCase() !== job.providerAddress.toLowerCase()) ||
      (model !== undefined && model !== job.model)
    ) {
      throw new ApiError('async_job_not_found');
    }
    if (job.accountId !== accountId) throw new ApiError('access_denied');
    return job;
  }

  /** The job if it exists and has not expired, settled up to now. No ownership check. */
  find(jobId: string): Job | undefined {
    const job = this.deps.store.get(jobId);
    if (!job) return undefined;
    const nowMs = this.deps.clock.nowMs();
    if (!job.outcome && nowMs >= doneAtMs(job)) this.settle(job);
    if (this.#expired(job, nowMs)) {
      this.deps.store.delete(job.id);
      return undefined;
    }
    return job;
  }

  /** Every retained job, settled or not, for metrics and reports. */
  all(): IterableIterator<Job> {
    return this.deps.store.values();
  }

  /** Decides the job's outcome once, at its completion time, and books the charge. */
  settle(job: Job): void {
    if (job.outcome) return;
    this.#timers.get(job.id)?.cancel();
    this.#timers.delete(job.id);
    const provider = this.deps.pool.provider(job.providerAddress);
    if (job.failWith !== undefined) {
      job.outcome = { status: 'failed', errorMessage: job.failWith };
      return;
    }
    if (!provider?.healthy) {
      job.outcome = { status: 'failed', errorMessage: `provider request failed: provider ${job.providerAddress} is unavailable` };
      return;
    }
    const booked = this.deps.ledger.book(job.accountId, {
      apiKeyId: job.keyId,
      trustMode: provider.trustMode,
      requestId: flat(traceRequestIdOf(job)),
      jobId: job.id,
      model: job.model,
      provider: job.providerAddress,
      images: job.n,
      amountNeuron: job.priceNeuron * BigInt(job.n),
      atMs: doneAtMs(job),
    });
    job.outcome = COMPLETED[booked.currency];
  }

  /** The trace billing of a completed job: what its settlement booked. */
  billing(job: Job, currency: Currency): Billing {
    return imageBilling(this.deps.ledger.amountIn(currency, job.priceNeuron * BigInt(job.n)), currency);
  }

  /** The Retry-After this job's submit and non-terminal polls carry, or undefined for none. */
  retryAfterS(job: Job): number | undefined {
    const seconds = job.retryAfterS === undefined ? this.deps.config.retryAfterS : job.retryAfterS;
    return seconds === null || seconds <= 0 ? undefined : seconds;
  }

  /** Removes finished jobs past retention; live jobs are never touched. */
  sweep(): number {
    const nowMs = this.deps.clock.nowMs();
    let removed = 0;
    for (const job of this.deps.store.values()) {
      if (this.#expired(job, nowMs)) {
        this.deps.store.delete(job.id);
        removed++;
      }
    }
    return removed;
  }

  /** Forgets every job (or one account's), cancelling their timers: nothing is booked for them. */
  reset(accountId?: string): void {
    for (const job of [...this.deps.store.values()]) {
      if (accountId !== undefined && job.accountId !== accountId) continue;
      this.#timers.get(job.id)?.cancel();
      this.#timers.delete(job.id);
      this.deps.store.delete(job.id);
    }
  }

  close(): void {
    this.#sweepTimer?.cancel();
    for (const timer of this.#timers.values()) timer.cancel();
  }

  #expired(job: Job, nowMs: number): boolean {
    return job.outcome !== undefined && nowMs - doneAtMs(job) > this.deps.config.jobTtlS * 1000;
  }

  #scheduleSweep(): void {
    this.#sweepTimer = this.deps.clock.every(this.deps.config.jobSweepIntervalS * 1000, () => this.sweep());
  }
}
