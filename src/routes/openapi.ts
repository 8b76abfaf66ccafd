import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import type { FastifyPluginAsync } from 'fastify';

export const SWAGGER_OPTIONS: FastifyDynamicSwaggerOptions = {
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
      },
    },
    tags: [
      { name: 'images', description: 'Image generation (OpenAI-compatible, plus x_0g_trace)' },
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
