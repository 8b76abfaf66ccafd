import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { parseEditRequest } from '../domain/edit-request.js';
import { parseImageRequest, type ImageJobSpec } from '../domain/image-request.js';
import { viewJob } from '../domain/job-view.js';
import { ApiError } from '../errors.js';
import { errorResponses } from '../schemas/common.js';
import { ImageEditForm, ImageEditQuery } from '../schemas/edits.js';
import { ImageGenerationRequest } from '../schemas/images.js';
import { JobParams, JobQuery, JobStatusResponse, JobSubmitResponse, type JobSubmitBody } from '../schemas/jobs.js';
import type { Services } from '../services.js';
import { API_KEY_SECURITY, inferenceGate } from './auth-hook.js';
import { editQuery, MULTIPART_ROUTE } from './images.js';
import { readEditForm } from './multipart.js';

const SUBMIT_RESPONSES = { 202: JobSubmitResponse, ...errorResponses(400, 401, 403, 404, 413, 415, 502, 503) };

export const asyncJobRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const { jobs, config } = services;
  const accepted = (spec: ImageJobSpec, keyId: string, requestId: string): JobSubmitBody => {
    const job = jobs.submit(spec, keyId, requestId);
    return { jobId: job.id, status: 'pending', provider_address: job.providerAddress };
  };
  const retryAfter = () => (config.retryAfterS > 0 ? { 'retry-after': String(config.retryAfterS) } : {});

  app.post(
    '/v1/async/images/generations',
    {
      onRequest: inferenceGate(services),
      schema: {
        operationId: 'submitAsyncImageGeneration',
        tags: ['async'],
        summary: 'Submit an image generation job',
        description: 'Same body as /v1/images/generations. Poll GET /v1/async/jobs/{jobId}?provider_address=… honouring Retry-After.',
        security: API_KEY_SECURITY,
        body: ImageGenerationRequest,
        response: SUBMIT_RESPONSES,
      },
    },
    async (req, reply) => {
      const spec = parseImageRequest(services.pool, req.body, 'text-to-image', config, req.headers);
      return reply.code(202).headers(retryAfter()).send(accepted(spec, req.auth!.keyId, req.id));
    },
  );

  app.post(
    '/v1/async/images/edits',
    {
      onRequest: inferenceGate(services),
      ...MULTIPART_ROUTE,
      schema: {
        operationId: 'submitAsyncImageEdit',
        tags: ['async'],
        summary: 'Submit an image edit job (multipart/form-data)',
        security: API_KEY_SECURITY,
        consumes: ['multipart/form-data'],
        querystring: ImageEditQuery,
        body: ImageEditForm,
        response: SUBMIT_RESPONSES,
      },
    },
    async (req, reply) => {
      const spec = await parseEditRequest(services.pool, await readEditForm(req), editQuery(req.query), config, req.headers);
      return reply.code(202).headers(retryAfter()).send(accepted(spec, req.auth!.keyId, req.id));
    },
  );

  app.get(
    '/v1/async/jobs/:jobId',
    {
      onRequest: inferenceGate(services),
      schema: {
        operationId: 'getAsyncJob',
        tags: ['async'],
        summary: 'Poll an async job',
        description:
          'pending → processing → completed | failed. Retry-After on every non-terminal poll. On completion `data.data[]` holds the images and `x_0g_trace` the booked charge, on this and every later poll.',
        security: API_KEY_SECURITY,
        params: JobParams,
        querystring: JobQuery,
        response: { 200: JobStatusResponse, ...errorResponses(400, 401, 403, 404, 503) },
      },
    },
    async (req, reply) => {
      const pin = req.query.provider_address;
      if (pin === undefined && config.profile === 'strict') {
        throw new ApiError('bad_request', 'provider_address is required (strict profile): async jobs are pinned to their provider');
      }
      const job = jobs.lookup(req.params.jobId, req.auth!.keyId, pin);
      const view = await viewJob(services, job, `${req.protocol}://${req.host}`);
      return reply.headers(view.headers).send(view.body);
    },
  );
};
