import type { ControlDocs, Json } from './types.js';

/** One kind of control state: a local object, and how it becomes a document and back. */
export interface ControlKind {
  name: string;
  toJson(): Json;
  /** Replaces the local object's content with a document's (undefined: the initial content). */
  fromJson(json: Json | undefined): void;
}

const MAX_ATTEMPTS = 20;

/**
 * Control state (accounts and keys, revocations, fault rule definitions,
 * provider health, the manual clock) is read on every request and written
 * only by the control plane. Each process keeps its own parsed copy:
 * `sync()` costs one read (the epoch) when nothing changed, and re-reads only
 * the documents whose version moved. A change is made to the local copy and
 * written back compare-and-set; if another process wrote first, the copy is
 * refreshed and the change made again, so concurrent changes compose.
 *
 * With the memory backend there is one process and the local objects are the
 * state: sync does nothing and a change is just made.
 */
export class ControlState {
  readonly #kinds = new Map<string, ControlKind>();
  readonly #versions = new Map<string, number>();
  #epoch = -1;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly docs: ControlDocs | undefined) {}

  get shared(): boolean {
    return this.docs !== undefined;
  }

  register(kind: ControlKind): void {
    this.#kinds.set(kind.name, kind);
    this.#versions.set(kind.name, 0);
  }

  async sync(): Promise<void> {
    if (!this.docs) return;
    const epoch = await this.docs.epoch();
    if (epoch === this.#epoch) return;
    const docs = await this.docs.read([...this.#kinds.keys()]);
    for (const [name, doc] of docs) {
      if (doc.version === this.#versions.get(name)) continue;
      this.#kinds.get(name)!.fromJson(doc.json === undefined ? undefined : (JSON.parse(doc.json) as Json));
      this.#versions.set(name, doc.version);
    }
    this.#epoch = epoch;
  }

  /**
   * Makes a change to the `name` kind and shares it. `change` may run more
   * than once (after another process's write), always on a current copy, and
   * must not have effects outside the local object before it returns.
   */
  change<T>(name: string, change: () => T | Promise<T>): Promise<T> {
    // One change at a time in this process: two interleaved on one local copy would each publish the other's.
    const run = this.#queue.then(() => this.#change(name, change));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #change<T>(name: string, change: () => T | Promise<T>): Promise<T> {
    const kind = this.#kinds.get(name);
    if (!kind) throw new Error(`unknown control state ${name}`);
    if (!this.docs) return change();
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      await this.sync();
      const version = this.#versions.get(name)!;
      const result = await change();
      const written = await this.docs.write(name, version, JSON.stringify(kind.toJson()));
      if (written !== undefined) {
        // Known current: the next sync does not read this process's own write back.
        this.#versions.set(name, written);
        return result;
      }
      // Another process wrote first: force a re-read of this document.
      this.#epoch = -1;
      this.#versions.set(name, -1);
    }
    throw new Error(`control state ${name}: too much contention`);
  }

  /** Every kind as JSON (state export). */
  dump(): Record<string, Json> {
    return Object.fromEntries([...this.#kinds].map(([name, kind]) => [name, kind.toJson()]));
  }

  /** Loads documents by name (state import, reset with undefined), sharing each. */
  async load(docs: Record<string, Json | undefined>): Promise<void> {
    for (const [name, json] of Object.entries(docs)) {
      const kind = this.#kinds.get(name);
      if (kind) await this.change(name, () => kind.fromJson(json));
    }
  }

  names(): string[] {
    return [...this.#kinds.keys()];
  }
}
