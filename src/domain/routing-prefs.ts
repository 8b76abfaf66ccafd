import type { IncomingHttpHeaders } from 'node:http';
import { ApiError } from '../errors.js';
import type { TrustModeName } from '../providers/types.js';
import type { ProviderPreferencesBody } from '../schemas/images.js';

export interface RoutingPrefs {
  address?: string;
  sort: 'price' | 'latency';
  allowFallbacks: boolean;
  trustFloor?: TrustModeName;
  identity?: string;
  /** USD per generated image, as the exact decimal string the client sent. */
  maxPriceUsdImage?: string;
  /** Set by Require-Parameters: the request's parameters, which a provider must all advertise. */
  requiredParameters?: readonly string[];
}


const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const DECIMAL = /^[0-9]{1,12}(\.[0-9]{1,18})?$/;
const IDENTITY = /^[\x21-\x7e]{1,64}$/;

/** Absent, or blank after trimming, is unset; only a present malformed value is an error (contract §9.2). */
function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const raw = headers[name];
  const value = (Array.isArray(raw) ? raw.join(',') : raw)?.trim();
  return value ? value : undefined;
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], onBad: () => ApiError): T | undefined {
  if (value === undefined) return undefined;
  const lower = value.toLowerCase() as T;
  if (!allowed.includes(lower)) throw onBad();
  return lower;
}

/**
 * Reads the X-0G-Provider-* headers strictly (the newer routing page) and
 * merges them over the deprecated body `provider` object field by field:
 * the header wins. Defaults: price sort; fallbacks on unless pinned.
 */
export function routingPrefs(headers: IncomingHttpHeaders, body?: ProviderPreferencesBody, requestParameters: readonly string[] = []): RoutingPrefs {
  const address = header(headers, 'x-0g-provider-address');
  if (address !== undefined && !ADDRESS.test(address)) {
    throw new ApiError('invalid_provider_header', `X-0G-Provider-Address must be a 0x-prefixed 40-hex-digit address, got "${address.slice(0, 80)}"`);
  }
  const badHeader = (name: string, allowed: string) => () =>
    new ApiError('invalid_provider_header', `X-0G-Provider-${name} must be ${allowed}`);
  const sort = oneOf(header(headers, 'x-0g-provider-sort'), ['price', 'latency'] as const, badHeader('Sort', '"price" or "latency"'));
  const fallbacks = oneOf(header(headers, 'x-0g-provider-allow-fallbacks'), ['true', 'false'] as const, badHeader('Allow-Fallbacks', '"true" or "false"'));
  const trust = oneOf(
    header(headers, 'x-0g-provider-trust-mode'),
    ['standard', 'verified', 'private'] as const,
    () => new ApiError('invalid_trust_mode', 'X-0G-Provider-Trust-Mode must be "standard", "verified" or "private"'),
  );
  const require = oneOf(
    header(headers, 'x-0g-provider-require-parameters'),
    ['true', 'false'] as const,
    badHeader('Require-Parameters', '"true" or "false"'),
  );
  const identity = header(headers, 'x-0g-provider-identity');
  if (identity !== undefined && !IDENTITY.test(identity)) throw badHeader('Identity', 'a printable label of at most 64 characters')();
  const maxPrice = header(headers, 'x-0g-provider-max-price-usd-image');
  if (maxPrice !== undefined && !DECIMAL.test(maxPrice)) {
    throw new ApiError('invalid_max_price_usd', 'X-0G-Provider-Max-Price-Usd-Image must be a finite non-negative decimal (USD per image)');
  }

  const merged = {
    address: address ?? body?.address,
    sort: sort ?? body?.sort ?? 'price',
    allowFallbacks: fallbacks !== undefined ? fallbacks === 'true' : body?.allow_fallbacks,
    trustFloor: trust ?? body?.trust_mode,
  };
  const prefs: RoutingPrefs = { sort: merged.sort, allowFallbacks: merged.allowFallbacks ?? merged.address === undefined };
  if (merged.address !== undefined) prefs.address = merged.address;
  if (merged.trustFloor !== undefined) prefs.trustFloor = merged.trustFloor;
  if (identity !== undefined) prefs.identity = identity;
  if (maxPrice !== undefined) prefs.maxPriceUsdImage = maxPrice;
  if (require !== undefined ? require === 'true' : body?.require_parameters === true) prefs.requiredParameters = requestParameters;
  return prefs;
}

/** Exact comparison of a neuron price with a USD decimal cap: no floats near money. */
export function withinUsdCap(priceNeuron: bigint, usdPer0g: number, capUsd: string): boolean {
  const [whole = '0', frac = ''] = capUsd.split('.');
  const capScaled = BigInt(whole + frac); // cap × 10^frac.length
  const nanoUsdPer0g = BigInt(Math.round(usdPer0g * 1e9));
  // price_usd = priceNeuron × nanoUsdPer0g / 1e27  <=  capScaled / 10^d
  return priceNeuron * nanoUsdPer0g * 10n ** BigInt(frac.length) <= capScaled * 10n ** 27n;
}
