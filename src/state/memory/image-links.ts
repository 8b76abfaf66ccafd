import { randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { ImageLinkStore } from '../types.js';

/** Links by count and by bytes (an edit's link holds its source thumbnail); the least recently used go first. */
export class MemoryImageLinkStore implements ImageLinkStore {
  readonly #links: LRUCache<string, string>;
  readonly #secret = randomBytes(32);

  constructor(maxLinks = 10_000, maxBytes = 64 * 1024 * 1024) {
    this.#links = new LRUCache({ max: maxLinks, maxSize: maxBytes, sizeCalculation: (json) => 256 + json.length });
  }

  async put(id: string, json: string, _sizeBytes: number, ttlMs: number): Promise<void> {
    this.#links.set(id, json, { ttl: ttlMs });
  }

  async get(id: string): Promise<string | undefined> {
    return this.#links.get(id);
  }

  async secret(): Promise<Buffer> {
    return this.#secret;
  }
}
