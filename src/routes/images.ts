import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import Value from 'typebox/value';
import { parseEditRequest } from '../domain/edit-request.js';
import { runSync, type RequestContext } from '../domain/generation.js';
import { parseImageRequest } from '../domain/image-request.js';
import { ApiError } from '../errors.js';
import { sendWithImages } from '../lib/image-json.js';
import { ImageEditForm, ImageEditQuery } from '../schemas/edits.js';
import { ImageGenerationRequest, ImageGenerationResponse } from '../schemas/images.js';
import type { Services } from '../services.js';
import { ROUTED } from '../schemas/routing-headers.js';
import { API_KEY_SECURITY, INFERENCE_ERRORS, inferenceGate } from './auth-hook.js';
import { noteOf } from '../observe.js';
import { acceptMultipart, readEditForm } from './multipart.js';

export function requestContext(req: FastifyRequest): RequestContext {
  const auth = req.auth!;
  const ctx: RequestContext = {
    requestId: req.id,
    keyId: auth.keyId,
    accountId: auth.accountId,
    baseUrl: `${req.protocol}://${req.host}`,
    route: req.routeOptions.url ?? req.url,
  };
  if (req.fault) ctx.headerFault = req.fault;
  if (auth.key) ctx.key = auth.key;
  return ctx;
}

/** Multipart routes validate their form after reading it, with the same TypeBox schemas. */
export const MULTIPART_ROUTE = {
  validatorCompiler: () => () => true,
} as const;

export function editQuery(query: unknown) {
  if (!Value.Check(ImageEditQuery, query)) throw new ApiError('bad_request', 'querystring/verify_tee must be "true" or "false"');
  return query;
}

export const imageRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.post(
    '/v1/images/generations',
    {
      ...inferenceGate(services),
      config: ROUTED,
      schema: {
        operationId: 'createImageGeneration',
        tags: ['images'],
        summary: 'Generate images (synchronous)',
        description:
          'OpenAI-compatible. Send `response_format: "b64_json"`. The response adds `model`, `usage` and the Router\'s `x_0g_trace` with the billed cost in neuron.',
        security: API_KEY_SECURITY,
        body: ImageGenerationRequest,
        response: { 200: ImageGenerationResponse, ...INFERENCE_ERRORS },
      },
    },
    async (req, reply) => {
      const spec = parseImageRequest(services.pool, req.body, 'text-to-image', services.config, req.headers);
      const outcome = await runSync(services, spec, requestContext(req));
      noteOf(req).provider = outcome.body.x_0g_trace.provider;
      sendWithImages(reply, outcome.headers, outcome.body);
      return reply;
    },
  );

  // Multipart is accepted here only (see acceptMultipart).
  await app.register(async (edits) => {
    await acceptMultipart(edits, services.config.uploadLimitBytes);
    edits.post(
      '/v1/images/edits',
      {
        ...inferenceGate(services),
        config: ROUTED,
        ...MULTIPART_ROUTE,
        schema: {
          operationId: 'createImageEdit',
          tags: ['images'],
          summary: 'Edit an image (synchronous, multipart/form-data)',
          description: 'Routing is by X-0G-Provider-* headers only; `verify_tee` goes in the query string.',
          security: API_KEY_SECURITY,
          consumes: ['multipart/form-data'],
          querystring: ImageEditQuery,
          body: ImageEditForm,
          response: { 200: ImageGenerationResponse, ...INFERENCE_ERRORS },
        },
      },
      async (req, reply) => {
        const query = editQuery(req.query);
        const spec = await parseEditRequest(services.pool, await readEditForm(req, services.config.profile), query, services.config, req.headers);
        const outcome = await runSync(services, spec, requestContext(req));
        noteOf(req).provider = outcome.body.x_0g_trace.provider;
        sendWithImages(reply, outcome.headers, outcome.body);
        return reply;
      },
    );
  });
};
