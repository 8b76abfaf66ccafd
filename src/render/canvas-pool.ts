/**
 * Raw RGB canvases reused across renders, bounded in bytes.
 *
 * A 1024x1024 canvas is 3 MB outside V8's heap. Allocated per render, at ~120
 * unique renders a second V8 counted ~400 MB/s of new external memory and ran a
 * full mark-compact several times a second: a fifth of the server's CPU under
 * unique renders (perf: ConcurrentMarking, Sweeper). A canvas is wholly
 * overwritten by each render, so a returned one needs no clearing.
 */
export class CanvasPool {
  readonly #free = new Map<number, Buffer[]>();
  #freeBytes = 0;

  constructor(readonly maxFreeBytes: number) {}

  take(bytes: number): Buffer {
    const canvas = this.#free.get(bytes)?.pop();
    if (!canvas) return Buffer.allocUnsafe(bytes);
    this.#freeBytes -= bytes;
    return canvas;
  }

  /** Only once nothing reads the canvas any more (its libvips pipeline has finished). */
  give(canvas: Buffer): void {
    if (this.#freeBytes + canvas.length > this.maxFreeBytes) return;
    const list = this.#free.get(canvas.length);
    if (list) list.push(canvas);
    else this.#free.set(canvas.length, [canvas]);
    this.#freeBytes += canvas.length;
  }

  get freeBytes(): number {
    return this.#freeBytes;
  }
}

/**
 * This thread's canvases (a worker thread has its own module instances, so its own pool): enough for
 * the renders in flight at the largest sizes (1792x1024 is 5.5 MB).
 */
export const canvases = new CanvasPool(32 * 1024 * 1024);
