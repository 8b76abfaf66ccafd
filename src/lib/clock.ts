import { MinHeap } from './min-heap.js';

/**
 * The one clock every time-based behaviour reads: timestamps, job progression,
 * retention sweeps, and (later) rate-limit windows. Timers go through the clock
 * too, so a ManualClock fires them as it is advanced, in due order, with the
 * time set to each timer's due time: tests script timelines without sleeping.
 */
export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  nowMs(): number;
  /** Runs `fn` once, `delayMs` from now. Never keeps the process alive. */
  schedule(delayMs: number, fn: () => void): TimerHandle;
}

export const systemClock: Clock = {
  nowMs: () => Date.now(),
  schedule(delayMs, fn) {
    const timer = setTimeout(fn, Math.max(0, delayMs));
    timer.unref();
    return { cancel: () => clearTimeout(timer) };
  },
};

interface ManualTimer {
  dueMs: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

export class ManualClock implements Clock {
  #nowMs: number;
  #seq = 0;
  readonly #timers = new MinHeap<ManualTimer>((a, b) => a.dueMs < b.dueMs || (a.dueMs === b.dueMs && a.seq < b.seq));

  constructor(startMs = Date.UTC(2026, 0, 1)) {
    this.#nowMs = startMs;
  }

  nowMs(): number {
    return this.#nowMs;
  }

  schedule(delayMs: number, fn: () => void): TimerHandle {
    const timer: ManualTimer = { dueMs: this.#nowMs + Math.max(0, delayMs), seq: this.#seq++, fn, cancelled: false };
    this.#timers.push(timer);
    return { cancel: () => void (timer.cancelled = true) };
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`cannot advance the clock by ${ms} ms`);
    this.set(this.#nowMs + ms);
  }

  /** Moves time forward to `targetMs`, firing every timer due on the way, in order. */
  set(targetMs: number): void {
    if (!Number.isFinite(targetMs) || targetMs < this.#nowMs) throw new RangeError('the clock never goes backwards');
    for (let next = this.#timers.peek(); next && next.dueMs <= targetMs; next = this.#timers.peek()) {
      this.#timers.pop();
      if (next.cancelled) continue;
      next.cancelled = true;
      this.#nowMs = Math.max(this.#nowMs, next.dueMs);
      next.fn();
    }
    this.#nowMs = targetMs;
  }
}

export function unixSeconds(clock: Clock): number {
  return Math.floor(clock.nowMs() / 1000);
}

// Polls format the same few instants over and over (a job's createdAt and updatedAt).
let lastMs = NaN;
let lastIso = '';

/** RFC 3339 with milliseconds, as the provider broker writes `createdAt`/`updatedAt`. */
export function isoMs(ms: number): string {
  if (ms !== lastMs) {
    lastIso = new Date(ms).toISOString();
    lastMs = ms;
  }
  return lastIso;
}
