import type { RouteOptions } from 'fastify';
import { ErrorEnvelope } from '../schemas/common.js';

const WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

/**
 * Statuses a route can answer that do not come from its handler, added to
 * its documented responses so that openapi.yaml tells the whole truth:
 * under load every /v1 route is 503 (backpressure), a body route can meet
 * malformed JSON (400), a body too large (413) or a wrong content type
 * (415), and with EMULATOR_ADMIN_TOKEN every control route can be 401.
 */
export function declareFrameworkStatuses(route: RouteOptions): void {
  const schema = (route.schema ??= {}) as { hide?: boolean; response?: Record<string, unknown> };
  if (schema.hide) return;
  const methods = [route.method].flat();
  const statuses: number[] = [];
  if (route.url.startsWith('/v1/')) statuses.push(503);
  if (methods.some((m) => WITH_BODY.has(m))) statuses.push(400, 413, 415);
  if (route.url.startsWith('/_emulator/')) statuses.push(401);
  if (statuses.length === 0) return;
  const response = { ...schema.response };
  for (const status of statuses) response[status] ??= ErrorEnvelope;
  schema.response = response;
}
