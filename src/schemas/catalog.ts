import Type, { type Static } from 'typebox';

const Pricing = Type.Object(
  {
    prompt: Type.String(),
    completion: Type.String({ description: 'for image models, an echo of the per-image output price' }),
    image: Type.String({ description: 'price per generated image' }),
  },
  { title: 'ModelPricing' },
);

const Architecture = Type.Object({
  modality: Type.String({ examples: ['text->image'] }),
  input_modalities: Type.Array(Type.String()),
  output_modalities: Type.Array(Type.String()),
});

const TeeFields = {
  verifiability: Type.String({ examples: ['TeeML'] }),
  tee_attested: Type.Boolean(),
  tee_type: Type.String({ examples: ['TDX'] }),
  tee_verifier: Type.String({ examples: ['dstack'] }),
};

const DefaultParameters = Type.Object({ n: Type.Integer(), size: Type.String() });

export const ModelEntry = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal('model'),
    created: Type.Integer(),
    owned_by: Type.String(),
    name: Type.String(),
    description: Type.String(),
    type: Type.String({ examples: ['text-to-image'] }),
    architecture: Architecture,
    supported_parameters: Type.Array(Type.String()),
    default_parameters: DefaultParameters,
    supported_formats: Type.Array(Type.String()),
    pricing: Pricing,
    pricing_usd: Pricing,
    provider_count: Type.Integer(),
    ...TeeFields,
  },
  { title: 'ModelEntry' },
);

export const ProviderEntry = Type.Object(
  {
    address: Type.String(),
    model_id: Type.String(),
    canonical_id: Type.String(),
    service_type: Type.String(),
    name: Type.String(),
    type: Type.String(),
    architecture: Architecture,
    default_parameters: DefaultParameters,
    supported_parameters: Type.Array(Type.String()),
    supported_formats: Type.Array(Type.String()),
    pricing: Pricing,
    pricing_usd: Pricing,
    is_healthy: Type.Boolean(),
    latency: Type.Integer({ description: 'ms' }),
    uptime: Type.Number(),
    tee_acknowledged: Type.Boolean(),
    ...TeeFields,
    trust_mode: Type.String(),
    provider_name: Type.String(),
    provider_identity: Type.String(),
    provider_country: Type.String(),
    serving_domain: Type.String(),
  },
  { title: 'ProviderEntry' },
);

export const ServiceTypeEntry = Type.Object(
  { type: Type.String(), label: Type.String(), provider_count: Type.Integer() },
  { title: 'ServiceTypeEntry' },
);

const listOf = <T extends Parameters<typeof Type.Array>[0]>(item: T, title: string) =>
  Type.Object({ object: Type.Literal('list'), data: Type.Array(item) }, { title });

export const ModelList = listOf(ModelEntry, 'ModelList');
export const ProviderList = listOf(ProviderEntry, 'ProviderList');
export const ServiceTypeList = listOf(ServiceTypeEntry, 'ServiceTypeList');

const StringOrList = Type.Union([Type.String(), Type.Array(Type.String())]);

export const ModelsQuery = Type.Object({
  pricing: Type.Optional(Type.Union([Type.Literal('usd'), Type.Literal('')], { description: '`usd`: USD decimal strings under `pricing`' })),
  provider_address: Type.Optional(StringOrList),
  'provider_address[]': Type.Optional(StringOrList),
  input_modality: Type.Optional(StringOrList),
  'input_modality[]': Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())], { description: 'models accepting ALL of these inputs (text, image)' })),
  supported_parameter: Type.Optional(StringOrList),
  'supported_parameter[]': Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())], { description: 'models supporting ALL of these parameters' })),
  legacy: Type.Optional(
    Type.Enum(['true', 'false', ''], {
      description: '[beta] raw model_id view; every emulated model id is already its raw id, so the list is the same',
    }),
  ),
});

export const ProvidersQuery = Type.Object({
  service_type: Type.Optional(Type.String()),
  model: Type.Optional(Type.String({ description: 'exact model id' })),
  model_id: Type.Optional(Type.String({ description: 'alias of `model` used by some Router docs' })),
  canonical_id: Type.Optional(Type.String()),
});

export type ModelEntryBody = Static<typeof ModelEntry>;
export type ProviderEntryBody = Static<typeof ProviderEntry>;
export type ServiceTypeEntryBody = Static<typeof ServiceTypeEntry>;
export type ModelsQueryParams = Static<typeof ModelsQuery>;
export type ProvidersQueryParams = Static<typeof ProvidersQuery>;
