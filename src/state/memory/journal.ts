import { isoMs } from '../../lib/clock.js';
import { JournalDump } from '../../schemas/state-dumps.js';
import type { JournalEntry, JournalQuery, JournalRecord } from '../../store/journal.js';
import { checkDump } from '../dump-check.js';
import { matches, mergeJournal, newest, type JournalState, type Numbered } from '../journal-merge.js';
import type { Json, JournalStore } from '../types.js';

/**
 * A ring buffer of the last `capacity` requests in this process. It never
 * grows and always says how many entries it has dropped, so a client can tell
 * a gap from silence.
 */
export class MemoryJournalStore implements JournalStore {
  #entries: (Numbered | undefined)[];
  #next = 0;
  #seq = 0;
  #dropped = 0;

  constructor(readonly capacity: number) {
    this.#entries = new Array(capacity);
  }

  add(record: JournalRecord): undefined {
    if (this.capacity === 0) {
      this.#dropped++;
      return;
    }
    if (this.#entries[this.#next] !== undefined) this.#dropped++;
    this.#entries[this.#next] = { seq: ++this.#seq, record };
    this.#next = (this.#next + 1) % this.capacity;
  }

  async query(q: JournalQuery = {}): Promise<JournalEntry[]> {
    const out = this.#ordered()
      .filter((n) => matches(n.record, q))
      .map((n) => ({ seq: n.seq, at: isoMs(n.record.atMs), ...n.record }));
    return newest(out, q.limit);
  }

  async dropped(): Promise<number> {
    return this.#dropped;
  }

  /** Forgets one key's entries (or all, which also zeroes `dropped`); forgotten entries are not dropped ones. */
  async clear(keyId?: string): Promise<void> {
    // Compacted, as the Redis store's list is: later entries fill the freed room before the oldest are dropped.
    this.#replace(keyId === undefined ? [] : this.#ordered().filter((n) => n.record.keyId !== keyId));
    if (keyId === undefined) this.#dropped = 0;
  }

  async dump(keyId?: string): Promise<Json> {
    const entries = this.#ordered().filter((n) => keyId === undefined || n.record.keyId === keyId);
    // Through JSON text: fields left undefined vanish, as they do in the Redis store's copy.
    return JSON.parse(JSON.stringify({ seq: this.#seq, dropped: this.#dropped, entries } satisfies JournalState)) as Json;
  }

  async load(dump: Json): Promise<void> {
    const merged = mergeJournal({ seq: this.#seq, dropped: this.#dropped, entries: this.#ordered() }, checkDump(JournalDump, dump, 'journal'), this.capacity);
    this.#replace(merged.entries);
    this.#seq = merged.seq;
    this.#dropped = merged.dropped;
  }

  /** Holds `entries` (oldest first, at most `capacity`) and nothing else. */
  #replace(entries: Numbered[]): void {
    this.#entries = new Array(this.capacity);
    entries.forEach((e, i) => (this.#entries[i] = e));
    this.#next = this.capacity === 0 ? 0 : entries.length % this.capacity;
  }

  /** The entries held, oldest first. */
  #ordered(): Numbered[] {
    const out: Numbered[] = [];
    for (let i = 0; i < this.capacity; i++) {
      const slot = this.#entries[(this.#next + i) % this.capacity];
      if (slot) out.push(slot);
    }
    return out;
  }
}
