import { createHmac, randomBytes } from 'node:crypto';
import { sameSecret } from '../lib/ids.js';
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
  // Signs job links: a URL is a capability, and a job id alone (seen in logs, traces) must not be one.
  readonly #secret = randomBytes(32);

  constructor(
    private readonly clock: Clock,
    readonly ttlMs = 3_600_000,
    maxLinks = 10_000,
  ) {
    // Bounded by bytes too: an edit's links hold its source thumbnail.
    this.#links = new LRUCache({
      max: maxLinks,
      maxSize: 64 * 1024 * 1024,
      sizeCalculation: (link) => 256 + (link.images[0]?.source?.png.length ?? 0),
    });
  }

  put(requestId: string, images: RenderParams[]): string {
    const id = randomBytes(16).toString('hex');
    this.#links.set(id, { requestId, images, createdMs: this.clock.nowMs() });
    return id;
  }

  /** The link id of a completed job's images: `<jobId>-<signature>`, unguessable without this server's secret. */
  jobLinkId(jobId: string): string {
    return `${jobId}-${this.#sign(jobId)}`;
  }

  /** The job a link id was signed for, or undefined when the signature does not match. */
  jobIdOf(linkId: string): string | undefined {
    const [jobId, signature] = linkId.split('-');
    if (!jobId || !signature) return undefined;
    return sameSecret(signature, this.#sign(jobId)) ? jobId : undefined;
  }

  #sign(jobId: string): string {
    return createHmac('sha256', this.#secret).update(jobId).digest('hex').slice(0, 32);
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
