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

  /** Shared memory, so the PNG encoder's thread reads it where it is (png-offload.ts). */
  take(bytes: number): Buffer {
    const canvas = this.#free.get(bytes)?.pop();
    if (!canvas) return Buffer.from(new SharedArrayBuffer(bytes));
    this.#freeBytes -= bytes;
    return canvas;
  }

  /** Only once nothing reads the canvas any more (its libvips pipeline, its encoding). Buffers not from take() are left to the GC. */
  give(canvas: Buffer): void {
    if (!(canvas.buffer instanceof SharedArrayBuffer) || this.#freeBytes + canvas.length > this.maxFreeBytes) return;
    const list = this.#free.get(canvas.length);
    if (list) list.push(canvas);
    else this.#free.set(canvas.length, [canvas]);
    this.#freeBytes += canvas.length;
  }

  get freeBytes(): number {
    return this.#freeBytes;
  }
}
