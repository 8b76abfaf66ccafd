import { createHmac, randomBytes } from 'node:crypto';
import { sameSecret } from '../lib/ids.js';
import type { Clock } from '../lib/clock.js';
import type { RenderParams } from '../render/placeholder.js';
import type { ImageLinkStore } from '../state/types.js';

/** What a served image URL resolves to: render parameters, never PNG bytes. */
export interface ImageLink {
  requestId: string;
  images: RenderParams[];
  createdMs: number;
}

/**
 * URL_RESPONSES=serve: the emulator hosts images itself, like the provider
 * broker's `/v1/proxy/images/{id}/{i}`. A sync response's link is stored
 * (bounded by count, bytes and age) where every replica can read it; a job's
 * link is signed with a secret they share, so it needs no storage at all.
 */
export class ImageLinks {
  #secret: Promise<Buffer> | undefined;

  constructor(
    private readonly store: ImageLinkStore,
    private readonly clock: Clock,
    readonly ttlMs = 3_600_000,
  ) {}

  async put(requestId: string, images: RenderParams[]): Promise<string> {
    const id = randomBytes(16).toString('hex');
    const link = { requestId, createdMs: this.clock.nowMs(), images: images.map(({ source, ...p }) => (source ? { ...p, source: { ...source, png: source.png.toString('base64') } } : p)) };
    const json = JSON.stringify(link);
    await this.store.put(id, json, json.length, this.ttlMs);
    return id;
  }

  async get(id: string): Promise<ImageLink | undefined> {
    const json = await this.store.get(id);
    if (json === undefined) return undefined;
    type Stored = Omit<RenderParams, 'source'> & { source?: Omit<NonNullable<RenderParams['source']>, 'png'> & { png: string } };
    const link = JSON.parse(json) as Omit<ImageLink, 'images'> & { images: Stored[] };
    // The emulator clock decides expiry too: a manual clock moved past the link's age ends it.
    if (this.clock.nowMs() - link.createdMs > this.ttlMs) return undefined;
    return { ...link, images: link.images.map(({ source, ...p }) => (source ? { ...p, source: { ...source, png: Buffer.from(source.png, 'base64') } } : p)) };
  }

  /** The link id of a completed job's images: `<jobId>-<signature>`, unguessable without the shared secret. */
  async jobLinkId(jobId: string): Promise<string> {
    return `${jobId}-${await this.#sign(jobId)}`;
  }

  /** The job a link id was signed for, or undefined when the signature does not match. */
  async jobIdOf(linkId: string): Promise<string | undefined> {
    const [jobId, signature] = linkId.split('-');
    if (!jobId || !signature) return undefined;
    return sameSecret(signature, await this.#sign(jobId)) ? jobId : undefined;
  }

  // Signs job links: a URL is a capability, and a job id alone (seen in logs, traces) must not be one.
  async #sign(jobId: string): Promise<string> {
    this.#secret ??= this.store.secret().catch((err: unknown) => {
      this.#secret = undefined;
      throw err;
    });
    return createHmac('sha256', await this.#secret).update(jobId).digest('hex').slice(0, 32);
  }
}
