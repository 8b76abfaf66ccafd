import { Worker } from 'node:worker_threads';
import { encodeRgbPng } from './png-encode.js';
import type { EncodeJob } from './png-thread.js';

interface Pending {
  resolve(png: Buffer): void;
  reject(err: Error): void;
}

/** Measured: 256x256 renders were 6% slower through the thread (730 -> 688 req/s), 1024x1024 11% faster (185 -> 206). */
const OFF_THREAD_MIN_PIXELS = 512 * 512;

/**
 * PNG encoding on a worker thread: 2-4 ms of a 1024x1024 render that would
 * otherwise hold the event loop (its p99) and keep renders to one core. The
 * canvas is shared (the CanvasPool's are SharedArrayBuffers), never copied;
 * the PNG comes back transferred. The thread starts on first use and holds
 * the process open only while it has work. If it fails, encoding goes on in
 * this thread: a render never fails for it.
 */
class EncoderThread {
  #worker: Worker | undefined;
  #broken = false;
  #seq = 0;
  #answered = 0;
  readonly #pending = new Map<number, Pending>();

  /** Encodings the thread has answered (the others were done here). */
  get answered(): number {
    return this.#answered;
  }

  encode(canvas: Buffer, width: number, height: number): Promise<Buffer> {
    // Small images are encoded here: the hand-off costs more than their encoding. So is a
    // canvas not from the pool (an edit's composite), which is not shared.
    if (this.#broken || width * height < OFF_THREAD_MIN_PIXELS || !(canvas.buffer instanceof SharedArrayBuffer)) {
      return Promise.resolve(encodeRgbPng(canvas, width, height));
    }
    const worker = this.#worker ?? this.#start();
    if (this.#pending.size === 0) worker.ref();
    const id = ++this.#seq;
    return new Promise<Buffer>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      const job: EncodeJob = { id, shared: canvas.buffer as SharedArrayBuffer, offset: canvas.byteOffset, width, height };
      worker.postMessage(job);
    }).catch(() => encodeRgbPng(canvas, width, height));
  }

  #start(): Worker {
    // From dist/render and from the bundle (dist/bundle, the same depth) alike; .ts under the test runner.
    const worker = new Worker(new URL(`../render/png-thread${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url));
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
    worker.on('exit', (code) => fail(new Error(`the PNG thread exited with ${code}`)));
    this.#worker = worker;
    return worker;
  }
}

export const pngThread = new EncoderThread();
