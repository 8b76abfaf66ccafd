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

function modelShape(model: ModelSpec) {
  const editing = model.serviceType === 'image-editing';
  return {
    type: model.serviceType,
    architecture: {
      modality: editing ? 'text+image->image' : 'text->image',
      input_modalities: editing ? ['text', 'image'] : ['text'],
      output_modalities: ['image'],
    },
    supported_parameters: editing
      ? ['prompt', 'image', 'mask', 'n', 'size', 'response_format']
      : ['prompt', 'n', 'size', 'response_format'],
    default_parameters: { n: 1, size: model.defaultSize ?? '1024x1024' },
    supported_formats: ['openai'],
  };
}

/** For image models `completion` echoes the per-image price (contract §10.1). */
function pricing(priceNeuron: bigint, usdPer0g: number) {
  const usd = neuronToUsd(priceNeuron, usdPer0g);
  return {
    pricing: { prompt: '0', completion: priceNeuron.toString(), image: priceNeuron.toString() },
    pricing_usd: { prompt: '0', completion: usd, image: usd },
  };
}

const asList = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

export function listModels(pool: ProviderPool, usdPer0g: number, query: ModelsQueryParams = {}): ModelEntryBody[] {
  const wanted = [...asList(query.provider_address), ...asList(query['provider_address[]'])]
    .filter(Boolean)
    .map((a) => a.toLowerCase());
  return pool.models.flatMap((model) => {
    const endpoints = pool.endpoints(model.id);
    if (wanted.length && !endpoints.some((e) => wanted.includes(e.provider.address.toLowerCase()))) return [];
    const price = pool.cheapestPriceNeuron(model.id) ?? 0n;
    const prices = pricing(price, usdPer0g);
    const entry: ModelEntryBody = {
      id: model.id,
      object: 'model',
      created: model.createdS ?? 0,
      owned_by: '0G Foundation',
      name: model.name ?? model.id,
      description: model.description ?? '',
      ...modelShape(model),
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
    ...modelShape(model),
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
