import { ApiError } from '../errors.js';
import type { Endpoint, ProviderPool } from '../providers/pool.js';
import type { TrustModeName } from '../providers/types.js';

export interface RoutingPrefs {
  address?: string;
  sort: 'price' | 'latency';
  allowFallbacks: boolean;
  trustFloor?: TrustModeName;
}

const TRUST_RANK: Record<TrustModeName, number> = { standard: 0, verified: 1, private: 2 };

/** The body `provider` object's defaults: price sort, fallbacks on unless pinned (contract §9.1). */
export function routingPrefs(body?: {
  address?: string;
  sort?: 'price' | 'latency';
  allow_fallbacks?: boolean;
  trust_mode?: TrustModeName;
}): RoutingPrefs {
  const prefs: RoutingPrefs = {
    sort: body?.sort ?? 'price',
    allowFallbacks: body?.allow_fallbacks ?? body?.address === undefined,
  };
  if (body?.address !== undefined) prefs.address = body.address;
  if (body?.trust_mode !== undefined) prefs.trustFloor = body.trust_mode;
  return prefs;
}

function compare(sort: RoutingPrefs['sort']) {
  return (a: Endpoint, b: Endpoint): number => {
    const price = a.priceNeuron < b.priceNeuron ? -1 : a.priceNeuron > b.priceNeuron ? 1 : 0;
    const latency = a.provider.latencyMs - b.provider.latencyMs;
    const primary = sort === 'price' ? price || latency : latency || price;
    return primary || a.provider.address.localeCompare(b.provider.address);
  };
}

/**
 * Orders the providers that may serve `modelId`, best first. Throws the
 * Router's error when none may: a bad pin is the client's fault (400), an
 * unsatisfiable trust floor or an all-unhealthy pool is not (503).
 */
export function rankCandidates(pool: ProviderPool, modelId: string, prefs: RoutingPrefs): Endpoint[] {
  const all = pool.endpoints(modelId);
  let pinned: Endpoint | undefined;
  if (prefs.address !== undefined) {
    const provider = pool.provider(prefs.address);
    if (!provider) throw new ApiError('provider_not_found', `provider not found: ${prefs.address}`);
    pinned = all.find((e) => e.provider === provider);
    if (!pinned) {
      throw new ApiError('provider_model_mismatch', `provider ${provider.address} does not serve model ${modelId}`);
    }
  }
  const floor = prefs.trustFloor;
  const trusted = floor ? all.filter((e) => TRUST_RANK[e.provider.trustMode] >= TRUST_RANK[floor]) : all;
  if (trusted.length === 0 || (pinned && !trusted.includes(pinned))) {
    throw new ApiError('no_provider_for_trust_mode', `no provider of ${modelId} satisfies trust mode ${floor}`);
  }
  const healthy = trusted.filter((e) => e.provider.healthy).sort(compare(prefs.sort));
  const ordered = pinned ? [pinned, ...healthy.filter((e) => e !== pinned)] : healthy;
  const usable = prefs.allowFallbacks ? ordered.filter((e) => e.provider.healthy) : ordered.slice(0, 1);
  if (usable.length === 0 || !usable[0]!.provider.healthy) {
    throw new ApiError('no_available_provider', undefined, { 'retry-after': '5' });
  }
  return usable;
}
