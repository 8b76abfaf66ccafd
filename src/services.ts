import { effectiveRenderConcurrency, splitList, type Config } from './config.js';
import { authPolicy, type AuthPolicy } from './domain/auth.js';
import { parseDecimal } from './domain/billing.js';
import { ClientTracker } from './domain/client-report.js';
import { FaultRules } from './domain/fault-rules.js';
import { JobService } from './domain/jobs.js';
import { RateLimiter } from './domain/rate-limit.js';
import { ChangeFeed } from './lib/change-feed.js';
import { ManualClock, systemClock, type Clock } from './lib/clock.js';
import { MockProvider } from './providers/mock-provider.js';
import { loadPool, ProviderPool } from './providers/pool.js';
import type { RenderParams } from './render/placeholder.js';
import { Renderer } from './render/renderer.js';
import { ImageLinks } from './store/image-links.js';
import { MemoryJobStore, type JobStore } from './store/job-store.js';
import { Journal } from './store/journal.js';
import { Ledger } from './store/ledger.js';

/** Everything a request may need, built once per app; routes receive it as plugin options. */
export interface Services {
  config: Config;
  clock: Clock;
  pool: ProviderPool;
  renderer: Renderer;
  imageLinks: ImageLinks;
  ledger: Ledger;
  jobs: JobService;
  faults: FaultRules;
  journal: Journal;
  tracker: ClientTracker;
  auth: AuthPolicy;
  /** REVOKED_API_KEYS, restored by a full reset. */
  initialRevoked: readonly string[];
  /** Absent when RATE_LIMIT_RPM=0. */
  rateLimiter: RateLimiter | undefined;
  provider(address: string): MockProvider;
  /** Notified after every request that may change state (the console's event streams listen). */
  changes: ChangeFeed;
  /** `warmedUp` settles once the renderer has drawn its first image (ready is then true). */
  lifecycle: { ready: boolean; shuttingDown: boolean; warmedUp: Promise<void> };
}

export interface AppDeps {
  clock?: Clock;
  pool?: ProviderPool;
  jobStore?: JobStore;
  /** Replaces the placeholder drawing, e.g. with a slow or failing one in tests. */
  draw?: (p: RenderParams) => Promise<Buffer>;
  /** Where log lines go instead of stdout (tests read them back). */
  logStream?: NodeJS.WritableStream;
}

export function buildServices(config: Config, deps: AppDeps = {}): Services {
  const clock = deps.clock ?? (config.clock === 'manual' ? new ManualClock(Date.now()) : systemClock);
  const pool = deps.pool ?? loadPool(config.poolFile);
  const renderer = new Renderer({
    cacheBytes: Math.round(config.renderCacheMb * 1024 * 1024),
    concurrency: effectiveRenderConcurrency(config),
    queueMax: config.renderQueueMax,
    ...(deps.draw ? { draw: deps.draw } : {}),
  });
  const providers = new Map(pool.providers.map((spec) => [spec.address.toLowerCase(), new MockProvider(spec, renderer, clock)]));
  const provider = (address: string): MockProvider => {
    const p = providers.get(address.toLowerCase());
    if (!p) throw new Error(`no mock provider for ${address}`);
    return p;
  };
  const ledger = new Ledger({
    defaultBalanceNeuron: parseDecimal(config.defaultBalance0g, 18),
    defaultBalanceMicroUsd: parseDecimal(config.defaultBalanceUsd, 6),
    usdPer0g: config.usdPer0g,
  });
  const faults = new FaultRules();
  const jobs = new JobService({ clock, store: deps.jobStore ?? new MemoryJobStore(), ledger, pool, config, faults, provider });
  return {
    config,
    clock,
    pool,
    renderer,
    imageLinks: new ImageLinks(clock),
    ledger,
    jobs,
    faults,
    journal: new Journal(config.journalMax),
    tracker: new ClientTracker(),
    auth: authPolicy(config),
    initialRevoked: splitList(config.revokedApiKeys),
    rateLimiter: config.rateLimitRpm > 0 ? new RateLimiter(clock, config.rateLimitRpm) : undefined,
    provider,
    changes: new ChangeFeed(),
    lifecycle: { ready: false, shuttingDown: false, warmedUp: Promise.resolve() },
  };
}
