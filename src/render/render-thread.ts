import { Worker } from 'node:worker_threads';
import { drawAndEncode, type Composition } from './canvas-draw.js';
import type { RenderJob } from './render-worker.js';

interface Pending {
  resolve(png: Buffer): void;
  reject(err: Error): void;
}

/** Measured on the PNG encoding alone: 256x256 renders were 6% slower through the thread (730 -> 688 req/s), 1024x1024 11% faster. */
const OFF_THREAD_MIN_PIXELS = 512 * 512;

/**
 * The pixels and the PNG of large placeholders, on a worker thread: drawing
 * the background and label and encoding are most of a 1024x1024 render's
 * main-thread time, which held the event loop (its p99) and kept renders to
 * one core. The thread gets what libvips laid out (the label's coverage,
 * copied) and answers with the PNG, transferred. It starts on first use and
 * holds the process open only while it has work. If it fails, rendering goes
 * on in this thread: a render never fails for it.
 */
class RenderThread {
  #worker: Worker | undefined;
  #broken = false;
  #seq = 0;
  #answered = 0;
  readonly #pending = new Map<number, Pending>();

  /** Renders the thread has answered (the others were done here). */
  get answered(): number {
    return this.#answered;
  }

  render(c: Composition): Promise<Buffer> {
    // Small images are drawn here: the hand-off costs more than the work.
    if (this.#broken || c.width * c.height < OFF_THREAD_MIN_PIXELS) return Promise.resolve(drawAndEncode(c));
    const worker = this.#worker ?? this.#start();
    const id = ++this.#seq;
    return new Promise<Buffer>((resolve, reject) => {
      const job: RenderJob = { id, composition: c };
      // Throws (rejecting this promise) when the job cannot be sent: then nothing is pending and nothing holds the process.
      worker.postMessage(job);
      if (this.#pending.size === 0) worker.ref();
      this.#pending.set(id, { resolve, reject });
    }).catch(() => drawAndEncode(c));
  }

  #start(): Worker {
    // From dist/render and from the bundle (dist/bundle, the same depth) alike; .ts under the test runner.
    const worker = new Worker(new URL(`../render/render-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url));
    worker.unref();
    worker.on('message', ({ id, png }: { id: number; png: ArrayBuffer }) => {
      const pending = this.#pending.get(id);
      this.#pending.delete(id);
      if (this.#pending.size === 0) worker.unref();
      this.#answered++;
      pending?.resolve(Buffer.from(png));
    });
    const fail = (err: Error) => {
      this.#broken = true;
      this.#worker = undefined;
      for (const pending of this.#pending.values()) pending.reject(err);
      this.#pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the render thread exited with ${code}`)));
    this.#worker = worker;
    return worker;
  }
}

export const renderThread = new RenderThread();
