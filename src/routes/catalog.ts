import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { listModels, listProviders, listServiceTypes } from '../domain/catalog.js';
import { ModelList, ModelsQuery, ProviderList, ProvidersQuery, ServiceTypeList } from '../schemas/catalog.js';
import { errorResponses } from '../schemas/common.js';
import type { Services } from '../services.js';

/** The catalog needs no API key, as on the real Router (contract §2). */
export const catalogRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const { pool, config } = services;
  app.get(
    '/v1/models',
    {
      schema: {
        operationId: 'listModels',
        tags: ['catalog'],
        summary: 'List models with their cheapest per-image price',
        querystring: ModelsQuery,
        response: { 200: ModelList, ...errorResponses(400) },
      },
    },
    async (req) => ({ object: 'list' as const, data: listModels(pool, config.usdPer0g, req.query) }),
  );
  app.get(
    '/v1/providers',
    {
      schema: {
        operationId: 'listProviders',
        tags: ['catalog'],
        summary: 'List provider endpoints (one per provider and model)',
        querystring: ProvidersQuery,
        response: { 200: ProviderList, ...errorResponses(400) },
      },
    },
    async (req) => ({ object: 'list' as const, data: listProviders(pool, config.usdPer0g, req.query) }),
  );
  app.get(
    '/v1/service-types',
    {
      schema: {
        operationId: 'listServiceTypes',
        tags: ['catalog'],
        summary: 'List service types offered by the pool',
        response: { 200: ServiceTypeList },
      },
    },
    async () => ({ object: 'list' as const, data: listServiceTypes(pool) }),
  );
};
