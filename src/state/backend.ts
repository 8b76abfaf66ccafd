import type { Config } from '../config.js';
import { MemoryControlDocs } from './memory/control-docs.js';
import { MemoryImageLinkStore } from './memory/image-links.js';
import { MemoryFaultCounterStore } from './memory/fault-counters.js';
import { MemoryJobStore } from './memory/jobs.js';
import { MemoryJournalStore } from './memory/journal.js';
import { MemoryLedgerStore } from './memory/ledger.js';
import { MemoryRateWindowStore } from './memory/rate-windows.js';
import { MemoryReportStore } from './memory/reports.js';
import { RedisControlDocs } from './redis/control-docs.js';
import { RedisFaultCounterStore } from './redis/fault-counters.js';
import { RedisImageLinkStore } from './redis/image-links.js';
import { RedisJobStore } from './redis/jobs.js';
import { RedisJournalStore } from './redis/journal.js';
import { RedisLedgerStore } from './redis/ledger.js';
import { RedisLink } from './redis/link.js';
import { RedisRateWindowStore } from './redis/rate-windows.js';
import { RedisReportStore } from './redis/reports.js';
import type { StateBackend } from './types.js';

export type StateConfig = Pick<Config, 'redisUrl' | 'redisPrefix' | 'redisCommandTimeoutMs' | 'journalMax'>;

export function memoryBackend(config: Pick<Config, 'journalMax'>): StateBackend {
  const ledger = new MemoryLedgerStore();
  return {
    kind: 'memory',
    ledger,
    jobs: new MemoryJobStore(ledger),
    rates: new MemoryRateWindowStore(),
    faultCounters: new MemoryFaultCounterStore(),
    journal: new MemoryJournalStore(config.journalMax),
    reports: new MemoryReportStore(),
    docs: new MemoryControlDocs(),
    links: new MemoryImageLinkStore(),
    status: () => ({ ok: true }),
    close: async () => {},
  };
}

/**
 * Redis when REDIS_URL is set, memory otherwise. Redis need not be up yet: the
 * link reconnects by itself, and until it answers the state routes get 503
 * and /readyz says why.
 */
export async function openState(config: StateConfig, onStatus?: (ok: boolean, reason: string | undefined) => void): Promise<StateBackend> {
  if (!config.redisUrl) return memoryBackend(config);
  const link = await RedisLink.open({ url: config.redisUrl, prefix: config.redisPrefix, commandTimeoutMs: config.redisCommandTimeoutMs, ...(onStatus ? { onStatus } : {}) });
  await link.connect().catch((err: Error) => onStatus?.(false, err.message));
  const ledger = new RedisLedgerStore(link);
  return {
    kind: 'redis',
    ledger,
    jobs: new RedisJobStore(link, ledger),
    rates: new RedisRateWindowStore(link),
    faultCounters: new RedisFaultCounterStore(link),
    journal: new RedisJournalStore(link, config.journalMax),
    reports: new RedisReportStore(link),
    docs: new RedisControlDocs(link),
    links: new RedisImageLinkStore(link),
    status: () => link.status(),
    close: () => link.close(),
  };
}
