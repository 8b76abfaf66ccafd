import { StateUnavailableError } from './state/unavailable.js';
import { SaturatedError } from './render/limiter.js';

/**
 * The closed table of every error this emulator can answer with, keyed by the
 * Router's own codes (contract §11). Nothing else may produce an error body:
 * routes throw ApiError, and the app's error handler maps Fastify's own
 * failures onto these rows, so every 4xx/5xx has the Router's envelope.
 */
export const ERROR_TABLE = {
  invalid_body: { status: 400, type: 'invalid_request_error', message: 'Invalid request body' },
  bad_request: { status: 400, type: 'invalid_request_error', message: 'Invalid request parameters' },
  invalid_provider_header: {
    status: 400,
    type: 'invalid_request_error',
    message: 'Malformed X-0G-Provider-* header',
  },
  invalid_trust_mode: { status: 400, type: 'invalid_request_error', message: 'Invalid trust mode' },
  invalid_max_price_usd: { status: 400, type: 'invalid_request_error', message: 'Invalid max price' },
  no_provider_within_max_price: {
    status: 400,
    type: 'invalid_request_error',
    message: 'No provider within the requested max price',
  },
  pinned_provider_exceeds_max_price: {
    status: 400,
    type: 'invalid_request_error',
    message: 'The pinned provider exceeds the requested max price',
  },
  provider_not_found: { status: 400, type: 'invalid_request_error', message: 'provider not found' },
  provider_model_mismatch: {
    status: 400,
    type: 'invalid_request_error',
    message: 'The pinned provider does not serve this model',
  },
  model_not_capable: {
    status: 400,
    type: 'invalid_request_error',
    message: 'No provider of this model supports every requested parameter',
  },
  missing_authorization: {
    status: 401,
    type: 'invalid_request_error',
    message: 'Missing Authorization header; expected "Bearer sk-..."',
  },
  admin_token_required: {
    status: 401,
    type: 'invalid_request_error',
    message: 'The control plane needs the EMULATOR_ADMIN_TOKEN: send it as "Authorization: Bearer <token>"',
  },
  invalid_api_key: { status: 401, type: 'invalid_request_error', message: 'Invalid API key' },
  api_key_revoked: { status: 401, type: 'invalid_request_error', message: 'API key has been revoked' },
  insufficient_scope: {
    status: 403,
    type: 'auth_error',
    message: 'this credential is not allowed to access inference endpoints',
  },
  insufficient_balance: {
    status: 402,
    type: 'payment_error',
    message: 'Insufficient balance to process request',
  },
  access_denied: {
    status: 403,
    type: 'permission_error',
    message: 'Caller is not the submitter of this job',
  },
  model_not_found: { status: 404, type: 'not_found_error', message: 'Model not found (unknown model id)' },
  async_job_not_found: {
    status: 404,
    type: 'not_found_error',
    message: 'No such async job (it never existed, has expired, or belongs to a different provider than the one pinned)',
  },
  api_key_not_found: { status: 404, type: 'not_found_error', message: 'API key not found' },
  duplicate_name: { status: 409, type: 'invalid_request_error', message: 'An API key with this name already exists' },
  key_revoked: { status: 410, type: 'invalid_request_error', message: 'API key has been revoked and cannot be changed' },
  route_not_found: { status: 404, type: 'not_found_error', message: 'Unknown route' },
  image_not_found: { status: 404, type: 'not_found_error', message: 'Image not found or expired' },
  request_timeout: {
    status: 408,
    type: 'invalid_request_error',
    message: 'The request was not received in time (REQUEST_TIMEOUT_MS / HEADERS_TIMEOUT_MS)',
  },
  request_too_large: { status: 413, type: 'invalid_request_error', message: 'Request body is too large' },
  uri_too_long: { status: 414, type: 'invalid_request_error', message: 'A path parameter is longer than 100 characters' },
  unsupported_media_type: {
    status: 415,
    type: 'invalid_request_error',
    message: 'Unsupported Content-Type',
  },
  expectation_failed: {
    status: 417,
    type: 'invalid_request_error',
    message: 'Only "Expect: 100-continue" is supported',
  },
  refund_pending: { status: 423, type: 'invalid_request_error', message: 'Refund pending' },
  rate_limit_exceeded: {
    status: 429,
    type: 'rate_limit_error',
    message: 'Rate limit exceeded. Please try again later.',
  },
  internal_error: { status: 500, type: 'server_error', message: 'Internal server error' },
  provider_error: { status: 502, type: 'server_error', message: 'The provider failed to serve the request' },
  no_provider_for_trust_mode: {
    status: 503,
    type: 'server_error',
    message: 'No provider satisfies the requested trust mode',
  },
  vault_unavailable: {
    status: 503,
    type: 'server_error',
    message: 'Balance vault temporarily unavailable; retry shortly',
  },
  no_available_provider: {
    status: 503,
    type: 'server_error',
    message: 'No available providers for this request',
  },
} as const satisfies Record<string, { status: number; type: string; message: string }>;

export type ErrorCode = keyof typeof ERROR_TABLE;

export interface ErrorEnvelope {
  error: { message: string; type: string; code: string };
  request_id?: string;
}

export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly type: string;
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, message?: string, headers: Record<string, string> = {}) {
    const row = ERROR_TABLE[code];
    super(message ?? row.message);
    this.name = 'ApiError';
    this.code = code;
    this.status = row.status;
    this.type = row.type;
    this.headers = headers;
  }

  toEnvelope(requestId: string | undefined): ErrorEnvelope {
    const body: ErrorEnvelope = { error: { message: this.message, type: this.type, code: this.code } };
    if (requestId) body.request_id = requestId;
    return body;
  }
}

interface FastifyLikeError {
  code?: string;
  statusCode?: number;
  message?: string;
  validation?: unknown;
  validationContext?: string;
}

/** Maps anything thrown during a request onto a row of the table. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  // The Router's own answer when its balance store does not respond; replicas share ours.
  if (err instanceof StateUnavailableError) return new ApiError('vault_unavailable', `${err.message}; retry shortly`, { 'retry-after': '1' });
  // Overload of the emulator itself: a retryable 503, as DESIGN.md §6 asks.
  if (err instanceof SaturatedError) {
    return new ApiError('no_available_provider', 'The emulator is at its render capacity; retry shortly', { 'retry-after': '1' });
  }
  const e = (typeof err === 'object' && err !== null ? err : {}) as FastifyLikeError;
  if (e.validation) {
    // The one required field clients most often leave out gets the Router's own advice.
    const message = /required property 'response_format'/.test(e.message ?? '') ? 'response_format is required and must be "b64_json": the Router delivers images only as base64' : e.message;
    return new ApiError(e.validationContext === 'body' ? 'invalid_body' : 'bad_request', message);
  }
  switch (e.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError('unsupported_media_type', `${e.message}; use application/json`);
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError('request_too_large');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ApiError('invalid_body', 'request body is required');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new ApiError('invalid_body', `request body is not valid JSON: ${e.message}`);
  }
  if (e.statusCode === 413) return new ApiError('request_too_large', e.message ? `Request is too large: ${e.message}` : undefined);
  if (e.statusCode === 415) return new ApiError('unsupported_media_type');
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return new ApiError('invalid_body', e.message);
  }
  return new ApiError('internal_error');
}
