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
  /**
   * Runs `fn` every `intervalMs`, for work that depends only on the time (a
   * retention sweep): when time jumps, missed runs collapse into one.
   */
  every(intervalMs: number, fn: () => void): TimerHandle;
}

/** Node fires any setTimeout longer than this after 1 ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;
/** The last instant an RFC 3339 timestamp (four-digit year) can show. */
export const MAX_CLOCK_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

export const systemClock: Clock = {
  nowMs: () => Date.now(),
  schedule(delayMs, fn) {
    // Longer delays wait in steps Node can represent.
    const dueMs = Date.now() + Math.max(0, delayMs);
    let timer: NodeJS.Timeout;
    const arm = () => {
      const leftMs = dueMs - Date.now();
      timer = setTimeout(leftMs > MAX_TIMER_MS ? arm : fn, Math.min(Math.max(0, leftMs), MAX_TIMER_MS));
      timer.unref();
    };
    arm();
    return { cancel: () => clearTimeout(timer) };
  },
  every(intervalMs, fn) {
    const timer = setInterval(fn, Math.min(Math.max(1, intervalMs), MAX_TIMER_MS));
    timer.unref();
    return { cancel: () => clearInterval(timer) };
  },
};

interface ManualTimer {
  dueMs: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

interface PeriodicTimer extends ManualTimer {
  intervalMs: number;
}

export class ManualClock implements Clock {
  #nowMs: number;
  #seq = 0;
  readonly #timers = new MinHeap<ManualTimer>((a, b) => a.dueMs < b.dueMs || (a.dueMs === b.dueMs && a.seq < b.seq));
  #periodic: PeriodicTimer[] = [];

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

  every(intervalMs: number, fn: () => void): TimerHandle {
    const step = Math.max(1, intervalMs);
    const timer: PeriodicTimer = { dueMs: this.#nowMs + step, seq: this.#seq++, fn, cancelled: false, intervalMs: step };
    this.#periodic.push(timer);
    return {
      cancel: () => {
        timer.cancelled = true;
        this.#periodic = this.#periodic.filter((p) => p !== timer);
      },
    };
  }

  /** Why `targetMs` cannot be the time, or undefined when it can. */
  refuse(targetMs: number): string | undefined {
    if (!Number.isFinite(targetMs)) return 'the time must be a finite number of milliseconds';
    if (targetMs < this.#nowMs) return 'the clock never goes backwards';
    if (targetMs > MAX_CLOCK_MS) return `the clock cannot pass ${new Date(MAX_CLOCK_MS).toISOString()}`;
    return undefined;
  }

  /**
   * Takes the time of a clock shared with other processes when this one joins
   * them: the one move that may go backwards, made before anything is due.
   */
  adopt(targetMs: number): void {
    if (!(targetMs <= MAX_CLOCK_MS)) throw new RangeError(`cannot adopt ${targetMs}`);
    this.#nowMs = targetMs;
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`cannot advance the clock by ${ms} ms`);
    this.set(this.#nowMs + ms);
  }

  /**
   * Moves time forward to `targetMs`, firing every timer due on the way, in
   * order. A periodic timer fires once at its last tick before the next
   * one-shot timer (or the target), so a jump of any size costs O(due timers).
   */
  set(targetMs: number): void {
    const refused = this.refuse(targetMs);
    if (refused) throw new RangeError(refused);
    for (;;) {
      let next = this.#timers.peek();
      while (next?.cancelled) {
        this.#timers.pop();
        next = this.#timers.peek();
      }
      const horizonMs = next && next.dueMs <= targetMs ? next.dueMs : targetMs;
      this.#firePeriodic(horizonMs);
      if (!next || next.dueMs > targetMs) break;
      this.#timers.pop();
      next.cancelled = true;
      this.#nowMs = Math.max(this.#nowMs, next.dueMs);
      next.fn();
    }
    this.#nowMs = targetMs;
  }

  #firePeriodic(horizonMs: number): void {
    const due = this.#periodic
      .filter((p) => p.dueMs <= horizonMs)
      .map((p) => ({ p, lastTickMs: p.dueMs + Math.floor((horizonMs - p.dueMs) / p.intervalMs) * p.intervalMs }))
      .sort((a, b) => a.lastTickMs - b.lastTickMs);
    for (const { p, lastTickMs } of due) {
      if (p.cancelled) continue;
      this.#nowMs = Math.max(this.#nowMs, lastTickMs);
      p.dueMs = lastTickMs + p.intervalMs;
      p.fn();
    }
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
