import type { Summary } from '../lib/body-summary.js';
import { isoMs } from '../lib/clock.js';

/** One request as the control plane reports it: never a key, never image bytes. */
export interface JournalEntry extends JournalRecord {
  seq: number;
  /** ISO time, made when the journal is read: formatting it per request cost more than the rest of the entry. */
  at: string;
}

/** What the server records per request; fields it has no value for are undefined. */
export interface JournalRecord {
  atMs: number;
  requestId: string;
  keyId?: string;
  method: string;
  route: string;
  url: string;
  status: number;
  durationMs: number;
  jobId?: string;
  jobStatus?: string;
  provider?: string;
  errorCode?: string;
  retryAfterS?: number;
  /** The request body summarised (lib/body-summary): bounded whatever was sent. */
  body?: Summary | undefined;
}

export interface JournalQuery {
  keyId?: string;
  route?: string;
  jobId?: string;
  sinceMs?: number;
  limit?: number;
}

/**
 * A ring buffer of the last `capacity` requests. It never grows and always
 * says how many entries it has dropped, so a client can tell a gap from silence.
 */
export class Journal {
  readonly #entries: ({ seq: number; record: JournalRecord } | undefined)[];
  #next = 0;
  #seq = 0;
  #dropped = 0;

  constructor(readonly capacity: number) {
    this.#entries = new Array(capacity);
  }

  get dropped(): number {
    return this.#dropped;
  }

  add(record: JournalRecord): void {
    if (this.capacity === 0) {
      this.#dropped++;
      return;
    }
    if (this.#entries[this.#next] !== undefined) this.#dropped++;
    this.#entries[this.#next] = { seq: ++this.#seq, record };
    this.#next = (this.#next + 1) % this.capacity;
  }

  query(q: JournalQuery = {}): JournalEntry[] {
    const out: JournalEntry[] = [];
    for (let i = 0; i < this.capacity; i++) {
      const slot = this.#entries[(this.#next + i) % this.capacity];
      if (!slot) continue;
      const e = slot.record;
      if (q.keyId !== undefined && e.keyId !== q.keyId) continue;
      if (q.route !== undefined && e.route !== q.route) continue;
      if (q.jobId !== undefined && e.jobId !== q.jobId) continue;
      if (q.sinceMs !== undefined && e.atMs < q.sinceMs) continue;
      out.push({ seq: slot.seq, at: isoMs(e.atMs), ...e });
    }
    return q.limit === undefined ? out : q.limit === 0 ? [] : out.slice(-q.limit);
  }

  /** Forgets one key's entries (or all); they do not count as dropped. */
  clear(keyId?: string): void {
    for (let i = 0; i < this.capacity; i++) {
      if (keyId === undefined || this.#entries[i]?.record.keyId === keyId) this.#entries[i] = undefined;
    }
    if (keyId === undefined) this.#dropped = 0;
  }
}
