import type { RouteOptions } from 'fastify';
import { ErrorEnvelope } from '../schemas/common.js';
import { ROUTING_HEADERS } from '../schemas/routing-headers.js';

const WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

type DocSchema = { response?: Record<string, unknown>; headers?: unknown; [key: string]: unknown };

/**
 * What a route's OpenAPI entry adds to its validation schema, so that
 * openapi.yaml tells the whole truth without costing start-up time (these
 * parts are never compiled into validators or serializers):
 * - the X-0G-Provider-* headers on routes that route (`config: ROUTED`);
 * - statuses that do not come from the handler: under load every /v1 route
 *   is 503 (backpressure), a body route can meet malformed JSON (400), a body
 *   too large (413) or a wrong content type (415), and with
 *   EMULATOR_ADMIN_TOKEN every control route can be 401; a path parameter
 *   over 100 characters is 414 (http-edge.ts).
 */
export function documentedSchema(schema: DocSchema | undefined, route: Pick<RouteOptions, 'method' | 'url' | 'config'>): DocSchema {
  let doc: DocSchema = schema ?? {};
  if ((route.config as { routingHeaders?: boolean } | undefined)?.routingHeaders) doc = { ...doc, headers: ROUTING_HEADERS };
  const statuses: number[] = [];
  if (route.url.startsWith('/v1/')) statuses.push(503);
  if ([route.method].flat().some((m) => WITH_BODY.has(m))) statuses.push(400, 413, 415);
  // The console page and its assets are served without the token: they hold no data.
  if (route.url.startsWith('/_emulator/') && !route.url.startsWith('/_emulator/ui')) statuses.push(401);
  if (route.url.includes('/:')) statuses.push(414);
  if (statuses.length === 0) return doc;
  const response = { ...doc.response };
  for (const status of statuses) response[status] ??= ErrorEnvelope;
  return { ...doc, response };
}
