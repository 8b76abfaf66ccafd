import type { IncomingHttpHeaders } from 'node:http';
import { ApiError } from '../errors.js';
import type { Endpoint, ProviderPool } from '../providers/pool.js';
import type { RoutePreviewBody, RoutePreviewResult } from '../schemas/routing.js';
import { checkModelAllowed, type KeyRestrictions } from './key-restrictions.js';
import { rankEndpoints } from './routing.js';
import { routingPrefs } from './routing-prefs.js';

const CONTROL_FIELDS = new Set(['service_type', 'model', 'provider', 'verify_tee']);

/**
 * The providers a request would try, in order, without running, billing or
 * changing anything: the same ranking (and the same errors) as the request.
 * Without `model`, candidates are every provider of the service type.
 */
export function previewRouting(
  pool: ProviderPool,
  body: RoutePreviewBody,
  headers: IncomingHttpHeaders,
  usdPer0g: number,
  key?: KeyRestrictions,
): RoutePreviewResult {
  const type = body.service_type;
  let endpoints: readonly Endpoint[] = pool.endpoints().filter((e) => e.model.serviceType === type);
  if (body.model !== undefined) {
    const model = pool.model(body.model);
    if (!model) throw new ApiError('model_not_found', `Model not found (unknown model id): ${body.model}`);
    if (model.serviceType !== type) throw new ApiError('invalid_body', `model ${model.id} is a ${model.serviceType} model, not ${type}`);
    if (key) checkModelAllowed(key, model.id);
    endpoints = pool.endpoints(model.id);
  } else if (key?.allowedModels.length) {
    endpoints = endpoints.filter((e) => key.allowedModels.includes(e.model.id));
  }
  if (endpoints.length === 0) throw new ApiError('no_available_provider', `No available providers for service type ${type}`, { 'retry-after': '5' });
  const parameters = Object.keys(body).filter((k) => !CONTROL_FIELDS.has(k));
  const prefs = routingPrefs(headers, body.provider, parameters);
  const ranked = rankEndpoints(pool, endpoints, body.model ?? type, prefs, usdPer0g, key);
  return {
    object: 'routing.preview',
    service_type: type,
    providers: ranked.map((e) => ({
      address: e.provider.address,
      endpoint: `https://${e.provider.servingDomain ?? `${e.provider.address.slice(2, 10)}.provider.example`}`,
      canonical_id: e.model.id,
      model_id: e.model.id,
    })),
  };
}
