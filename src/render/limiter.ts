/**
 * A counting semaphore with a bounded waiting line. Renders are CPU work in
 * sharp's thread pool; letting every request start one at once only makes all
 * of them slow, and an unbounded line only hides overload. Past `queueMax`
 * waiters, `run` refuses at once so the caller can answer 503 + Retry-After.
 */
export class SaturatedError extends Error {
  override name = 'SaturatedError';
}

export class Limiter {
  #active = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(
    readonly concurrency: number,
    readonly queueMax: number,
  ) {
    if (concurrency < 1) throw new RangeError('concurrency must be at least 1');
  }

  get active(): number {
    return this.#active;
  }

  get waiting(): number {
    return this.#waiting.length;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    return this.runAll([task])[0]!;
  }

  /**
   * Admits a group (one request's images) whole or not at all: a refusal
   * starts nothing, and an admitted group is never cut short. A line with
   * nobody waiting always takes a group, so a request larger than the line
   * is rendered (the line overflows by at most that group) instead of being
   * refused on every retry.
   */
  runAll<T>(tasks: readonly (() => Promise<T>)[]): Promise<T>[] {
    const mustWait = tasks.length - Math.max(0, this.concurrency - this.#active);
    if (mustWait > 0 && this.#waiting.length > 0 && this.#waiting.length + mustWait > this.queueMax) {
      throw new SaturatedError('too many renders waiting');
    }
    return tasks.map((task) => this.#admitted(task));
  }

  async #admitted<T>(task: () => Promise<T>): Promise<T> {
    if (this.#active < this.concurrency) this.#active++;
    // The releasing task hands its slot straight over, so #active stays put.
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#active--;
    }
  }
}
