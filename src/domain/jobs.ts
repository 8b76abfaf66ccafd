import type { Config } from '../config.js';
import { ApiError } from '../errors.js';
import type { Clock, TimerHandle } from '../lib/clock.js';
import { flat, newHexId } from '../lib/ids.js';
import type { MockProvider } from '../providers/mock-provider.js';
import type { ProviderPool } from '../providers/pool.js';
import type { JobBooking, JobStore } from '../state/types.js';
import type { Job, JobOutcome, JobStatus } from '../store/job-store.js';
import type { ImageJobSpec } from './image-request.js';
import type { Billing } from '../schemas/common.js';
import { imageBilling, type Currency } from './billing.js';
import { doneAtMs, traceRequestIdOf } from './job-state.js';
import type { FaultRules } from './fault-rules.js';
import { faultPointOf, requestStage, serveFirst } from './fault-points.js';
import { jobFaultOf } from './faults.js';
import { admit, type RequestContext } from './generation.js';
import type { LedgerService } from './ledger.js';
import type { ProviderHealth } from './provider-health.js';
import { rankCandidates } from './routing.js';

export type JobConfig = Pick<
  Config,
  'jobPendingMs' | 'jobTimeScale' | 'jobTtlS' | 'jobSweepIntervalS' | 'maxLiveJobs' | 'retryAfterS' | 'usdPer0g'
>;

export interface JobServiceDeps {
  clock: Clock;
  store: JobStore;
  ledger: LedgerService;
  pool: ProviderPool;
  health: ProviderHealth;
  config: JobConfig;
  faults: FaultRules;
  provider(address: string): MockProvider;
  /** Background settlement failed (the state store is down): logged, retried on the next pass. */
  onError?(err: unknown): void;
}

/** Who submits: what the fault rules match on, and the request id the provider sees. */
type SubmitContext = Pick<RequestContext, 'requestId' | 'route' | 'keyId' | 'accountId' | 'key' | 'headerFault'>;

const DEFAULT_IMAGE_MS = 500;
/** Edit thumbnails held by retained jobs (a 256 px thumbnail of noise is ~200 KB; of a photo, tens of KB). */
export const MAX_SOURCE_BYTES = 256 * 1024 * 1024;
/** How often every process looks for due jobs nobody settled (their process died, or another accepted them). */
const SETTLE_PASS_MS = 1000;
const SETTLE_BATCH = 200;

/**
 * Submission, settlement and retention of async jobs. A job's outcome is a
 * function of stored data and the clock: it is decided at its completion time
 * (failing if its provider is unhealthy then) and billed in the same atomic
 * step of the store, by whichever comes first: a read of the job, this
 * process's wake-up at its completion time, or any process's periodic pass
 * over due jobs. No process owns a job: one killed before its job completes
 * leaves it to the others, or to itself after a restart.
 */
export class JobService {
  /** This process's one wake-up, at the earliest completion time it knows of (not a timer per job). */
  #wake: { atMs: number; timer: TimerHandle } | undefined;
  readonly #timers: TimerHandle[] = [];
  #pass: Promise<number> | undefined;
  #again = false;

