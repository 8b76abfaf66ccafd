import type { ServerResponse } from 'node:http';

export interface EventHubOptions {
  /** Streams open at once; past it a new one is refused. */
  maxStreams: number;
  /** At most one event per stream per this many ms: bursts of changes coalesce into one. */
  throttleMs: number;
  /** A stream whose socket holds more unsent bytes than this gets no new event until it drains. */
  maxBufferedBytes: number;
  /** Every tick, `tick()` may ask for a refresh (time-driven changes); every 15th tick sends a keep-alive comment. */
  tickMs: number;
  tick(): boolean;
}

interface Stream {
  res: ServerResponse;
  /** The event; a stream renders one at a time (state may live in Redis). */
  render(): Promise<string>;
  rendering: boolean;
  timer: NodeJS.Timeout | undefined;
  lastSentMs: number;
  waitingForDrain: boolean;
}

/**
 * Server-sent event streams, each rendering its own event from current state.
 * A change marks every stream dirty; a stream sends at most one event per
 * `throttleMs` and skips while its socket is backed up, so a slow or stalled
 * reader costs a bounded buffer, never a growing queue.
 */
export class EventHub {
  readonly #streams = new Set<Stream>();
  #ticker: NodeJS.Timeout | undefined;
  #ticks = 0;

  constructor(private readonly options: EventHubOptions) {}

  get size(): number {
    return this.#streams.size;
  }

  get full(): boolean {
    return this.#streams.size >= this.options.maxStreams;
  }

  /** Starts a stream on a response whose head is already written; sends the first event now. */
  open(res: ServerResponse, render: () => Promise<string>): void {
    const stream: Stream = { res, render, rendering: false, timer: undefined, lastSentMs: 0, waitingForDrain: false };
    this.#streams.add(stream);
    res.on('close', () => this.#drop(stream));
    this.#send(stream);
    this.#ticker ??= setInterval(() => this.#tick(), this.options.tickMs).unref();
  }

  /** State changed: every stream sends a fresh event within `throttleMs`. */
  changed(): void {
    for (const stream of this.#streams) this.#schedule(stream);
  }

  /** Ends every stream (server shutdown): an open stream must not hold the close up. */
  closeAll(): void {
    for (const stream of [...this.#streams]) {
      this.#drop(stream);
      stream.res.end();
    }
  }

  #schedule(stream: Stream): void {
    if (stream.timer || stream.waitingForDrain || stream.rendering) return;
    const waitMs = Math.max(0, stream.lastSentMs + this.options.throttleMs - Date.now());
    stream.timer = setTimeout(() => {
      stream.timer = undefined;
      this.#send(stream);
    }, waitMs);
    stream.timer.unref();
  }

  #send(stream: Stream): void {
    if (!this.#streams.has(stream)) return;
    if (stream.res.writableLength > this.options.maxBufferedBytes) {
      // Skip, and send the then-current state once the reader has caught up.
      stream.waitingForDrain = true;
      stream.res.once('drain', () => {
        stream.waitingForDrain = false;
        this.#schedule(stream);
      });
      return;
    }
    stream.lastSentMs = Date.now();
    stream.rendering = true;
    stream.render().then(
      (event) => {
        stream.rendering = false;
        if (this.#streams.has(stream)) stream.res.write(event);
      },
      // State unreadable (Redis down): the next change or tick tries again.
      () => void (stream.rendering = false),
    );
  }

  #tick(): void {
    this.#ticks++;
    if (this.options.tick()) this.changed();
    if (this.#ticks % 15 === 0) for (const stream of this.#streams) if (!stream.waitingForDrain) stream.res.write(': keep-alive\n\n');
  }

  #drop(stream: Stream): void {
    clearTimeout(stream.timer);
    this.#streams.delete(stream);
    if (this.#streams.size === 0 && this.#ticker) {
      clearInterval(this.#ticker);
      this.#ticker = undefined;
    }
  }
}

/** One SSE frame: JSON has no raw newlines, so the data fits one `data:` line. */
export function sseEvent(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
