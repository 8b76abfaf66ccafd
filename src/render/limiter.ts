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
    if (this.#active < this.concurrency) {
      this.#active++;
    } else {
      if (this.#waiting.length >= this.queueMax) throw new SaturatedError('too many renders waiting');
      // The releasing task hands its slot straight over, so #active stays put.
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
    try {
      return await task();
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#active--;
    }
  }
}
