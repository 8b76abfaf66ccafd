import type { ControlDocs, VersionedDoc } from '../types.js';

/*
 * A document's version is the epoch its last write moved to (0: never
 * written). Versions and the epoch only grow, also across reset(): a copy
 * cached before a reset can never be taken for a document written after it
 * (a per-document counter restarting at 1 would repeat versions).
 */

/** Control documents in this process: the default backend. */
export class MemoryControlDocs implements ControlDocs {
  readonly #docs = new Map<string, { version: number; json: string }>();
  #epoch = 0;

  async epoch(): Promise<number> {
    return this.#epoch;
  }

  async read(names: readonly string[]): Promise<Map<string, VersionedDoc>> {
    return new Map(names.map((name) => [name, { ...(this.#docs.get(name) ?? { version: 0, json: undefined }) }]));
  }

  async write(name: string, expectedVersion: number, json: string): Promise<number | undefined> {
    if ((this.#docs.get(name)?.version ?? 0) !== expectedVersion) return undefined;
    this.#docs.set(name, { version: ++this.#epoch, json });
    return this.#epoch;
  }

  async reset(): Promise<void> {
    this.#docs.clear();
    this.#epoch++;
  }
}
