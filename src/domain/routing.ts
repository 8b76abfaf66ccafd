import { ApiError } from '../errors.js';
import type { Endpoint, ProviderPool } from '../providers/pool.js';
import type { TrustModeName } from '../providers/types.js';
import type { KeyRestrictions } from './key-restrictions.js';
import { withinUsdCap, type RoutingPrefs } from './routing-prefs.js';

export type { RoutingPrefs } from './routing-prefs.js';

const TRUST_RANK: Record<TrustModeName, number> = { standard: 0, verified: 1, private: 2 };

function compare(sort: RoutingPrefs['sort']) {
  return (a: Endpoint, b: Endpoint): number => {
    const price = a.priceNeuron < b.priceNeuron ? -1 : a.priceNeuron > b.priceNeuron ? 1 : 0;
    const latency = a.provider.latencyMs - b.provider.latencyMs;
    const primary = sort === 'price' ? price || latency : latency || price;
    return primary || a.provider.address.localeCompare(b.provider.address);
  };
}

/**
 * Orders the providers that may serve `modelId`, best first, applying in turn:
 * pin and identity (400s: the client named something that cannot serve), the
 * API key's provider allowlist (403) and trust-tier pin, the trust floor
 * (503: never a silent downgrade), required parameters (400), the USD price
 * cap (400), then health and sort. With fallbacks off only the first
 * candidate is returned. Requests and POST /v1/routing/preview both use it.
 */
export function rankCandidates(pool: ProviderPool, modelId: string, prefs: RoutingPrefs, usdPer0g: number, key?: KeyRestrictions): Endpoint[] {
  return rankEndpoints(pool, pool.endpoints(modelId), modelId, prefs, usdPer0g, key);
}

/** `modelId` names what is routed in errors: a model id, or a service type for a model-less preview. */
export function rankEndpoints(
  pool: ProviderPool,
  endpoints: readonly Endpoint[],
  modelId: string,
  prefs: RoutingPrefs,
  usdPer0g: number,
  key?: KeyRestrictions,
): Endpoint[] {
  let candidates: readonly Endpoint[] = endpoints;
  let pinned: Endpoint | undefined;
  if (prefs.address !== undefined) {
    const provider = pool.provider(prefs.address);
    if (!provider) throw new ApiError('provider_not_found', `provider not found: ${prefs.address}`);
    pinned = candidates.find((e) => e.provider === provider);
    if (!pinned) throw new ApiError('provider_model_mismatch', `provider ${provider.address} does not serve model ${modelId}`);
  }
  if (prefs.identity !== undefined) {
    const identity = prefs.identity;
    if (pinned && pinned.provider.identity !== identity) {
      throw new ApiError('provider_model_mismatch', `provider ${pinned.provider.address} has identity "${pinned.provider.identity ?? ''}", not "${identity}"`);
    }
    candidates = candidates.filter((e) => e.provider.identity === identity);
    if (candidates.length === 0) throw new ApiError('provider_model_mismatch', `no provider with identity "${identity}" serves model ${modelId}`);
  }
  if (key) candidates = applyKey(candidates, pinned, key, modelId);
  const floor = prefs.trustFloor;
  if (floor) {
    candidates = candidates.filter((e) => TRUST_RANK[e.provider.trustMode] >= TRUST_RANK[floor]);
    if (candidates.length === 0 || (pinned && !candidates.includes(pinned))) {
      throw new ApiError('no_provider_for_trust_mode', `no provider of ${modelId} satisfies trust mode ${floor}`);
    }
  }
  // A pinned provider bypasses the capability filter (contract §18.8).
  if (prefs.requiredParameters && !pinned) candidates = requireParameters(candidates, prefs.requiredParameters, modelId);
  const cap = prefs.maxPriceUsdImage;
  if (cap !== undefined) {
    if (pinned && !withinUsdCap(pinned.priceNeuron, usdPer0g, cap)) {
      throw new ApiError('pinned_provider_exceeds_max_price', `provider ${pinned.provider.address} charges more than ${cap} USD per image`);
    }
    candidates = candidates.filter((e) => withinUsdCap(e.priceNeuron, usdPer0g, cap));
    if (candidates.length === 0) throw new ApiError('no_provider_within_max_price', `no provider of ${modelId} charges at most ${cap} USD per image`);
  }
  const healthy = candidates.filter((e) => e.provider.healthy).sort(compare(prefs.sort));
  const ordered = pinned ? [pinned, ...healthy.filter((e) => e !== pinned)] : healthy;
  // Only a pinned provider can be unhealthy here.
  const usable = !prefs.allowFallbacks ? ordered.slice(0, 1) : pinned && !pinned.provider.healthy ? healthy : ordered;
  if (usable.length === 0 || !usable[0]!.provider.healthy) {
    throw new ApiError('no_available_provider', undefined, { 'retry-after': '5' });
  }
  return usable;
}

/**
 * An API key's routing restrictions. A provider outside `allowed_providers`
 * is forbidden to this key (403 `access_denied`, pinned or not); the key's
 * trust-tier pin keeps providers of exactly that tier, and none left is the
 * same 503 an unsatisfiable trust floor gets.
 */
function applyKey(candidates: readonly Endpoint[], pinned: Endpoint | undefined, key: KeyRestrictions, modelId: string): readonly Endpoint[] {
  const allowed = key.allowedProviders;
  if (allowed.length) {
    if (pinned && !allowed.includes(pinned.provider.address.toLowerCase())) {
      throw new ApiError('access_denied', `this API key is not allowed to use provider ${pinned.provider.address} (allowed_providers)`);
    }
    candidates = candidates.filter((e) => allowed.includes(e.provider.address.toLowerCase()));
    if (candidates.length === 0) throw new ApiError('access_denied', `none of this API key's allowed_providers serves ${modelId}`);
  }
  const tier = key.trustMode;
  if (tier) {
    candidates = candidates.filter((e) => e.provider.trustMode === tier);
    if (candidates.length === 0 || (pinned && !candidates.includes(pinned))) {
      throw new ApiError('no_provider_for_trust_mode', `this API key is pinned to trust mode ${tier} and no such provider serves ${modelId}`);
    }
  }
  return candidates;
}

/** Only providers that advertise every requested parameter qualify; none → 400 naming what is missing. */
function requireParameters(candidates: readonly Endpoint[], required: readonly string[], modelId: string): readonly Endpoint[] {
  const capable = candidates.filter((e) => required.every((p) => e.supportedParameters.includes(p)));
  if (capable.length) return capable;
  const missing = required.filter((p) => !candidates.some((e) => e.supportedParameters.includes(p)));
  throw new ApiError(
    'model_not_capable',
    `no provider of ${modelId} supports ${missing.length ? `parameter(s) ${missing.join(', ')}` : `all of ${required.join(', ')} together`} (X-0G-Provider-Require-Parameters)`,
  );
}
