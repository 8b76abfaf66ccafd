import { isoMs, ManualClock } from '../lib/clock.js';
import type { ConsoleSnapshotBody, JobSummaryBody } from '../schemas/console.js';
import type { Services } from '../services.js';
import type { Job } from '../store/job-store.js';
import { describeRule } from './fault-rules.js';
import { doneAtMs, processingAtMs, statusAt } from './job-state.js';

/** Polls are shown on their job's card; the request list keeps the answers a client acted on. */
const POLL_ROUTE = '/v1/async/jobs/:jobId';
const ACCOUNTS_MAX = 20;
const FAULTS_MAX = 200;
const KEY_IDS_MAX = 500;
export const LIST_DEFAULT = 50;
export const LIST_MAX = 200;

export interface ConsoleFilter {
  keyId?: string | undefined;
  limit?: number;
}

/** A job as the console shows it: its transitions so far on the emulator clock and the booked charge. */
export function summariseJob(services: Services, job: Job, nowMs: number): JobSummaryBody {
  const status = statusAt(job, nowMs);
  const timeline = [{ status: 'pending', at: isoMs(job.createdMs) }];
  if (status !== 'pending' && processingAtMs(job) < doneAtMs(job)) timeline.push({ status: 'processing', at: isoMs(processingAtMs(job)) });
  if (job.outcome) timeline.push({ status: job.outcome.status, at: isoMs(doneAtMs(job)) });
  const summary: JobSummaryBody = {
    id: job.id,
    key_id: job.keyId,
    model: job.model,
    provider: job.providerAddress,
    size: `${job.width}x${job.height}`,
    n: job.n,
    prompt: job.prompt.length > 200 ? `${job.prompt.slice(0, 200)}…` : job.prompt,
    status,
    timeline,
    polls: job.polls,
  };
  if (job.outcome?.status === 'failed') summary.error_message = job.outcome.errorMessage;
  if (job.outcome?.status === 'completed') {
    const currency = job.outcome.currency;
    summary.charge = { amount: services.ledger.amountIn(currency, job.priceNeuron * BigInt(job.n)).toString(), currency };
  }
  return summary;
}

/** The newest retained jobs (of one key), settled up to now. */
export function listJobs(services: Services, filter: ConsoleFilter): { object: 'list'; total: number; data: JobSummaryBody[] } {
  const limit = Math.min(filter.limit ?? LIST_DEFAULT, LIST_MAX);
  const newest: Job[] = [];
  let total = 0;
  // The store keeps insertion order: the last `limit` matches are the newest.
  for (const job of services.jobs.all()) {
    if (filter.keyId !== undefined && job.keyId !== filter.keyId) continue;
    total++;
    newest.push(job);
    if (newest.length > limit) newest.shift();
  }
  const nowMs = services.clock.nowMs();
  const data: JobSummaryBody[] = [];
  for (let i = newest.length - 1; i >= 0; i--) {
    // find() settles a job whose time has come and drops one past retention.
    const job = services.jobs.find(newest[i]!.id);
    if (job) data.push(summariseJob(services, job, nowMs));
  }
  return { object: 'list', total, data };
}

/** The client report of one key (GET /_emulator/report), by key id. */
/** The client report of one key; its costs come from its account (a managed account's, or the key's own). */
export function clientReport(services: Services, keyId: string, accountId = keyId) {
  const account = services.ledger.account(accountId);
  const nowMs = services.clock.nowMs();
  const costOf = (requestId: string, jobId?: string) =>
    (account?.recent ?? []).filter((c) => c.requestId === requestId || (jobId !== undefined && c.jobId === jobId)).reduce((s, c) => s + c.amount, 0n);
  const jobStatus = (jobId: string) => {
    const job = services.jobs.find(jobId);
    return job ? statusAt(job, nowMs) : undefined;
  };
  return services.tracker.report(keyId, jobStatus, costOf);
}

function accounts(services: Services, keyId: string | undefined) {
  const all = [...services.ledger.accounts()].filter((a) => keyId === undefined || a.keyId === keyId);
  // Newest keys first; the report walks the tracker's bounded history per key, so only the first few get one.
  const data = all
    .slice(-ACCOUNTS_MAX)
    .reverse()
    .map((a) => ({
      key_id: a.keyId,
      currency: a.currency,
      balance: a.balance.toString(),
      spent: a.spent.toString(),
      charge_count: a.chargeCount,
      findings: Object.fromEntries(Object.entries(clientReport(services, a.keyId)).map(([name, finding]) => [name, finding.count])),
    }));
  return { total: all.length, data };
}

/** Everything the console shows, read through the services the control routes use. */
export function consoleSnapshot(services: Services, filter: ConsoleFilter): ConsoleSnapshotBody {
  const { clock, journal, pool } = services;
  const nowMs = clock.nowMs();
  const keyId = filter.keyId;
  const requests = journal.query(keyId === undefined ? {} : { keyId }).filter((e) => e.route !== POLL_ROUTE);
  return {
    clock: { mode: clock instanceof ManualClock ? 'manual' : 'system', nowMs, now: isoMs(nowMs) },
    key_ids: [...services.ledger.accounts()].slice(-KEY_IDS_MAX).map((a) => a.keyId),
    live_jobs: services.jobs.liveCount,
    jobs: listJobs(services, filter),
    requests: { dropped: journal.dropped, data: requests.slice(-(filter.limit ?? LIST_DEFAULT)).reverse() },
    accounts: accounts(services, keyId),
    faults: services.faults.list().slice(0, FAULTS_MAX).map(describeRule),
    providers: pool.providers.map((p) => ({ address: p.address, name: p.name, healthy: p.healthy, models: p.models.map((m) => m.id) })),
  };
}
