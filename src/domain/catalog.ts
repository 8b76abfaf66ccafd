import type { Endpoint, ProviderPool } from '../providers/pool.js';
import type { ModelSpec, ServiceTypeName } from '../providers/types.js';
import type {
  ModelEntryBody,
  ModelsQueryParams,
  ProviderEntryBody,
  ProvidersQueryParams,
  ServiceTypeEntryBody,
} from '../schemas/catalog.js';
import { neuronToUsd } from './billing.js';

const SERVICE_LABELS: Record<ServiceTypeName, string> = {
  'text-to-image': 'Text to Image',
  'image-editing': 'Image Editing',
};

const TEE = { verifiability: 'TeeML', tee_type: 'TDX', tee_verifier: 'dstack' } as const;

/** `supported_parameters`: what this endpoint advertises, or for a model, what any of its endpoints does. */
function modelShape(model: ModelSpec, supportedParameters: readonly string[]) {
  const editing = model.serviceType === 'image-editing';
  return {
    type: model.serviceType,
    architecture: {
      modality: editing ? 'text+image->image' : 'text->image',
      input_modalities: editing ? ['text', 'image'] : ['text'],
      output_modalities: ['image'],
    },
    supported_parameters: [...supportedParameters],
    default_parameters: { n: 1, size: model.defaultSize ?? '1024x1024' },
    supported_formats: ['openai'],
  };
}

const asList = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Repeated query values (`a=1&a=2`, `a[]=1`) as one list. */
const listParam = (...values: (string | string[] | undefined)[]): string[] => values.flatMap((v) => asList(v)).filter(Boolean);

/** For image models `completion` echoes the per-image price (contract §10.1). */
function pricing(priceNeuron: bigint, usdPer0g: number) {
  const usd = neuronToUsd(priceNeuron, usdPer0g);
  return {
    pricing: { prompt: '0', completion: priceNeuron.toString(), image: priceNeuron.toString() },
    pricing_usd: { prompt: '0', completion: usd, image: usd },
  };
}


/**
 * Filters: `provider_address` is OR (served by any of them); `input_modality`
 * and `supported_parameter` are AND (every value must hold), as the spec says.
 */
export function listModels(pool: ProviderPool, usdPer0g: number, query: ModelsQueryParams = {}): ModelEntryBody[] {
  const wanted = listParam(query.provider_address, query['provider_address[]']).map((a) => a.toLowerCase());
  const modalities = listParam(query.input_modality, query['input_modality[]']);
  const parameters = listParam(query.supported_parameter, query['supported_parameter[]']);
  return pool.models.flatMap((model) => {
    const endpoints = pool.endpoints(model.id);
    if (wanted.length && !endpoints.some((e) => wanted.includes(e.provider.address.toLowerCase()))) return [];
    const shape = modelShape(model, [...new Set(endpoints.flatMap((e) => e.supportedParameters))]);
    if (!modalities.every((m) => shape.architecture.input_modalities.includes(m))) return [];
    if (!parameters.every((p) => shape.supported_parameters.includes(p))) return [];
    const price = pool.cheapestPriceNeuron(model.id) ?? 0n;
    const prices = pricing(price, usdPer0g);
    const entry: ModelEntryBody = {
      id: model.id,
      object: 'model',
      created: model.createdS ?? 0,
      owned_by: '0G Foundation',
      name: model.name ?? model.id,
      description: model.description ?? '',
      ...shape,
      ...prices,
      ...(query.pricing === 'usd' ? { pricing: prices.pricing_usd } : {}),
      provider_count: endpoints.length,
      tee_attested: endpoints.some((e) => e.provider.trustMode !== 'standard'),
      ...TEE,
    };
    return [entry];
  });
}

function providerEntry(e: Endpoint, usdPer0g: number): ProviderEntryBody {
  const { provider, model } = e;
  return {
    address: provider.address,
    model_id: model.id,
    canonical_id: model.id,
    service_type: model.serviceType,
    name: model.name ?? model.id,
    ...modelShape(model, e.supportedParameters),
    ...pricing(e.priceNeuron, usdPer0g),
    is_healthy: provider.healthy,
    latency: provider.latencyMs,
    uptime: provider.uptime ?? 100,
    tee_acknowledged: true,
    tee_attested: provider.trustMode !== 'standard',
    ...TEE,
    trust_mode: provider.trustMode,
    provider_name: provider.name,
    provider_identity: provider.identity ?? '',
    provider_country: provider.country ?? '',
    serving_domain: provider.servingDomain ?? '',
  };
}

/** Filters are ANDed; an empty value means no filter (contract §10.2). */
export function listProviders(pool: ProviderPool, usdPer0g: number, query: ProvidersQueryParams = {}): ProviderEntryBody[] {
  const model = query.model || query.model_id;
  return pool
    .endpoints()
    .filter(
      (e) =>
        (!query.service_type || e.model.serviceType === query.service_type) &&
        (!model || e.model.id === model) &&
        (!query.canonical_id || e.model.id === query.canonical_id),
    )
    .map((e) => providerEntry(e, usdPer0g));
}

/** Health does not filter this list (contract §10.3). */
export function listServiceTypes(pool: ProviderPool): ServiceTypeEntryBody[] {
  const providersByType = new Map<ServiceTypeName, Set<string>>();
  for (const e of pool.endpoints()) {
    const set = providersByType.get(e.model.serviceType) ?? new Set<string>();
    set.add(e.provider.address);
    providersByType.set(e.model.serviceType, set);
  }
  return [...providersByType].map(([type, set]) => ({ type, label: SERVICE_LABELS[type], provider_count: set.size }));
}
