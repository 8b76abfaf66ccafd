import type { Config } from '../config.js';
import { ApiError } from '../errors.js';
import type { MockProvider, ProviderResult } from '../providers/mock-provider.js';
import type { Endpoint, ProviderPool } from '../providers/pool.js';
import { SaturatedError } from '../render/limiter.js';
import type { Trace } from '../schemas/common.js';
import type { ImageGenerationRequestBody, ImageGenerationResponseBody } from '../schemas/images.js';
import type { ImageLinks } from '../store/image-links.js';
import { imageBilling } from './billing.js';
import { parseImageRequest, type ImageJobSpec } from './image-request.js';
import { rankCandidates } from './routing.js';

export interface GenerationServices {
  config: Pick<Config, 'urlResponses' | 'profile'>;
  pool: ProviderPool;
  provider(address: string): MockProvider;
  imageLinks: ImageLinks;
}

export interface GenerationOutcome {
  body: ImageGenerationResponseBody;
  headers: Record<string, string>;
}

interface Served {
  endpoint: Endpoint;
  result: ProviderResult;
}

/**
 * Tries the ranked providers in order. Overload of this emulator itself is
 * not the provider's fault, so it is answered at once instead of failing over.
 */
async function serve(svc: GenerationServices, spec: ImageJobSpec, requestId: string): Promise<Served> {
  const failures: string[] = [];
  for (const endpoint of rankCandidates(svc.pool, spec.model.id, spec.prefs)) {
    try {
      const result = await svc.provider(endpoint.provider.address).generate(spec.forward, requestId);
      return { endpoint, result };
    } catch (err) {
      if (err instanceof SaturatedError) {
        throw new ApiError('no_available_provider', 'The emulator is at its render capacity; retry shortly', {
          'retry-after': '1',
        });
      }
      failures.push(`${endpoint.provider.address}: ${(err as Error).message}`);
    }
  }
  throw new ApiError('provider_error', `provider request failed: ${failures.join('; ')}`);
}

export function buildTrace(requestId: string, endpoint: Endpoint, imageCount: number, verifyTee: boolean): Trace {
  const trace: Trace = {
    request_id: requestId,
    provider: endpoint.provider.address,
    billing: imageBilling(endpoint.priceNeuron, imageCount),
  };
  if (verifyTee) trace.tee_verified = endpoint.provider.teeSignerValid;
  return trace;
}

export async function generateImages(
  svc: GenerationServices,
  input: { body: ImageGenerationRequestBody; requestId: string; baseUrl: string },
): Promise<GenerationOutcome> {
  const spec = parseImageRequest(svc.pool, input.body, 'text-to-image', svc.config);
  const { endpoint, result } = await serve(svc, spec, input.requestId);
  const images = result.body.data;
  let data: ImageGenerationResponseBody['data'] = images;
  if (spec.responseFormat === 'url') {
    const linkId = svc.imageLinks.put(
      input.requestId,
      images.map((_, index) => ({
        model: spec.model.id,
        prompt: spec.prompt,
        width: spec.width,
        height: spec.height,
        index,
        providerAddress: endpoint.provider.address,
      })),
    );
    data = images.map((_, i) => ({ url: `${input.baseUrl}/v1/proxy/images/${linkId}/${i}` }));
  }
  const headers: Record<string, string> = {};
  if (result.resKey) headers['zg-res-key'] = result.resKey;
  return {
    headers,
    body: {
      created: result.body.created,
      data,
      model: spec.model.id,
      usage: { output_images: images.length },
      x_0g_trace: buildTrace(input.requestId, endpoint, images.length, spec.verifyTee),
    },
  };
}
