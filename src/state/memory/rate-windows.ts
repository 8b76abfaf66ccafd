import { RateWindowsDump } from '../../schemas/state-dumps.js';
import { checkDump, sortedBy } from '../dump-check.js';
import type { Json, RateWindowStore } from '../types.js';

interface Window {
  startMs: number;
  windowMs: number;
  count: number;
}

/** Accounts with a window; a flood of new accounts beyond it resets the oldest windows. */
export const WINDOWS_MAX = 100_000;

/**
 * Each account's current fixed window in this process: one window per
 * account, replaced when a take names another window start (the clock moved
 * on, or was set back).
 */
export class MemoryRateWindowStore implements RateWindowStore {
  readonly #windows = new Map<string, Window>();

  constructor(private readonly windowsMax = WINDOWS_MAX) {}

  async take(accountId: string, windowStartMs: number, windowMs: number, limit: number): Promise<{ count: number; allowed: boolean }> {
    let window = this.#windows.get(accountId);
    if (!window || window.startMs !== windowStartMs) window = this.#open(accountId, { startMs: windowStartMs, windowMs, count: 0 });
    const allowed = window.count < limit;
    if (allowed) window.count++;
    return { count: window.count, allowed };
  }

  async reset(accountId?: string): Promise<void> {
    if (accountId === undefined) this.#windows.clear();
    else this.#windows.delete(accountId);
  }

  async dump(accountId?: string): Promise<Json> {
    const windows = [...this.#windows]
      .filter(([id]) => accountId === undefined || id === accountId)
      .map(([id, w]) => ({ accountId: id, windowStartMs: w.startMs, windowMs: w.windowMs, count: w.count }));
    return { windows: sortedBy(windows, 'accountId') } satisfies RateWindowsDump;
  }

  async load(dump: Json): Promise<void> {
    for (const w of checkDump<RateWindowsDump>(RateWindowsDump, dump, 'rate windows').windows) {
      this.#open(w.accountId, { startMs: w.windowStartMs, windowMs: w.windowMs, count: w.count });
    }
  }

  #open(accountId: string, window: Window): Window {
    // Deleted first so the Map's order stays window creation order, which #prune relies on.
    this.#windows.delete(accountId);
    if (this.#windows.size >= this.windowsMax) this.#prune(window.startMs);
    this.#windows.set(accountId, window);
    return window;
  }

  /** Stale windows go first; then, down to 90%, the oldest of the current one. */
  #prune(currentStartMs: number): void {
    for (const [id, w] of this.#windows) if (w.startMs !== currentStartMs) this.#windows.delete(id);
    for (const id of this.#windows.keys()) {
      if (this.#windows.size < this.windowsMax * 0.9) break;
      this.#windows.delete(id);
    }
  }
}
