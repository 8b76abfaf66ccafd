import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  ApiKeyItem,
  ApiKeyList,
  ApiKeyListQuery,
  ApiKeyParams,
  CreateApiKeyRequest,
  CreateApiKeyResponse,
  RevokeApiKeyResponse,
  UpdateApiKeyRequest,
} from '../schemas/api-keys.js';
import { errorResponses } from '../schemas/common.js';
import type { Services } from '../services.js';
import { decorateManaged, MANAGEMENT_SECURITY, managementGate } from './management-gate.js';

const tags = ['api-keys'];

/** `/v1/api-keys`: a managed account's keys, behind its management key (scopes keys:read, keys:create, keys:manage). */
export const apiKeyRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  decorateManaged(app);
  const { apiKeys } = services;
  const common = { tags, security: MANAGEMENT_SECURITY };

  app.get(
    '/v1/api-keys',
    {
      onRequest: managementGate(services, 'keys:read'),
      schema: {
        ...common,
        operationId: 'listApiKeys',
        summary: "The account's API keys (previews, never secrets)",
        querystring: ApiKeyListQuery,
        response: { 200: ApiKeyList, ...errorResponses(400, 401, 403) },
      },
    },
    async (req) => ({ object: 'list' as const, data: await apiKeys.list(req.managed!, req.query.status) }),
  );
  app.post(
    '/v1/api-keys',
    {
      onRequest: managementGate(services, 'keys:create'),
      schema: {
        ...common,
        operationId: 'createApiKey',
        summary: 'Create an API key; the secret `key` is shown only in this answer',
        body: CreateApiKeyRequest,
        response: { 200: CreateApiKeyResponse, ...errorResponses(400, 401, 403, 409) },
      },
    },
    async (req) => apiKeys.create(req.managed!, req.body),
  );
  app.patch(
    '/v1/api-keys/:keyId',
    {
      onRequest: managementGate(services, 'keys:manage'),
      schema: {
        ...common,
        operationId: 'updateApiKey',
        summary: 'Change name, restrictions, credit limit, reset period or expiration (absent fields unchanged)',
        params: ApiKeyParams,
        body: UpdateApiKeyRequest,
        response: { 200: ApiKeyItem, ...errorResponses(400, 401, 403, 404, 409, 410) },
      },
    },
    async (req) => apiKeys.update(req.managed!, req.params.keyId, req.body),
  );
  app.delete(
    '/v1/api-keys/:keyId',
    {
      onRequest: managementGate(services, 'keys:manage'),
      schema: {
        ...common,
        operationId: 'revokeApiKey',
        summary: 'Revoke a key: its next request is 401 api_key_revoked',
        params: ApiKeyParams,
        response: { 200: RevokeApiKeyResponse, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req) => apiKeys.revoke(req.managed!, req.params.keyId),
  );
};
