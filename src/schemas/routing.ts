import Type, { type Static } from 'typebox';
import { ProviderPreferences } from './images.js';

/** POST /v1/routing/preview (contract §1): the stripped inference body plus `service_type`. */
export const RoutePreviewRequest = Type.Object(
  {
    service_type: Type.Enum(['text-to-image', 'image-editing', 'chatbot', 'speech-to-text'], {
      description: 'the GET /v1/service-types vocabulary; this emulator has providers only for the image types',
    }),
    model: Type.Optional(Type.String({ maxLength: 256, description: 'omit: any provider of the service type' })),
    provider: Type.Optional(ProviderPreferences),
  },
  {
    title: 'RoutePreviewRequest',
    additionalProperties: true,
    description: 'other fields are the request parameters the real request would carry (they count for X-0G-Provider-Require-Parameters)',
  },
);

export const RoutePreviewCandidate = Type.Object(
  {
    address: Type.String(),
    endpoint: Type.String({ description: "the provider's broker URL" }),
    canonical_id: Type.String(),
    model_id: Type.String(),
  },
  { title: 'RoutePreviewCandidate' },
);

export const RoutePreviewResponse = Type.Object(
  { object: Type.Literal('routing.preview'), service_type: Type.String(), providers: Type.Array(RoutePreviewCandidate) },
  { title: 'RoutePreviewResponse', description: 'candidates in the order a request would try them' },
);

export type RoutePreviewBody = Static<typeof RoutePreviewRequest>;
export type RoutePreviewResult = Static<typeof RoutePreviewResponse>;
