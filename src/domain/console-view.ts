import { isoMs, ManualClock } from '../lib/clock.js';
import type { ConsoleSnapshotBody, JobSummaryBody } from '../schemas/console.js';
import type { Services } from '../services.js';
import type { Job } from '../store/job-store.js';
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

/** Jobs the console scans for one key's newest (the store lists newest first). */
const KEY_SCAN_MAX = 5000;

/** The newest retained jobs (of one key), settled up to now. */
export async function listJobs(services: Services, filter: ConsoleFilter): Promise<{ object: 'list'; total: number; data: JobSummaryBody[] }> {
  const limit = Math.min(filter.limit ?? LIST_DEFAULT, LIST_MAX);
  const keyId = filter.keyId;
  const scanned = await services.jobs.list({ limit: keyId === undefined ? limit : KEY_SCAN_MAX });
  const matching = keyId === undefined ? scanned : scanned.filter((j) => j.keyId === keyId);
  const total = keyId === undefined ? (await services.state.jobs.counts()).total : matching.length;
  const nowMs = services.clock.nowMs();
  const data: JobSummaryBody[] = [];
  for (const listed of matching.slice(0, limit)) {
    // find() settles a job whose time has come and drops one past retention.
    const job = await services.jobs.find(listed.id);
    if (job) data.push(summariseJob(services, job, nowMs));
  }
  return { object: 'list', total, data };
}

/** The client report of one key; its costs come from its account (a managed account's, or the key's own). */
export async function clientReport(services: Services, keyId: string, accountId = keyId) {
  const account = await services.ledger.store.get(accountId);
  const nowMs = services.clock.nowMs();
  const costOf = (requestId: string, jobId?: string) =>
    (account?.recent ?? []).filter((c) => c.requestId === requestId || (jobId !== undefined && c.jobId === jobId)).reduce((s, c) => s + c.amount, 0n);
  // The report asks about the key's jobs synchronously: read them first, settled up to now.
  const jobs = new Map<string, string>();
  for (const listed of await services.jobs.list({ accountId, limit: KEY_SCAN_MAX })) {
    const job = services.jobs.expired(listed, nowMs) ? undefined : listed.outcome || nowMs < doneAtMs(listed) ? listed : await services.jobs.find(listed.id);
    if (job) jobs.set(job.id, statusAt(job, nowMs));
  }
  return services.reports.report(keyId, (jobId) => jobs.get(jobId), costOf);
}

async function accounts(services: Services, keyId: string | undefined) {
  const all = (await services.ledger.store.list()).filter((a) => keyId === undefined || a.accountId === keyId);
  // Newest keys first; the report walks the tracker's bounded history per key, so only the first few get one.
  const data = [];
  for (const a of all.slice(-ACCOUNTS_MAX).reverse()) {
    const report = await clientReport(services, a.accountId);
    data.push({
      key_id: a.accountId,
      currency: a.currency,
      balance: a.balance.toString(),
      spent: a.spent.toString(),
      charge_count: a.chargeCount,
      findings: Object.fromEntries(Object.entries(report).map(([name, finding]) => [name, finding.count])),
    });
  }
  return { total: all.length, data };
}

/** Everything the console shows, read through the services the control routes use. */
export async function consoleSnapshot(services: Services, filter: ConsoleFilter): Promise<ConsoleSnapshotBody> {
  const { clock, journal, pool } = services;
  const nowMs = clock.nowMs();
  const keyId = filter.keyId;
  const requests = (await journal.query(keyId === undefined ? {} : { keyId })).filter((e) => e.route !== POLL_ROUTE);
  return {
    clock: { mode: clock instanceof ManualClock ? 'manual' : 'system', nowMs, now: isoMs(nowMs) },
    key_ids: (await services.ledger.store.list(KEY_IDS_MAX)).map((a) => a.accountId),
    live_jobs: await services.jobs.liveCount(),
    jobs: await listJobs(services, filter),
    requests: { dropped: await journal.dropped(), data: requests.slice(-(filter.limit ?? LIST_DEFAULT)).reverse() },
    accounts: await accounts(services, keyId),
    faults: (await services.faults.list()).slice(0, FAULTS_MAX),
    providers: pool.providers.map((p) => ({ address: p.address, name: p.name, healthy: p.healthy, models: p.models.map((m) => m.id) })),
  };
}
