import { countByStatus, doneAtMs } from '../../domain/job-state.js';
import { MinHeap } from '../../lib/min-heap.js';
import type { Job, JobOutcome, JobStatus } from '../../store/job-store.js';
import { copyJob, jobsFromJson, jobsToJson, keptOutcome, newestFirst } from '../job-records.js';
import type { JobBooking, JobCounts, JobStore, Json } from '../types.js';
import type { MemoryLedgerStore } from './ledger.js';

/** A live job's place in the due queue; `stamp` tells a current entry from one left by a replaced or settled job. */
interface DueEntry {
  atMs: number;
  id: string;
  stamp: number;
}

// Ties in completion time go by id, as the Redis store's sorted set orders them.
const earlier = (a: DueEntry, b: DueEntry) => a.atMs < b.atMs || (a.atMs === b.atMs && a.id < b.id);

/**
 * Jobs in memory. Settlement books through the MemoryLedgerStore in the same
 * synchronous step, so it is atomic without locks. The due queue is a heap
 * whose stale entries (jobs settled, deleted or replaced) are skipped when
 * they surface and compacted away when they outnumber the live ones.
 */
export class MemoryJobStore implements JobStore {
  readonly #jobs = new Map<string, Job>();
  /** Live job id -> the stamp of its current due entry. */
  readonly #live = new Map<string, number>();
  #due = new MinHeap<DueEntry>(earlier);
  #stamp = 0;
  #sourceBytes = 0;

  constructor(private readonly ledger: MemoryLedgerStore) {}

  async create(job: Job): Promise<void> {
    this.#put(copyJob(job));
  }

  async get(id: string): Promise<Job | undefined> {
    const job = this.#jobs.get(id);
    return job && copyJob(job);
  }

  async settle(id: string, outcome: JobOutcome, booking?: JobBooking): Promise<Job | undefined> {
    const job = this.#jobs.get(id);
    if (!job) return undefined;
    if (!job.outcome) {
      let stored = outcome;
      if (outcome.status === 'completed' && booking) {
        // The outcome names the currency actually booked in, whatever the caller expected.
        const booked = this.ledger.bookNow(booking.accountId, booking.opening, booking.charge, booking.spend);
        stored = { status: 'completed', currency: booked.currency };
      }
      job.outcome = keptOutcome(stored);
      this.#live.delete(id);
    }
    return copyJob(job);
  }

  async countPoll(id: string): Promise<number> {
    const job = this.#jobs.get(id);
    return job ? ++job.polls : 0;
  }

  async due(nowMs: number, limit: number): Promise<string[]> {
    const found: DueEntry[] = [];
    for (let top = this.#top(); top && top.atMs <= nowMs && found.length < limit; top = this.#top()) {
      found.push(this.#due.pop()!);
    }
    for (const e of found) this.#due.push(e);
    return found.map((e) => e.id);
  }

  async nextDueMs(): Promise<number | undefined> {
    return this.#top()?.atMs;
  }

  async expire(completedBeforeMs: number): Promise<number> {
    let removed = 0;
    for (const job of [...this.#jobs.values()]) {
      if (job.outcome && doneAtMs(job) < completedBeforeMs) removed += this.#remove(job.id) ? 1 : 0;
    }
    return removed;
  }

  async delete(id: string): Promise<void> {
    this.#remove(id);
  }

  async list(options: { accountId?: string; limit?: number } = {}): Promise<Job[]> {
    const { accountId, limit } = options;
    if (limit !== undefined && limit <= 0) return [];
    const jobs = [...this.#jobs.values()].filter((j) => accountId === undefined || j.accountId === accountId).sort(newestFirst);
    return jobs.slice(0, limit).map(copyJob);
  }

  async counts(): Promise<JobCounts> {
    return { total: this.#jobs.size, live: this.#live.size, sourceBytes: this.#sourceBytes };
  }

  // Read in place: a copy of every job per scrape was ~30 MB of garbage at 100k jobs.
  async statusCounts(nowMs: number): Promise<Record<JobStatus, number>> {
    return countByStatus(this.#jobs.values(), nowMs);
  }

  async reset(accountId?: string): Promise<void> {
    for (const job of [...this.#jobs.values()]) if (accountId === undefined || job.accountId === accountId) this.#remove(job.id);
  }

  async dump(accountId?: string): Promise<Json> {
    return jobsToJson([...this.#jobs.values()].filter((j) => accountId === undefined || j.accountId === accountId));
  }

  async load(dump: Json): Promise<void> {
    for (const job of jobsFromJson(dump)) this.#put(job);
  }

  #put(job: Job): void {
    this.#remove(job.id);
    this.#jobs.set(job.id, job);
    this.#sourceBytes += job.source?.png.length ?? 0;
    if (job.outcome) return;
    const stamp = ++this.#stamp;
    this.#live.set(job.id, stamp);
    this.#due.push({ atMs: doneAtMs(job), id: job.id, stamp });
    if (this.#due.size > 2 * this.#live.size + 1024) this.#compact();
  }

  #remove(id: string): boolean {
    const job = this.#jobs.get(id);
    if (!job) return false;
    this.#jobs.delete(id);
    this.#live.delete(id);
    this.#sourceBytes -= job.source?.png.length ?? 0;
    return true;
  }

  /** The earliest current due entry, dropping stale ones on the way. */
  #top(): DueEntry | undefined {
    for (let top = this.#due.peek(); top; top = this.#due.peek()) {
      if (this.#live.get(top.id) === top.stamp) return top;
      this.#due.pop();
    }
    return undefined;
  }

  #compact(): void {
    this.#due = new MinHeap<DueEntry>(earlier);
    for (const [id, stamp] of this.#live) this.#due.push({ atMs: doneAtMs(this.#jobs.get(id)!), id, stamp });
  }
}
