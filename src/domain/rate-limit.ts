import { isoMs, type Clock } from '../lib/clock.js';
import type { RateWindowStore } from '../state/types.js';

export interface RateLimitState {
  limit: number;
  remaining: number;
  resetMs: number;
  allowed: boolean;
}

const WINDOW_MS = 60_000;

/**
 * Per-account requests per minute in fixed windows aligned to the clock's
 * minutes. Hand-written rather than @fastify/rate-limit: it must read the
 * emulator's one clock (so a manual-clock test can cross a window), key on
 * the authenticated account, count in the shared store (replicas share the
 * windows), and report the reset as an ISO-8601 time, as the Router does.
 */
export class RateLimiter {
  constructor(
    private readonly clock: Clock,
    private readonly store: RateWindowStore,
    readonly limitPerMinute: number,
  ) {}

  async take(accountId: string): Promise<RateLimitState> {
    const nowMs = this.clock.nowMs();
    const startMs = nowMs - (nowMs % WINDOW_MS);
    const { count, allowed } = await this.store.take(accountId, startMs, WINDOW_MS, this.limitPerMinute);
    return { limit: this.limitPerMinute, remaining: Math.max(0, this.limitPerMinute - count), resetMs: startMs + WINDOW_MS, allowed };
  }

  reset(accountId?: string): Promise<void> {
    return this.store.reset(accountId);
  }
}

export function rateLimitHeaders(state: RateLimitState): Record<string, string> {
  return {
    'x-ratelimit-limit-requests': String(state.limit),
    'x-ratelimit-remaining-requests': String(state.remaining),
    'x-ratelimit-reset-requests': isoMs(state.resetMs),
  };
}
