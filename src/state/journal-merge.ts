import type { JournalRecord } from '../store/journal.js';
import type { JournalDump } from '../schemas/state-dumps.js';

export interface Numbered {
  seq: number;
  record: JournalRecord;
}

export interface JournalState {
  seq: number;
  dropped: number;
  entries: Numbered[];
}

/**
 * A journal with a dump loaded on top (the memory backend's load; the Redis
 * script does the same in Lua): entries merged by seq, the dump's replacing
 * those with the same seq, the newest `capacity` kept and the rest counted as
 * dropped; `seq` never goes back, so new entries stay newer than loaded ones.
 */
export function mergeJournal(have: JournalState, dump: JournalDump, capacity: number): JournalState {
  const bySeq = new Map<number, Numbered>();
  for (const e of have.entries) bySeq.set(e.seq, e);
  for (const e of dump.entries) bySeq.set(e.seq, { seq: e.seq, record: e.record as JournalRecord });
  const merged = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
  const excess = Math.max(0, merged.length - capacity);
  return {
    seq: Math.max(have.seq, dump.seq, merged.at(-1)?.seq ?? 0),
    dropped: Math.max(have.dropped, dump.dropped) + excess,
    entries: merged.slice(excess),
  };
}

/** Whether a journal entry passes a query's filters (its `limit` applies afterwards). */
export function matches(e: JournalRecord, q: { keyId?: string; route?: string; jobId?: string; sinceMs?: number }): boolean {
  return (
    (q.keyId === undefined || e.keyId === q.keyId) &&
    (q.route === undefined || e.route === q.route) &&
    (q.jobId === undefined || e.jobId === q.jobId) &&
    (q.sinceMs === undefined || e.atMs >= q.sinceMs)
  );
}

/** `limit` takes the newest of the matching entries, which are oldest first. */
export const newest = <T>(entries: T[], limit: number | undefined): T[] => (limit === undefined ? entries : limit === 0 ? [] : entries.slice(-limit));
