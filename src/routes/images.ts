import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { generateImages } from '../domain/generation.js';
import { errorResponses } from '../schemas/common.js';
import { ImageGenerationRequest, ImageGenerationResponse } from '../schemas/images.js';
import type { Services } from '../services.js';
import { API_KEY_SECURITY, requireApiKey } from './auth-hook.js';

export const imageRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.post(
    '/v1/images/generations',
    {
      onRequest: requireApiKey(services),
      schema: {
        operationId: 'createImageGeneration',
        tags: ['images'],
        summary: 'Generate images (synchronous)',
        description:
          'OpenAI-compatible. Send `response_format: "b64_json"`. The response adds `model`, `usage` and the Router\'s `x_0g_trace` with the billed cost in neuron.',
        security: API_KEY_SECURITY,
        body: ImageGenerationRequest,
        response: { 200: ImageGenerationResponse, ...errorResponses(400, 401, 403, 404, 413, 415, 502, 503) },
      },
    },
    async (req, reply) => {
      const outcome = await generateImages(services, {
        body: req.body,
        requestId: req.id,
        baseUrl: `${req.protocol}://${req.host}`,
      });
      return reply.headers(outcome.headers).send(outcome.body);
    },
  );
};
