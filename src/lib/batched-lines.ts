import { writeSync } from 'node:fs';

/**
 * The log's destination on a file descriptor (stdout): each line is copied
 * into one reusable buffer as it comes, and what gathered goes out with one
 * write(2) every `flushDelayMs` (or sooner, once a pipe's worth is waiting),
 * on the main thread.
 *
 * pino's own destination (sonic-boom, async) hands each write to libuv's thread
 * pool: a thread wake-up and a completion per write, which under load measured
 * ~10 µs of a 90 µs request (bench: poll of a running job, 'request completed'
 * at info). A write(2) per event-loop turn, of the turn's lines joined into
 * one string and encoded into a fresh Buffer, still cost ~2.7 µs per line
 * beyond building it at one line per turn; copied into this buffer and written
 * every 10 ms, ~0.4 µs (a microbench: 250-byte lines to a drained pipe).
 *
 * A reader that stops reading (a full pipe: EAGAIN) never blocks the event
 * loop: what could not be written waits for a later turn, up to
 * `maxPendingBytes`; past that, lines are dropped and counted, and a line
 * saying how many goes out once writing resumes.
 */
export class BatchedLines {
  /** Bytes waiting to be written: `#buffer[0, #length)`, in order. */
  #buffer = Buffer.allocUnsafeSlow(64 * 1024);
  #length = 0;
  #dropped = 0;
  #scheduled = false;
  #retry: NodeJS.Timeout | undefined;
  #ended = false;

  constructor(
    readonly fd: number,
    readonly maxPendingBytes = 16 * 1024 * 1024,
    readonly flushDelayMs = 10,
  ) {
    flushAtExit.add(this);
  }

  write(line: string): boolean {
    if (!this.#append(line)) {
      this.#dropped++;
      return true;
    }
    // After the app closed (its shutdown lines), each line goes out at once: nothing waits for a delay or for exit.
    if (this.#ended) this.flushSync();
    // While the reader is behind, the pending retry writes: nothing is tried per line.
    else if (this.#retry !== undefined) return true;
    else if (this.#length >= PIPE_BYTES) this.flushSync();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      // Unref'd: a process with nothing else to do exits, and the exit handler writes what waits.
      setTimeout(this.#due, this.flushDelayMs).unref();
    }
    return true;
  }

  /** Copies the line in, growing the buffer up to maxPendingBytes; false when it does not fit. */
  #append(line: string): boolean {
    // A UTF-16 unit is at most 3 UTF-8 bytes: the exact length is only worth counting near the end.
    if (this.#length + line.length * 3 > this.#buffer.length) {
      const need = this.#length + Buffer.byteLength(line);
      if (need > this.maxPendingBytes) return false;
      if (need > this.#buffer.length) {
        const grown = Buffer.allocUnsafeSlow(Math.min(this.maxPendingBytes, Math.max(need, 2 * this.#buffer.length)));
        this.#buffer.copy(grown, 0, 0, this.#length);
        this.#buffer = grown;
      }
    }
    this.#length += this.#buffer.write(line, this.#length, 'utf8');
    return true;
  }

  readonly #due = () => {
    this.#scheduled = false;
    this.flushSync();
  };

  /** Writes what is pending now; what the descriptor will not take yet is retried shortly. */
  flushSync(): void {
    // Said where the gap is: the lines before this one were kept, some after them were not.
    if (this.#dropped > 0 && this.#append(`{"level":40,"time":${Date.now()},"msg":"log lines dropped: the log reader fell behind","dropped":${this.#dropped}}\n`)) {
      this.#dropped = 0;
    }
    let written = 0;
    try {
      while (written < this.#length) written += writeSync(this.fd, this.#buffer, written, this.#length - written);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') written = this.#length; // EPIPE, EBADF: nobody reads; drop
    }
    if (written > 0) {
      this.#buffer.copy(this.#buffer, 0, written, this.#length);
      this.#length -= written;
    }
    if (this.#length === 0 || this.#ended) return;
    this.#retry ??= setTimeout(() => {
      this.#retry = undefined;
      this.flushSync();
    }, 10).unref();
  }

  /** Bytes waiting to be written (lines gathered since the last write, or what the reader has not taken yet). */
  get pendingBytes(): number {
    return this.#length;
  }

  /** pino's logger.flush(). */
  flush(cb?: (err?: Error) => void): void {
    this.flushSync();
    cb?.();
  }

  /** When the app closes: what can be written now is, later lines are written as they come, nothing is retried. */
  end(): void {
    this.#ended = true;
    this.flushSync();
    clearTimeout(this.#retry);
    this.#retry = undefined;
    flushAtExit.delete(this);
  }
}

/** What a pipe holds (Linux): more than this at once would only be written in part. */
const PIPE_BYTES = 64 * 1024;

// Lines still pending when the process exits (process.exit, a fatal error) are written synchronously.
const flushAtExit = new Set<BatchedLines>();
process.once('exit', () => flushAtExit.forEach((lines) => lines.flushSync()));
