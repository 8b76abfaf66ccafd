import type { ProviderPool } from '../providers/pool.js';
import type { Json } from '../state/types.js';

interface HealthChange {
  address: string;
  healthy: boolean;
  /** On the emulator clock: a scheduled outage is a change with a future time. */
  atMs: number;
}

/** Changes kept per provider; older ones are superseded by any later change anyway. */
const CHANGES_KEPT = 64;

/**
 * Provider health as a function of the emulator clock and stored changes,
 * never a timer: every process (and a restarted one) agrees on whether a
 * provider is up at any time, and a job settled late judges its provider's
 * health at the job's completion time. A provider's `healthy` reads it.
 */
export class ProviderHealth {
  #changes: HealthChange[] = [];
  readonly #initial = new Map<string, boolean>();

  constructor(
    private readonly pool: ProviderPool,
    private readonly nowMs: () => number,
  ) {
    for (const provider of pool.providers) {
      const address = provider.address.toLowerCase();
      this.#initial.set(address, provider.healthy);
      // Routing reads this for every candidate of every request: with no change recorded, no clock read and no scan.
      Object.defineProperty(provider, 'healthy', {
        get: () => (this.#changes.length === 0 ? this.#initial.get(address)! : this.#at(address, this.nowMs())),
        configurable: true,
        enumerable: true,
      });
    }
  }

  /** Whether the provider is healthy at `atMs`: the latest change at or before it, else its configured health. */
  at(address: string, atMs: number): boolean {
    return this.#at(address.toLowerCase(), atMs);
  }

  #at(key: string, atMs: number): boolean {
    let healthy = this.#initial.get(key) ?? false;
    let latest = -Infinity;
    for (const c of this.#changes) {
      if (c.address === key && c.atMs <= atMs && c.atMs >= latest) {
        latest = c.atMs;
        healthy = c.healthy;
      }
    }
    return healthy;
  }

  /** Records a change effective at `atMs` (now, or later for a scheduled outage or recovery). */
  set(address: string, healthy: boolean, atMs: number): void {
    const key = address.toLowerCase();
    if (!this.pool.provider(key)) throw new Error(`no provider ${address}`);
    this.#changes.push({ address: key, healthy, atMs });
    const mine = this.#changes.filter((c) => c.address === key);
    if (mine.length > CHANGES_KEPT) {
      const drop = new Set(mine.slice(0, mine.length - CHANGES_KEPT));
      this.#changes = this.#changes.filter((c) => !drop.has(c));
    }
  }

  toJson(): Json {
    return this.#changes as unknown as Json;
  }

  /** Back to the configured health (undefined), or a document's changes. */
  fromJson(json: Json | undefined): void {
    this.#changes = json === undefined ? [] : (json as unknown as HealthChange[]);
  }
}
