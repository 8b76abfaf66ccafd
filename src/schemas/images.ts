import Type, { type Static } from 'typebox';
import { ADDRESS_PATTERN } from '../lib/ids.js';
import { TrustMode } from '../providers/types.js';
import { TraceInfo } from './common.js';

/** Deprecated body routing object (contract §9.1); headers win over it field by field. */
export const ProviderPreferences = Type.Object(
  {
    address: Type.Optional(Type.String({ pattern: ADDRESS_PATTERN })),
    sort: Type.Optional(Type.Union([Type.Literal('price'), Type.Literal('latency')])),
    allow_fallbacks: Type.Optional(Type.Boolean()),
    trust_mode: Type.Optional(TrustMode),
    require_parameters: Type.Optional(Type.Boolean({ description: 'only providers that advertise every request parameter qualify' })),
  },
  { title: 'ProviderPreferences', additionalProperties: false, deprecated: true },
);

export const ImageGenerationRequest = Type.Object(
  {
    model: Type.String({ minLength: 1, maxLength: 256, description: 'Image model id from /v1/models', examples: ['z-image'] }),
    prompt: Type.String({ minLength: 1, maxLength: 32000 }),
    n: Type.Optional(Type.Integer({ minimum: 1, maximum: 10, description: 'Number of images (default 1)' })),
    size: Type.Optional(
      Type.String({
        pattern: '^([0-9]{1,5}x[0-9]{1,5}|auto)$',
        description: 'WxH, each side 64..2048, or `auto` for the model default; models may restrict sizes',
        examples: ['1024x1024'],
      }),
    ),
    response_format: Type.Union([Type.Literal('b64_json'), Type.Literal('url')], {
      description: 'Required. Send `b64_json`: the Router delivers only base64 images (`url` only with URL_RESPONSES=serve)',
    }),
    provider: Type.Optional(ProviderPreferences),
    verify_tee: Type.Optional(Type.Boolean({ description: 'Router extension: report x_0g_trace.tee_verified' })),
  },
  { title: 'ImageGenerationRequest', additionalProperties: true },
);

export const ImageData = Type.Object(
  {
    b64_json: Type.Optional(Type.String({ description: 'base64 PNG' })),
    url: Type.Optional(Type.String()),
    revised_prompt: Type.Optional(Type.String()),
  },
  { title: 'ImageData' },
);

export const ImageGenerationResponse = Type.Object(
  {
    created: Type.Integer({ description: 'unix seconds' }),
    data: Type.Array(ImageData),
    model: Type.String(),
    usage: Type.Object({ output_images: Type.Integer() }),
    x_0g_trace: TraceInfo,
  },
  { title: 'ImageGenerationResponse' },
);

export type ImageGenerationRequestBody = Static<typeof ImageGenerationRequest>;
export type ImageGenerationResponseBody = Static<typeof ImageGenerationResponse>;
export type ProviderPreferencesBody = Static<typeof ProviderPreferences>;
