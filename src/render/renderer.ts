import { LRUCache } from 'lru-cache';
import { Limiter } from './limiter.js';
import { encodePng, type EncodedPng } from './png-text.js';
import { renderKey, renderPlaceholder, type RenderParams } from './placeholder.js';

export interface RendererOptions {
  cacheBytes: number;
  concurrency: number;
  queueMax: number;
  /** Injectable for tests that need a slow or failing renderer. */
  draw?: (p: RenderParams) => Promise<Buffer>;
}

export interface RenderStats {
  hits: number;
  misses: number;
  coalesced: number;
  cachedBytes: number;
  active: number;
  waiting: number;
}

/**
 * Deterministic renders behind a byte-bounded LRU and a concurrency limit.
 * Identical renders already in flight are shared rather than started twice,
 * so a burst of the same request costs one render.
 */
export class Renderer {
  readonly #cache: LRUCache<string, EncodedPng> | undefined;
  readonly #inFlight = new Map<string, Promise<EncodedPng>>();
  readonly #limiter: Limiter;
  readonly #draw: (p: RenderParams) => Promise<Buffer>;
  #hits = 0;
  #misses = 0;
  #coalesced = 0;

  constructor(options: RendererOptions) {
    this.#limiter = new Limiter(options.concurrency, options.queueMax);
    this.#draw = options.draw ?? renderPlaceholder;
    if (options.cacheBytes > 0) {
      this.#cache = new LRUCache<string, EncodedPng>({
        maxSize: options.cacheBytes,
        sizeCalculation: (png, key) => png.head.length + png.tailB64.length + key.length,
      });
    }
  }

  /** The image, kept base64-ready: see EncodedPng. */
  async render(params: RenderParams): Promise<EncodedPng> {
    const key = renderKey(params);
    const cached = this.#cache?.get(key);
    if (cached) {
      this.#hits++;
      return cached;
    }
    const pending = this.#inFlight.get(key);
    if (pending) {
      this.#coalesced++;
      return pending;
    }
    this.#misses++;
    const promise = this.#limiter
      .run(() => this.#draw(params))
      .then((png) => {
        const encoded = encodePng(png);
        this.#cache?.set(key, encoded);
        return encoded;
      })
      .finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, promise);
    return promise;
  }

  stats(): RenderStats {
    return {
      hits: this.#hits,
      misses: this.#misses,
      coalesced: this.#coalesced,
      cachedBytes: this.#cache?.calculatedSize ?? 0,
      active: this.#limiter.active,
      waiting: this.#limiter.waiting,
    };
  }
}
