import type { Observation, ReportBody } from '../../domain/client-report.js';
import type { ReportDump } from '../../schemas/state-dumps.js';
import { checkBounds, checkReportDump, replayReport, REPORT_BOUNDS, storedObservation, type ReportBounds } from '../observations.js';
import type { Json, ReportStore } from '../types.js';

/** Each key's recent observations in this process, least recently active key first (Map order). */
export class MemoryReportStore implements ReportStore {
  readonly #keys = new Map<string, Observation[]>();
  /** The last key #touch put at the end of #keys (only #touch appends). */
  #lastTouched: string | undefined;
  #total = 0;
  readonly #bounds: ReportBounds;

  constructor(bounds: ReportBounds = REPORT_BOUNDS) {
    this.#bounds = checkBounds(bounds);
  }

  observe(o: Observation): undefined {
    const list = this.#touch(o.keyId);
    list.push(storedObservation(o));
    this.#total++;
    if (list.length > this.#bounds.perKeyMax) {
      list.shift();
      this.#total--;
    }
    this.#evict();
  }

  async report(keyId: string, jobStatus: (jobId: string) => string | undefined, costOf: (requestId: string, jobId?: string) => bigint): Promise<ReportBody> {
    return replayReport(keyId, this.#keys.get(keyId) ?? [], jobStatus, costOf);
  }

  async reset(keyId?: string): Promise<void> {
    if (keyId === undefined) {
      this.#keys.clear();
      this.#total = 0;
    } else {
      this.#total -= this.#keys.get(keyId)?.length ?? 0;
      this.#keys.delete(keyId);
    }
  }

  async dump(keyId?: string): Promise<Json> {
    const keys = [...this.#keys].filter(([id]) => keyId === undefined || id === keyId).map(([id, observations]) => ({ keyId: id, observations }));
    // Through JSON text, as the Redis store's copy is: fields left undefined vanish.
    return JSON.parse(JSON.stringify({ keys } satisfies ReportDump)) as Json;
  }

  /** Each key in the dump replaces the one held, and becomes the most recently active, in dump order. */
  async load(dump: Json): Promise<void> {
    for (const k of checkReportDump(dump).keys) {
      if (k.observations.length === 0) {
        await this.reset(k.keyId);
        continue;
      }
      const list = this.#touch(k.keyId);
      this.#total -= list.length;
      list.splice(0, list.length, ...k.observations.slice(-this.#bounds.perKeyMax).map((o) => storedObservation(o as Observation)));
      this.#total += list.length;
      this.#evict();
    }
  }

  /** The key's list, made the most recently active. */
  #touch(keyId: string): Observation[] {
    let list = this.#keys.get(keyId);
    // Already the most recent (one busy key): a delete and re-insert per request only filled the map with deleted entries.
    if (list && keyId === this.#lastTouched) return list;
    list ??= [];
    this.#keys.delete(keyId);
    this.#keys.set(keyId, list);
    this.#lastTouched = keyId;
    return list;
  }

  /** Least recently active keys go while there are too many keys or observations (the newest key always fits: totalMax >= perKeyMax). */
  #evict(): void {
    // The least recently active key is always the map's first.
    while (this.#keys.size > this.#bounds.keysMax || this.#total > this.#bounds.totalMax) {
      const [id, list] = this.#keys.entries().next().value!;
      this.#keys.delete(id);
      this.#total -= list.length;
    }
  }
}
