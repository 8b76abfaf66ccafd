import type { IncomingHttpHeaders } from 'node:http';
import type { Clock } from '../lib/clock.js';
import { forwardedHeaders } from '../domain/image-request.js';
import { unixSeconds } from '../lib/clock.js';
import { createHash } from 'node:crypto';
import { summariseBody, type Summary } from '../lib/body-summary.js';
import { newRequestId, uuidFromHex } from '../lib/ids.js';
import { taggedBase64, type Base64Image } from '../render/png-text.js';
import type { RenderParams, SourceImage } from '../render/placeholder.js';
import type { Renderer } from '../render/renderer.js';
import type { ProviderSpec } from './types.js';

/** What the Router forwards to a provider: the client body minus Router extensions. */
export interface ProviderImageRequest {
  model: string;
  prompt: string;
  n: number;
  size: string;
  response_format: 'b64_json';
  [extra: string]: unknown;
}

export interface ProviderImageResponse {
  created: number;
  data: { b64_json: Base64Image }[];
  model: string;
  usage: { output_images: number };
}

export interface ProviderResult {
  body: ProviderImageResponse;
  /** The provider's response id, sent as ZG-Res-Key; only providers that sign have one. */
  resKey?: string;
}

/** Everything that decides the pixels of a response's images. */
export interface ImageSet {
  model: string;
  prompt: string;
  width: number;
  height: number;
  n: number;
  source?: SourceImage;
}

export interface RecordedRequest {
  requestId: string;
  /** What the provider received, summarised: field names, scalars, cut prompts; never a whole body. */
  body: Summary;
  /** The headers the Router forwards: never credentials, routing or emulator headers. */
  headers: Record<string, string>;
}

const RECORDED_MAX = 100;

/** As received: the headers are filtered when read, not on every request (they are bounded by Node's header limit). */
interface Received {
  requestId: string;
  body: Summary;
  headers: IncomingHttpHeaders;
}

/**
 * One provider of the pool. It records the last bodies it received (so tests
 * can prove Router-only fields never reach it) and answers with labelled PNGs.
 */
export class MockProvider {
  readonly #received: Received[] = [];

  constructor(
    readonly spec: ProviderSpec,
    private readonly renderer: Renderer,
    private readonly clock: Clock,
  ) {}

  get received(): readonly RecordedRequest[] {
    return this.#received.map((r) => ({ requestId: r.requestId, body: r.body, headers: forwardedHeaders(r.headers) }));
  }

  /** The provider's side of a request or a job submit: it sees the forwarded body. */
  receive(body: ProviderImageRequest, requestId: string, headers: IncomingHttpHeaders = {}): void {
    this.#received.push({ requestId, body: summariseBody(body) ?? {}, headers });
    if (this.#received.length > RECORDED_MAX) this.#received.shift();
  }

  newResKey(): string | undefined {
    return this.spec.signsResponses ? newRequestId() : undefined;
  }

  /** A job's response id: derived from the job id, so every poll shows the same one and no job stores it. */
  resKeyOf(jobId: string): string | undefined {
    return this.spec.signsResponses ? uuidFromHex(createHash('sha256').update(`res-key:${jobId}`).digest('hex')) : undefined;
  }

  /** Base64 PNGs, tagged as tEXt chunks with the request id, the job id (async jobs) and this provider. */
  async renderImages(set: ImageSet, requestId: string, jobId?: string): Promise<Base64Image[]> {
    // Plain literals, no spreads: this runs on every cache hit.
    const params: RenderParams[] = new Array(set.n);
    for (let index = 0; index < set.n; index++) {
      const p: RenderParams = { model: set.model, prompt: set.prompt, width: set.width, height: set.height, index, providerAddress: this.spec.address };
      if (set.source) p.source = set.source;
      params[index] = p;
    }
    const pngs = await Promise.all(this.renderer.renderMany(params));
    const address = this.spec.address;
    const entries: Record<string, string> =
      jobId === undefined ? { request_id: requestId, provider_address: address } : { request_id: requestId, job_id: jobId, provider_address: address };
    return pngs.map((png) => taggedBase64(png, entries));
  }

  async generate(body: ProviderImageRequest, set: ImageSet, requestId: string, headers: IncomingHttpHeaders = {}): Promise<ProviderResult> {
    this.receive(body, requestId, headers);
    const images = await this.renderImages(set, requestId);
    const result: ProviderResult = {
      body: {
        created: unixSeconds(this.clock),
        data: images.map((b64_json) => ({ b64_json })),
        model: body.model,
        usage: { output_images: images.length },
      },
    };
    const resKey = this.newResKey();
    if (resKey) result.resKey = resKey;
    return result;
  }
}
