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
    return this.renderMany([params])[0]!;
  }

  /**
   * One request's images: cached and in-flight ones are shared, the rest are
   * admitted to the limiter together, so a refusal (503) starts no render.
   */
  renderMany(list: readonly RenderParams[]): Promise<EncodedPng>[] {
    const out: Promise<EncodedPng>[] = new Array(list.length);
    const misses: { key: string; params: RenderParams; slots: number[] }[] = [];
    list.forEach((params, i) => {
      const key = renderKey(params);
      const cached = this.#cache?.get(key);
      if (cached) {
        this.#hits++;
        out[i] = Promise.resolve(cached);
        return;
      }
      const pending = this.#inFlight.get(key);
      if (pending) {
        this.#coalesced++;
        out[i] = pending;
        return;
      }
      const same = misses.find((m) => m.key === key);
      if (same) {
        this.#coalesced++;
        same.slots.push(i);
      } else misses.push({ key, params, slots: [i] });
    });
    if (misses.length === 0) return out;
    // Throws SaturatedError (503 + Retry-After) with nothing started.
    const drawn = this.#limiter.runAll(misses.map((m) => () => this.#draw(m.params)));
    this.#misses += misses.length;
    misses.forEach((m, j) => {
      const promise = drawn[j]!.then((png) => {
        const encoded = encodePng(png);
        this.#cache?.set(m.key, encoded);
        return encoded;
      }).finally(() => this.#inFlight.delete(m.key));
      this.#inFlight.set(m.key, promise);
      for (const slot of m.slots) out[slot] = promise;
    });
    return out;
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
