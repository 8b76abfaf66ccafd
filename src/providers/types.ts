import Type, { type Static } from 'typebox';
import { ADDRESS_PATTERN } from '../lib/ids.js';

/**
 * The shape of the mock provider pool: what `EMULATOR_CONFIG` may contain and
 * what the default pool is written in. Prices are integer neuron strings
 * (1 0G = 10^18 neuron) so that no float ever touches money.
 */
export const SIZE_PATTERN = '^[0-9]{1,5}x[0-9]{1,5}$';
const NeuronString = Type.String({ pattern: '^[0-9]{1,30}$', description: 'integer neuron amount' });
export const TrustMode = Type.Union([Type.Literal('standard'), Type.Literal('verified'), Type.Literal('private')]);
export const ServiceType = Type.Union([Type.Literal('text-to-image'), Type.Literal('image-editing')]);

export const ModelSpecSchema = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 256 }),
    name: Type.Optional(Type.String()),
    description: Type.Optional(Type.String()),
    serviceType: ServiceType,
    supportedSizes: Type.Optional(Type.Array(Type.String({ pattern: SIZE_PATTERN }), { minItems: 1 })),
    defaultSize: Type.Optional(Type.String({ pattern: SIZE_PATTERN })),
    createdS: Type.Optional(Type.Integer({ minimum: 0 })),
    maxImagesPerRequest: Type.Optional(
      Type.Integer({ minimum: 1, description: 'the model returns at most this many images; a larger n is not an error (z-image-turbo: 2)' }),
    ),
    imageMs: Type.Optional(
      Type.Integer({ minimum: 0, description: 'async processing time per image, on top of the provider latency (default 500)' }),
    ),
  },
  { additionalProperties: false },
);

export const ProviderSpecSchema = Type.Object(
  {
    address: Type.String({ pattern: ADDRESS_PATTERN }),
    name: Type.String({ minLength: 1 }),
    identity: Type.Optional(Type.String({ minLength: 1 })),
    country: Type.Optional(Type.String()),
    servingDomain: Type.Optional(Type.String()),
    trustMode: TrustMode,
    latencyMs: Type.Integer({ minimum: 0 }),
    uptime: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
    healthy: Type.Boolean(),
    signsResponses: Type.Boolean({ description: 'returns a ZG-Res-Key response id' }),
    teeSignerValid: Type.Boolean({ description: 'false: verify_tee reports tee_verified=false' }),
    models: Type.Array(
      Type.Object(
        {
          id: Type.String({ minLength: 1 }),
          priceNeuron: NeuronString,
          supportedParameters: Type.Optional(
            Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
              maxItems: 64,
              description: 'request parameters this provider honours for the model (default: the standard ones of its service type)',
            }),
          ),
        },
        { additionalProperties: false },
      ),
      { minItems: 1 },
    ),
  },
  { additionalProperties: false },
);

export const PoolSpecSchema = Type.Object(
  {
    models: Type.Array(ModelSpecSchema, { minItems: 1 }),
    providers: Type.Array(ProviderSpecSchema, { minItems: 1 }),
  },
  { additionalProperties: false },
);

export type ModelSpec = Static<typeof ModelSpecSchema>;
export type ProviderSpec = Static<typeof ProviderSpecSchema>;
export type PoolSpec = Static<typeof PoolSpecSchema>;
export type TrustModeName = Static<typeof TrustMode>;
export type ServiceTypeName = Static<typeof ServiceType>;
