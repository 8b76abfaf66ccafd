import { countByStatus, doneAtMs } from '../../domain/job-state.js';
import type { Job, JobOutcome, JobStatus } from '../../store/job-store.js';
import { jobFromJson, jobsFromJson, jobsToJson, jobToJson } from '../job-records.js';
import type { JobBooking, JobCounts, JobStore, Json } from '../types.js';
import * as S from './job-scripts.js';
import type { RedisLedgerStore } from './ledger.js';
import type { Arg, LuaScript, RedisLink } from './link.js';

/** HMGET of JOB_FIELDS: doc, polls, outcome. */
type Fields = [string | null, string | null, string | null];

function jobOf(id: string, [doc, polls, outcome]: Fields): Job {
  const json = { ...JSON.parse(doc!), polls: Number(polls), ...(outcome ? { outcome: JSON.parse(outcome) } : {}) };
  return jobFromJson(json, `job:${id}`);
}

const EXPIRE_BATCH = 500;

/**
 * Jobs in Redis (key layout in job-scripts.ts). Settlement is one script that
 * also runs the ledger's Lua `book`, so an outcome and its charge are written
 * together or not at all, once, whichever process gets there first.
 */
export class RedisJobStore implements JobStore {
  readonly #prefix: string;

  constructor(
    private readonly link: RedisLink,
    private readonly ledger: RedisLedgerStore,
  ) {
    this.#prefix = link.key('jobs', '');
  }

  async create(job: Job): Promise<void> {
    await this.#put(job);
  }

  async get(id: string): Promise<Job | undefined> {
    const fields = await this.link.send<Fields>(['HMGET', this.#key('job', id), 'doc', 'polls', 'outcome']);
    return fields[0] === null ? undefined : jobOf(id, fields);
  }

  async settle(id: string, outcome: JobOutcome, booking?: JobBooking): Promise<Job | undefined> {
    const bookingArgs = booking ? ['1', ...this.ledger.bookingArgs(booking.accountId, booking.opening, booking.charge, booking.spend)] : ['0'];
    const args = [...this.ledger.configArgs, this.#prefix, id, outcome.status, JSON.stringify(outcome), ...bookingArgs];
    const fields = await this.link.script<Fields | null>(S.SETTLE, [], args);
    return fields ? jobOf(id, fields) : undefined;
  }

  async countPoll(id: string): Promise<number> {
    return this.#run<number>(S.COUNT_POLL, [id]);
  }

  async due(nowMs: number, limit: number): Promise<string[]> {
    if (limit <= 0) return [];
    return this.link.send<string[]>(['ZRANGE', this.#key('live'), '-inf', nowMs, 'BYSCORE', 'LIMIT', 0, limit]);
  }

  async nextDueMs(): Promise<number | undefined> {
    const score = await this.#run<string | null>(S.NEXT_DUE, []);
    return score === null ? undefined : Number(score);
  }

  async expire(completedBeforeMs: number): Promise<number> {
    let removed = 0;
    for (let n = EXPIRE_BATCH; n === EXPIRE_BATCH; removed += n) {
      n = await this.#run<number>(S.EXPIRE, [completedBeforeMs, EXPIRE_BATCH]);
    }
    return removed;
  }

  async delete(id: string): Promise<void> {
    await this.#run(S.DELETE, [id]);
  }

  async list(options: { accountId?: string; limit?: number } = {}): Promise<Job[]> {
    const { accountId = '', limit } = options;
    if (limit !== undefined && limit <= 0) return [];
    const rows = await this.#run<[string, Fields][]>(S.LIST, [accountId, limit ?? -1]);
    return rows.map(([id, fields]) => jobOf(id, fields));
  }

  async counts(): Promise<JobCounts> {
    const [total, live, sourceBytes] = await this.#run<[number, number, string]>(S.COUNTS, []);
    return { total, live, sourceBytes: Number(sourceBytes) };
  }

  // One read of every job, as the scrape did before this method: fine at scrape intervals.
  async statusCounts(nowMs: number): Promise<Record<JobStatus, number>> {
    return countByStatus(await this.list(), nowMs);
  }

  async reset(accountId?: string): Promise<void> {
    await this.#run(S.RESET, [accountId ?? '']);
  }

  async dump(accountId?: string): Promise<Json> {
    const rows = await this.#run<[string, Fields][]>(S.DUMP, [accountId ?? '']);
    return jobsToJson(rows.map(([id, fields]) => jobOf(id, fields)));
  }

  async load(dump: Json): Promise<void> {
    for (const job of jobsFromJson(dump)) await this.#put(job);
  }

  #put(job: Job): Promise<unknown> {
    const { polls, outcome, ...doc } = jobToJson(job);
    const args = [job.id, job.accountId, JSON.stringify(doc), String(polls), outcome ? JSON.stringify(outcome) : ''];
    return this.#run(S.PUT, [...args, job.source?.png.length ?? 0, doneAtMs(job), job.createdMs]);
  }

  #key(...parts: string[]): string {
    return this.#prefix + parts.join(':');
  }

  #run<T>(script: LuaScript, args: readonly Arg[]): Promise<T> {
    return this.link.script<T>(script, [], [this.#prefix, ...args]);
  }
}
