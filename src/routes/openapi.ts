import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import type { FastifyPluginAsync } from 'fastify';
import { documentedSchema } from './declared-statuses.js';

export const SWAGGER_OPTIONS: FastifyDynamicSwaggerOptions = {
  // Parts of the document that are not compiled into validators (declared-statuses.ts).
  transform: ({ schema, url, route }) => ({ schema: documentedSchema(schema as never, route) as never, url }),
  openapi: {
    openapi: '3.1.0',
    info: {
      title: '0G Router emulator: image API',
      version: '0.1.0',
      description:
        'A self-hosted emulator of the 0G Compute Router image-generation API. Generated from the TypeBox schemas that validate requests (`npm run openapi`).',
    },
    servers: [{ url: 'http://localhost:8080' }],
    components: {
      securitySchemes: {
        ApiKeyAuth: { type: 'http', scheme: 'bearer', description: 'API key for inference endpoints: "Bearer sk-..."' },
        ManagementKeyAuth: {
          type: 'http',
          scheme: 'bearer',
          description: 'Management key of an account: "Bearer mk-..."; scopes account:read, keys:read, keys:create, keys:manage',
        },
      },
    },
    tags: [
      { name: 'images', description: 'Image generation (OpenAI-compatible, plus x_0g_trace)' },
      { name: 'async', description: 'Async image jobs: submit, then poll the provider-pinned job' },
      { name: 'routing', description: 'Routing preview: the providers a request would try' },
      { name: 'account', description: 'Usage and funds of an account (management key)' },
      { name: 'api-keys', description: "An account's API keys (management key)" },
      { name: 'catalog', description: 'Models, providers and service types; no auth' },
      { name: 'operations', description: 'Health, readiness and metrics' },
      { name: 'emulator', description: 'Sandbox control plane (not part of the Router): clock, faults, ledger, journal, client report, reset. Protected by EMULATOR_ADMIN_TOKEN when set' },
    ],
  },
};

export const openapiRoutes: FastifyPluginAsync = async (app) => {
  app.get('/openapi.yaml', { schema: { hide: true } }, async (_req, reply) =>
    reply.type('application/yaml').send(app.swagger({ yaml: true })),
  );
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
};
