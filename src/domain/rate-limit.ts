import { isoMs, type Clock } from '../lib/clock.js';

export interface RateLimitState {
  limit: number;
  remaining: number;
  resetMs: number;
  allowed: boolean;
}

const WINDOW_MS = 60_000;
/** Keys with a window this minute; a flood of new keys beyond it resets the oldest windows. */
const WINDOWS_MAX = 100_000;

/**
 * Per-key requests per minute in fixed windows aligned to the clock's minutes.
 * Hand-written rather than @fastify/rate-limit: it must read the emulator's one
 * clock (so a manual-clock test can cross a window), key on the authenticated
 * key, and report the reset as an ISO-8601 time, as the Router does.
 */
export class RateLimiter {
  readonly #windows = new Map<string, { startMs: number; count: number }>();

  constructor(
    private readonly clock: Clock,
    readonly limitPerMinute: number,
  ) {}

  get size(): number {
    return this.#windows.size;
  }

  take(keyId: string): RateLimitState {
    const nowMs = this.clock.nowMs();
    const startMs = nowMs - (nowMs % WINDOW_MS);
    let window = this.#windows.get(keyId);
    if (!window || window.startMs !== startMs) {
      if (this.#windows.size >= WINDOWS_MAX) this.#prune(startMs);
      window = { startMs, count: 0 };
      this.#windows.set(keyId, window);
    }
    const allowed = window.count < this.limitPerMinute;
    if (allowed) window.count++;
    return { limit: this.limitPerMinute, remaining: this.limitPerMinute - window.count, resetMs: startMs + WINDOW_MS, allowed };
  }

  reset(keyId?: string): void {
    if (keyId === undefined) this.#windows.clear();
    else this.#windows.delete(keyId);
  }

  /** Stale windows go first; then, down to 90%, the oldest of this minute (Map order is creation order). */
  #prune(currentStartMs: number): void {
    for (const [key, w] of this.#windows) if (w.startMs !== currentStartMs) this.#windows.delete(key);
    for (const key of this.#windows.keys()) {
      if (this.#windows.size < WINDOWS_MAX * 0.9) break;
      this.#windows.delete(key);
    }
  }
}

export function rateLimitHeaders(state: RateLimitState): Record<string, string> {
  return {
    'x-ratelimit-limit-requests': String(state.limit),
    'x-ratelimit-remaining-requests': String(state.remaining),
    'x-ratelimit-reset-requests': isoMs(state.resetMs),
  };
}
