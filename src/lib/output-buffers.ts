/**
 * Reusable buffers for large response bodies. A fresh 137 KB Buffer per
 * response (a 1024x1024 image) measured ~20 µs beyond its copy: outside V8's
 * heap, each one is a malloc the kernel backs with new pages (faults), and
 * their external bytes make V8 collect more often. A buffer is given back
 * only once its response has finished (Node has handed every byte to the
 * kernel); one whose response never finishes is left to the collector.
 */
export class OutputBuffers {
  readonly #free: Buffer[] = [];

  constructor(
    /** Buffers kept for reuse, at most: what the pool holds is bounded whatever the traffic. */
    readonly keptMax = 8,
    /** Sizes are rounded up to this, so bodies of slightly different lengths share buffers. */
    readonly roundBytes = 32 * 1024,
  ) {}

  /** A buffer of at least `length` bytes: reused when one is free. */
  take(length: number): Buffer {
    for (let i = this.#free.length - 1; i >= 0; i--) {
      const buffer = this.#free[i]!;
      if (buffer.length < length) continue;
      this.#free.splice(i, 1);
      return buffer;
    }
    return Buffer.allocUnsafeSlow(Math.ceil(length / this.roundBytes) * this.roundBytes);
  }

  /** Gives a buffer from take() back; nothing may read or write it afterwards. */
  give(buffer: Buffer): void {
    if (this.#free.length < this.keptMax) this.#free.push(buffer);
  }

  get freeCount(): number {
    return this.#free.length;
  }
}
