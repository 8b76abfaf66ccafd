import type { IncomingHttpHeaders } from 'node:http';
import { ApiError } from '../errors.js';
import type { ProviderPool } from '../providers/pool.js';
import type { ImageSet, ProviderImageRequest } from '../providers/mock-provider.js';
import type { ModelSpec, ServiceTypeName } from '../providers/types.js';
import type { SourceImage } from '../render/placeholder.js';
import type { ImageGenerationRequestBody } from '../schemas/images.js';
import { routingPrefs, type RoutingPrefs } from './routing-prefs.js';

export const MIN_SIDE_PX = 64;
export const MAX_SIDE_PX = 2048;
const FALLBACK_SIZE = '1024x1024';

/** A validated image request, with everything the Router decides before routing. */
export interface ImageJobSpec {
  model: ModelSpec;
  prompt: string;
  n: number;
  size: string;
  width: number;
  height: number;
  responseFormat: 'b64_json' | 'url';
  verifyTee: boolean;
  prefs: RoutingPrefs;
  /** The body as the provider sees it: Router extensions removed (contract §0.19). */
  forward: ProviderImageRequest;
  /** The client's headers: what of them reaches the provider (forwardedHeaders) is worked out only when a recording is read. */
  headers: IncomingHttpHeaders;
  source?: SourceImage;
}

const NOT_FORWARDED = /^(authorization|host|content-length|connection|x-0g-provider-|x-emulator-)/i;

/** What the Router passes on to the provider: no credentials, routing or emulator headers. */
export function forwardedHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !NOT_FORWARDED.test(name)) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

export function imageSetOf(spec: ImageJobSpec): ImageSet {
  const set: ImageSet = { model: spec.model.id, prompt: spec.prompt, width: spec.width, height: spec.height, n: spec.n };
  if (spec.source) set.source = spec.source;
  return set;
}

const SERVICE_ROUTE: Record<ServiceTypeName, string> = {
  'text-to-image': '/v1/images/generations',
  'image-editing': '/v1/images/edits',
};

function resolveModel(pool: ProviderPool, id: string, serviceType: ServiceTypeName): ModelSpec {
  const model = pool.model(id);
  if (!model) throw new ApiError('model_not_found', `Model not found (unknown model id): ${id}`);
  if (model.serviceType !== serviceType) {
    throw new ApiError(
      'invalid_body',
      `model ${id} is a ${model.serviceType} model; send it to ${SERVICE_ROUTE[model.serviceType]}`,
    );
  }
  return model;
}

function resolveSize(model: ModelSpec, requested: string | undefined): [string, number, number] {
  const size = !requested || requested === 'auto' ? (model.defaultSize ?? FALLBACK_SIZE) : requested;
  const x = size.indexOf('x');
  const width = Number(size.slice(0, x));
  const height = Number(size.slice(x + 1));
  if (!(width >= MIN_SIDE_PX && width <= MAX_SIDE_PX && height >= MIN_SIDE_PX && height <= MAX_SIDE_PX)) {
    throw new ApiError('invalid_body', `size ${size} is out of range: each side must be ${MIN_SIDE_PX} to ${MAX_SIDE_PX} pixels`);
  }
  if (model.supportedSizes && !model.supportedSizes.includes(size)) {
    throw new ApiError('invalid_body', `size ${size} is not supported by model ${model.id}; supported: ${model.supportedSizes.join(', ')}`);
  }
  return [size, width, height];
}

function resolveFormat(requested: 'b64_json' | 'url' | undefined, urlResponses: 'reject' | 'serve'): 'b64_json' | 'url' {
  if (requested === 'b64_json') return 'b64_json';
  if (urlResponses === 'serve') return 'url';
  throw new ApiError(
    'invalid_body',
    requested === undefined
      ? 'response_format is required and must be "b64_json": the Router delivers images only as base64'
      : 'response_format "url" is not supported: the Router delivers images only as base64; send "b64_json"',
  );
}

export interface ParseOptions {
  urlResponses: 'reject' | 'serve';
  profile: 'lenient' | 'strict';
}


/** JSON bodies must carry response_format (schema); a multipart form may omit it and is judged here. */
type ImageRequestInput = Omit<ImageGenerationRequestBody, 'response_format'> & { response_format?: ImageGenerationRequestBody['response_format'] };


export function parseImageRequest(
  pool: ProviderPool,
  body: ImageRequestInput,
  serviceType: ServiceTypeName,
  options: ParseOptions,
  headers: IncomingHttpHeaders = {},
): ImageJobSpec {
  if (options.profile === 'strict' && body.provider !== undefined) {
    throw new ApiError(
      'invalid_body',
      'the body `provider` object is deprecated (strict profile); use the X-0G-Provider-* headers',
    );
  }
  const model = resolveModel(pool, body.model, serviceType);
  const [size, width, height] = resolveSize(model, body.size);
  const responseFormat = resolveFormat(body.response_format, options.urlResponses);
  const n = body.n ?? 1;
  // One pass over the body's fields: what the provider is sent, and the request's parameters (no object rest: V8's is slow).
  const forward: Record<string, unknown> = {};
  const requestParameters: string[] = [];
  for (const key in body) {
    if (key === 'provider' || key === 'verify_tee') continue;
    forward[key] = body[key as keyof ImageRequestInput];
    if (key !== 'model') requestParameters.push(key);
  }
  Object.assign(forward, { model: model.id, prompt: body.prompt, n, size, response_format: 'b64_json' });
  return {
    model,
    prompt: body.prompt,
    // A model's cap is not an error: it returns what it can, and is billed for that (contract §18.5).
    n: Math.min(n, model.maxImagesPerRequest ?? n),
    size,
    width,
    height,
    responseFormat,
    verifyTee: body.verify_tee === true,
    prefs: routingPrefs(headers, body.provider, requestParameters),
    forward: forward as unknown as ProviderImageRequest,
    headers,
  };
}
