import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { previewRouting } from '../domain/routing-preview.js';
import { RoutePreviewRequest, RoutePreviewResponse } from '../schemas/routing.js';
import type { Services } from '../services.js';
import { ROUTED } from '../schemas/routing-headers.js';
import { API_KEY_SECURITY, INFERENCE_ERRORS, inferenceGate } from './auth-hook.js';

export const routingPreviewRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.post(
    '/v1/routing/preview',
    {
      ...inferenceGate(services),
      config: ROUTED,
      schema: {
        operationId: 'previewRouting',
        tags: ['routing'],
        summary: 'The providers a request would try, in order (same ranking as requests; nothing runs or is billed)',
        description:
          'Routing preferences come from the X-0G-Provider-* headers and the body `provider` object exactly as on inference requests; other body fields count as request parameters for Require-Parameters. The API key\'s restrictions apply. [beta] on the Router.',
        security: API_KEY_SECURITY,
        body: RoutePreviewRequest,
        response: { 200: RoutePreviewResponse, ...INFERENCE_ERRORS },
      },
    },
    async (req) => previewRouting(services.pool, req.body, req.headers, services.config.usdPer0g, req.auth!.key?.restrictions),
  );
};
