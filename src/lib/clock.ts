/**
 * The one clock every time-based behaviour reads. Tests build the app with a
 * ManualClock so that timestamps (and, later, job progression and retention)
 * are scripted instead of slept for.
 */
export interface Clock {
  nowMs(): number;
}

export const systemClock: Clock = { nowMs: () => Date.now() };

export class ManualClock implements Clock {
  #nowMs: number;

  constructor(startMs = Date.UTC(2026, 0, 1)) {
    this.#nowMs = startMs;
  }

  nowMs(): number {
    return this.#nowMs;
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`cannot advance the clock by ${ms} ms`);
    this.#nowMs += ms;
  }

  set(ms: number): void {
    if (ms < this.#nowMs) throw new RangeError('the clock never goes backwards');
    this.#nowMs = ms;
  }
}

export function unixSeconds(clock: Clock): number {
  return Math.floor(clock.nowMs() / 1000);
}
