import { randomUUID } from 'node:crypto';
import type { Clock } from '../lib/clock.js';
import { unixSeconds } from '../lib/clock.js';
import { withTextChunks } from '../render/png-text.js';
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
  data: { b64_json: string }[];
  model: string;
  usage: { output_images: number };
}

export interface ProviderResult {
  body: ProviderImageResponse;
  /** The provider's response id, sent as ZG-Res-Key; only providers that sign have one. */
  resKey?: string;
}

export interface RecordedRequest {
  requestId: string;
  body: ProviderImageRequest;
}

const RECORDED_MAX = 100;

/**
 * One provider of the pool. It records the last bodies it received (so tests
 * can prove Router-only fields never reach it) and answers with labelled PNGs.
 */
export class MockProvider {
  readonly #received: RecordedRequest[] = [];

  constructor(
    readonly spec: ProviderSpec,
    private readonly renderer: Renderer,
    private readonly clock: Clock,
  ) {}

  get received(): readonly RecordedRequest[] {
    return this.#received;
  }

  async generate(body: ProviderImageRequest, requestId: string): Promise<ProviderResult> {
    this.#received.push({ requestId, body: structuredClone(body) });
    if (this.#received.length > RECORDED_MAX) this.#received.shift();
    const [width, height] = body.size.split('x').map(Number) as [number, number];
    const pngs = await Promise.all(
      Array.from({ length: body.n }, (_, index) =>
        this.renderer.render({ model: body.model, prompt: body.prompt, width, height, index, providerAddress: this.spec.address }),
      ),
    );
    const data = pngs.map((png) => ({
      b64_json: withTextChunks(png, { request_id: requestId, provider_address: this.spec.address }).toString('base64'),
    }));
    const result: ProviderResult = {
      body: { created: unixSeconds(this.clock), data, model: body.model, usage: { output_images: data.length } },
    };
    if (this.spec.signsResponses) result.resKey = randomUUID();
    return result;
  }
}
