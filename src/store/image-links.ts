import { randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Clock } from '../lib/clock.js';
import type { RenderParams } from '../render/placeholder.js';

/** What a served image URL resolves to: render parameters, never PNG bytes. */
export interface ImageLink {
  requestId: string;
  images: RenderParams[];
  createdMs: number;
}

/**
 * URL_RESPONSES=serve: the emulator hosts images itself, like the provider
 * broker's `/v1/proxy/images/{id}/{i}`. Bounded by count and age so a
 * long-running server does not grow.
 */
export class ImageLinks {
  readonly #links: LRUCache<string, ImageLink>;

  constructor(
    private readonly clock: Clock,
    readonly ttlMs = 3_600_000,
    maxLinks = 10_000,
  ) {
    this.#links = new LRUCache({ max: maxLinks });
  }

  put(requestId: string, images: RenderParams[]): string {
    const id = randomBytes(16).toString('hex');
    this.#links.set(id, { requestId, images, createdMs: this.clock.nowMs() });
    return id;
  }

  get(id: string): ImageLink | undefined {
    const link = this.#links.get(id);
    if (link && this.clock.nowMs() - link.createdMs > this.ttlMs) {
      this.#links.delete(id);
      return undefined;
    }
    return link;
  }
}
