import Value from 'typebox/value';
import { ConfigError } from '../config.js';
import { readConfigFile } from '../config-file.js';
import { DEFAULT_POOL } from './default-pool.js';
import { PoolSpecSchema, type ModelSpec, type PoolSpec, type ProviderSpec, type ServiceTypeName } from './types.js';

/** The parameters every provider of a service type honours unless its offer says otherwise. */
export const STANDARD_PARAMETERS: Record<ServiceTypeName, readonly string[]> = {
  'text-to-image': ['prompt', 'n', 'size', 'response_format'],
  'image-editing': ['prompt', 'image', 'mask', 'n', 'size', 'response_format'],
};

/** One (provider, model) offer: the unit the Router routes between. */
export interface Endpoint {
  provider: ProviderSpec;
  model: ModelSpec;
  priceNeuron: bigint;
  /** What the provider advertises for this model (X-0G-Provider-Require-Parameters filters on it). */
  supportedParameters: readonly string[];
}

export class ProviderPool {
  readonly models: readonly ModelSpec[];
  readonly providers: readonly ProviderSpec[];
  readonly #modelsById: Map<string, ModelSpec>;
  readonly #providersByAddress: Map<string, ProviderSpec>;
  // Offers never change at run time (only health does), so endpoints are built once:
  // every routed request reads them, and jobs share their price rather than copy it.
  readonly #endpoints: readonly Endpoint[];
  readonly #endpointsByModel = new Map<string, readonly Endpoint[]>();

  constructor(source: PoolSpec) {
    // A private copy: health at run time (ProviderHealth) must not leak into DEFAULT_POOL.
    const spec = structuredClone(source);
    this.models = spec.models;
    this.providers = spec.providers;
    this.#modelsById = new Map(spec.models.map((m) => [m.id, m]));
    this.#providersByAddress = new Map(spec.providers.map((p) => [p.address.toLowerCase(), p]));
    const all: Endpoint[] = [];
    for (const provider of this.providers) {
      for (const offer of provider.models) {
        const model = this.#modelsById.get(offer.id);
        if (!model) continue;
        const supportedParameters = offer.supportedParameters ?? STANDARD_PARAMETERS[model.serviceType];
        all.push({ provider, model, priceNeuron: BigInt(offer.priceNeuron), supportedParameters });
      }
    }
    this.#endpoints = all;
    for (const model of this.models) this.#endpointsByModel.set(model.id, all.filter((e) => e.model === model));
  }

  model(id: string): ModelSpec | undefined {
    return this.#modelsById.get(id);
  }

  /** Addresses are hex: compare them without case, as the chain does. */
  provider(address: string): ProviderSpec | undefined {
    return this.#providersByAddress.get(address.toLowerCase());
  }

  endpoints(modelId?: string): readonly Endpoint[] {
    if (modelId === undefined) return this.#endpoints;
    return this.#endpointsByModel.get(modelId) ?? [];
  }

  /** The catalog shows the cheapest offer of a model, healthy or not (contract §10.1). */
  cheapestPriceNeuron(modelId: string): bigint | undefined {
    let best: bigint | undefined;
    for (const e of this.endpoints(modelId)) if (best === undefined || e.priceNeuron < best) best = e.priceNeuron;
    return best;
  }
}

/** Cross-checks the schema cannot express: references, uniqueness, sizes. */
function crossCheck(spec: PoolSpec): string[] {
  const problems: string[] = [];
  const modelIds = new Set<string>();
  spec.models.forEach((m, i) => {
    if (modelIds.has(m.id)) problems.push(`/models/${i}/id: duplicate model id ${m.id}`);
    modelIds.add(m.id);
    if (m.defaultSize && m.supportedSizes && !m.supportedSizes.includes(m.defaultSize)) {
      problems.push(`/models/${i}/defaultSize: ${m.defaultSize} is not in supportedSizes`);
    }
  });
  const addresses = new Set<string>();
  spec.providers.forEach((p, i) => {
    const key = p.address.toLowerCase();
    if (addresses.has(key)) problems.push(`/providers/${i}/address: duplicate address ${p.address}`);
    addresses.add(key);
    p.models.forEach((o, j) => {
      if (!modelIds.has(o.id)) problems.push(`/providers/${i}/models/${j}/id: unknown model ${o.id}`);
    });
  });
  return problems;
}

export function validatePool(value: unknown, source: string): PoolSpec {
  if (!Value.Check(PoolSpecSchema, value)) {
    const problems = Value.Errors(PoolSpecSchema, value)
      .slice(0, 10)
      .map((e) => `${e.instancePath || '/'}: ${e.message}`);
    throw new ConfigError(`Invalid provider pool in ${source}:\n  ${problems.join('\n  ')}`);
  }
  const problems = crossCheck(value);
  if (problems.length) throw new ConfigError(`Invalid provider pool in ${source}:\n  ${problems.join('\n  ')}`);
  return value;
}

/** The pool in the EMULATOR_CONFIG file, or the default one when the file has none. */
export function loadPool(path: string): ProviderPool {
  if (!path) return new ProviderPool(DEFAULT_POOL);
  return new ProviderPool(readConfigFile(path).pool ?? DEFAULT_POOL);
}