  constructor(private readonly deps: JobServiceDeps) {
    this.#timers.push(
      deps.clock.every(deps.config.jobSweepIntervalS * 1000, () => void this.sweep().catch((err) => deps.onError?.(err))),
      deps.clock.every(SETTLE_PASS_MS, () => void this.settleDue()),
    );
  }

  async submit(spec: ImageJobSpec, ctx: SubmitContext): Promise<Job> {
    const { clock, config, pool } = this.deps;
    const counts = await this.deps.store.counts();
    if (counts.live >= config.maxLiveJobs) {
      throw new ApiError('provider_error', 'async job queue is full, please try again later', {
        'retry-after': String(Math.max(1, config.retryAfterS)),
      });
    }
    if (spec.source && counts.sourceBytes + spec.source.png.length > MAX_SOURCE_BYTES) {
      throw new ApiError('no_available_provider', 'The emulator holds the most edit images it keeps; retry when older jobs expire', {
        'retry-after': String(Math.max(1, config.retryAfterS)),
      });
    }
    await admit(this.deps.ledger, ctx, spec.model.id, clock.nowMs());
    const point = faultPointOf(ctx, spec.model.id);
    const jobFault = jobFaultOf(await requestStage(this.deps.faults, point));
    // The provider that accepts the submit owns the job; one that fails it is skipped if fallbacks allow.
    const candidates = rankCandidates(pool, spec.model.id, spec.prefs, config.usdPer0g, ctx.key?.restrictions);
    const { endpoint } = await serveFirst(this.deps.faults, point, candidates, (e) =>
      this.deps.provider(e.provider.address).receive(spec.forward, ctx.requestId, spec.headers),
    );
    const provider = endpoint.provider;
    const scale = config.jobTimeScale;
    const processingAfterMs = Math.round(config.jobPendingMs * scale);
    const processingMs = provider.latencyMs + (spec.model.imageMs ?? DEFAULT_IMAGE_MS) * spec.n;
    const job: Job = {
      id: newHexId(),
      keyId: ctx.keyId,
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
      createdMs: clock.nowMs(),
      processingAfterMs,
      doneAfterMs: processingAfterMs + Math.round(processingMs * scale) + (jobFault?.extraProcessingMs ?? 0),
      polls: 0,
      source: spec.source,
      outcome: undefined,
      failWith: jobFault?.failWith,
      retryAfterS: jobFault?.retryAfterS,
    };
    await this.deps.store.create(job);
    this.#wakeAt(doneAtMs(job));
    return job;
  }

  /**
   * The job as `accountId` may see it (any key of the submitting account).
   * Unknown, expired and wrongly pinned jobs (provider or model) are all 404,
   * as the Router cannot tell them apart; another account's job is 403.
   */
  async lookup(jobId: string, accountId: string, providerAddress?: string, model?: string): Promise<Job> {
    const job = await this.find(jobId);
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
  async find(jobId: string): Promise<Job | undefined> {
    let job = await this.deps.store.get(jobId);
    if (!job) return undefined;
    const nowMs = this.deps.clock.nowMs();
    if (!job.outcome && nowMs >= doneAtMs(job)) job = await this.settle(job);
    if (job && this.expired(job, nowMs)) {
      await this.deps.store.delete(job.id);
      return undefined;
    }
    return job;
  }

  /** Counts a poll; the job with its new poll count. */
  async countPoll(job: Job): Promise<Job> {
    return { ...job, polls: await this.deps.store.countPoll(job.id) };
  }

  /** Retained jobs, newest first, for metrics, reports and the console. */
  list(options?: { accountId?: string; limit?: number }): Promise<Job[]> {
    return this.deps.store.list(options);
  }

  /** How many retained jobs are in each state now. */
  statusCounts(): Promise<Record<JobStatus, number>> {
    return this.deps.store.statusCounts(this.deps.clock.nowMs());
  }

  async liveCount(): Promise<number> {
    return (await this.deps.store.counts()).live;
  }

  /**
   * Decides the job's outcome at its completion time and books the charge, in
   * one atomic step of the store: racing processes settle and bill it once.
   */
  async settle(job: Job): Promise<Job | undefined> {
    if (job.outcome) return job;
    const atMs = doneAtMs(job);
    const provider = this.deps.pool.provider(job.providerAddress);
    if (job.failWith !== undefined) return this.deps.store.settle(job.id, { status: 'failed', errorMessage: job.failWith });
    if (!provider || !this.deps.health.at(job.providerAddress, atMs)) {
      return this.deps.store.settle(job.id, { status: 'failed', errorMessage: `provider request failed: provider ${job.providerAddress} is unavailable` });
    }
    const { opening, charge, spend } = this.deps.ledger.booking(job.accountId, {
      apiKeyId: job.keyId,
      trustMode: provider.trustMode,
      requestId: flat(traceRequestIdOf(job)),
      jobId: job.id,
      model: job.model,
      provider: job.providerAddress,
      images: job.n,
      amountNeuron: job.priceNeuron * BigInt(job.n),
      atMs,
    });
    const booking: JobBooking = { accountId: job.accountId, opening, charge, spend };
    const outcome: JobOutcome = { status: 'completed', currency: opening.currency };
    return this.deps.store.settle(job.id, outcome, booking);
  }

  /**
   * Settles every job whose completion time has come; safe to run in every
   * process at once. A call during a pass joins it, and the pass runs once
   * more so jobs that came due meanwhile are included.
   */
  settleDue(): Promise<number> {
    if (this.#pass) {
      this.#again = true;
      return this.#pass;
    }
    this.#pass = this.#passes().finally(() => (this.#pass = undefined));
    return this.#pass;
  }

  async #passes(): Promise<number> {
    let settled = 0;
    try {
      do {
        this.#again = false;
        for (;;) {
          const ids = await this.deps.store.due(this.deps.clock.nowMs(), SETTLE_BATCH);
          // A batch at once: one after another, a shared store's round trips let due jobs pile up under load.
          const done = await Promise.all(
            ids.map(async (id) => {
              const job = await this.deps.store.get(id);
              return job !== undefined && !job.outcome && (await this.settle(job)) !== undefined;
            }),
          );
          settled += done.filter(Boolean).length;
          if (ids.length < SETTLE_BATCH) break;
        }
      } while (this.#again);
    } catch (err) {
      this.deps.onError?.(err);
    }
    return settled;
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

  /** Removes finished jobs past retention; live jobs are never touched. Due jobs are settled (and billed) first. */
  async sweep(): Promise<number> {
    await this.settleDue();
    return this.deps.store.expire(this.deps.clock.nowMs() - this.deps.config.jobTtlS * 1000);
  }

  /** Forgets every job (or one account's): nothing is booked for those not settled. */
  async reset(accountId?: string): Promise<void> {
    await this.deps.store.reset(accountId);
  }

  close(): void {
    for (const timer of this.#timers) timer.cancel();
    this.#wake?.timer.cancel();
    this.#wake = undefined;
  }

  /**
   * Settlement on time without a poll (any process may beat it): one timer, at
   * the earliest completion known; its pass settles every job then due and
   * arms the next, instead of a Node timer (and its closure) held per live job.
   */
  #wakeAt(atMs: number): void {
    if (this.#wake && this.#wake.atMs <= atMs) return;
    this.#wake?.timer.cancel();
    const timer = this.deps.clock.schedule(atMs - this.deps.clock.nowMs(), () => {
      this.#wake = undefined;
      void this.settleDue().then((settled) => this.#wakeForNext(settled));
    });
    this.#wake = { atMs, timer };
  }

  async #wakeForNext(settled: number): Promise<void> {
    try {
      const nextMs = await this.deps.store.nextDueMs();
      // A job already due after a pass that settled nothing is stuck (its store failing): the periodic pass retries it.
      if (nextMs !== undefined && (nextMs > this.deps.clock.nowMs() || settled > 0)) this.#wakeAt(nextMs);
    } catch (err) {
      this.deps.onError?.(err);
    }
  }

  /** Settled and past retention: as good as gone, whether or not the sweep has removed it yet. */
  expired(job: Job, nowMs: number): boolean {
    return job.outcome !== undefined && nowMs - doneAtMs(job) > this.deps.config.jobTtlS * 1000;
  }
}
