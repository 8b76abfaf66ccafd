import { ConfigError, effectiveRenderConcurrency, splitList, type Config } from './config.js';
import { readConfigFile } from './config-file.js';
import { AccountRegistry } from './domain/accounts.js';
import { ApiKeyService } from './domain/api-keys.js';
import { AccountApi } from './domain/usage.js';
import { authPolicy, type AuthPolicy } from './domain/auth.js';
import { parseDecimal } from './domain/billing.js';
import { FaultRules } from './domain/fault-rules.js';
import { JobService } from './domain/jobs.js';
import { LedgerService } from './domain/ledger.js';
import { ProviderHealth } from './domain/provider-health.js';
import { RateLimiter } from './domain/rate-limit.js';
import { ChangeFeed } from './lib/change-feed.js';
import { ManualClock, systemClock, type Clock } from './lib/clock.js';
import { keyIdOf } from './lib/ids.js';
import { MockProvider } from './providers/mock-provider.js';
import { loadPool, ProviderPool } from './providers/pool.js';
import type { RenderParams } from './render/placeholder.js';
import { Renderer } from './render/renderer.js';
import { openState } from './state/backend.js';
import { ControlState } from './state/control.js';
import { registerControlKinds } from './state/control-kinds.js';
import type { JournalStore, ReportStore, StateBackend } from './state/types.js';
import { ImageLinks } from './store/image-links.js';
import type { AccountSpec } from './schemas/accounts.js';

/** Everything a request may need, built once per app; routes receive it as plugin options. */
export interface Services {
  config: Config;
  clock: Clock;
  pool: ProviderPool;
  /** Provider health over time (the catalog, routing and settlement read it). */
  health: ProviderHealth;
  renderer: Renderer;
  imageLinks: ImageLinks;
  /** Where state lives: memory, or Redis (REDIS_URL). */
  state: StateBackend;
  /** Control state (accounts, revocations, fault rules, provider health, manual clock), shared by replicas. */
  control: ControlState;
  ledger: LedgerService;
  jobs: JobService;
  faults: FaultRules;
  journal: JournalStore;
  reports: ReportStore;
  auth: AuthPolicy;
  /** Accounts that own keys (management keys, API keys with restrictions). */
  accounts: AccountRegistry;
  apiKeys: ApiKeyService;
  accountApi: AccountApi;
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
  /** Accounts declared in the config file; default: read from EMULATOR_CONFIG when no pool is given. */
  accounts?: readonly AccountSpec[];
  /** A state backend built by the caller (tests); default: from REDIS_URL, else memory. */
  state?: StateBackend;
  /** Replaces the placeholder drawing, e.g. with a slow or failing one in tests. */
  draw?: (p: RenderParams) => Promise<Buffer>;
  /** Where log lines go instead of stdout (tests read them back). */
  logStream?: NodeJS.WritableStream;
  /** Told when the state store goes down or comes back. */
  onStateStatus?: (ok: boolean, reason: string | undefined) => void;
}

export async function buildServices(config: Config, deps: AppDeps = {}): Promise<Services> {
  const clock = deps.clock ?? (config.clock === 'manual' ? new ManualClock(Date.now()) : systemClock);
  const pool = deps.pool ?? loadPool(config.poolFile);
  const health = new ProviderHealth(pool, () => clock.nowMs());
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
  const declared = deps.accounts ?? (config.poolFile && !deps.pool ? (readConfigFile(config.poolFile).accounts ?? []) : []);
  let accounts: AccountRegistry;
  try {
    accounts = new AccountRegistry(declared, { maxAccounts: config.maxAccounts, maxKeysPerAccount: config.maxApiKeysPerAccount }, () => clock.nowMs());
  } catch (err) {
    throw new ConfigError(`Invalid accounts: ${(err as Error).message}`);
  }
  const state = deps.state ?? (await openState(config, deps.onStateStatus));
  const control = new ControlState(state.kind === 'redis' ? state.docs : undefined);
  const usdKeyIds = new Set(splitList(config.usdApiKeys).map(keyIdOf));
  const ledger = new LedgerService(state.ledger, {
    defaultBalanceNeuron: parseDecimal(config.defaultBalance0g, 18),
    defaultBalanceMicroUsd: parseDecimal(config.defaultBalanceUsd, 6),
    usdPer0g: config.usdPer0g,
    accountDefaults: (accountId) => {
      const managed = accounts.account(accountId);
      return managed ? { currency: managed.currency, balance: managed.balance } : { currency: usdKeyIds.has(accountId) ? 'usd' : '0g' };
    },
    spendOf: (accountId, apiKeyId, atMs) => accounts.spendOf(accountId, apiKeyId, atMs),
  });
  const faults = new FaultRules(state.faultCounters, control);
  const auth = authPolicy(config);
  const initialRevoked = splitList(config.revokedApiKeys);
  registerControlKinds(control, { accounts, revoked: auth.revoked, initialRevoked, faults, health, clock });
  const jobs = new JobService({ clock, store: state.jobs, ledger, pool, health, config, faults, provider });
  return {
    config,
    clock,
    pool,
    health,
    renderer,
    imageLinks: new ImageLinks(state.links, clock),
    state,
    control,
    ledger,
    jobs,
    faults,
    journal: state.journal,
    reports: state.reports,
    auth,
    accounts,
    apiKeys: new ApiKeyService(accounts, control, state.ledger, () => clock.nowMs()),
    accountApi: new AccountApi(ledger, () => clock.nowMs()),
    initialRevoked,
    rateLimiter: config.rateLimitRpm > 0 ? new RateLimiter(clock, state.rates, config.rateLimitRpm) : undefined,
    provider,
    changes: new ChangeFeed(),
    lifecycle: { ready: false, shuttingDown: false, warmedUp: Promise.resolve() },
  };
}
