/**
 * Runs deferred calls together once the event loop has handled every I/O
 * event of its current turn: setImmediate's check phase follows the poll
 * phase. The app defers each response's write here, so the answers to
 * requests that arrived together leave together.
 *
 * Why: a loopback write wakes the reading process in the writer's context,
 * and waking a client whose core went idle is the costly part (on the 2-core
 * VM the benchmarks run on, an inter-processor interrupt in the hypervisor).
 * Written one by one between the handling of the next requests, each answer
 * can find the client idle again and pay that wake-up; written at the end of
 * the turn, a batch pays it about once. Measured with bench/ab.mjs: -31 µs of
 * CPU per async submit (141 -> 111), -10 per running poll, -15 per 256x256
 * cache hit. A lone request waits only for its own turn to end.
 */
export class EndOfTurn {
  #queued: Array<() => void> = [];
  #spare: Array<() => void> = [];

  /** `onError` hears of a deferred call that threw; the calls after it still run. */
  constructor(private readonly onError: (err: unknown) => void) {}

  /** Queues `call` for the end of this turn, after any call queued before it. */
  defer(call: () => void): void {
    if (this.#queued.push(call) === 1) setImmediate(this.#release);
  }

  readonly #release = (): void => {
    // Two arrays taking turns: a call deferred while these run goes to the next turn, and no array is made per turn.
    const calls = this.#queued;
    this.#queued = this.#spare;
    for (let i = 0; i < calls.length; i++) {
      try {
        calls[i]!();
      } catch (err) {
        this.onError(err);
      }
    }
    calls.length = 0;
    this.#spare = calls;
  };
}
