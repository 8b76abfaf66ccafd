import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { requestStage } from '../domain/fault-points.js';
import { parseEditRequest } from '../domain/edit-request.js';
import { parseImageRequest, type ImageJobSpec } from '../domain/image-request.js';
import { viewJob } from '../domain/job-view.js';
import { ApiError } from '../errors.js';
import { sendWithImages } from '../lib/image-json.js';
import { ImageEditForm, ImageEditQuery } from '../schemas/edits.js';
import { ImageGenerationRequest } from '../schemas/images.js';
import { JobParams, JobQuery, JobStatusResponse, JobSubmitResponse, type JobSubmitBody } from '../schemas/jobs.js';
import type { Services } from '../services.js';
import { ROUTED } from '../schemas/routing-headers.js';
import { API_KEY_SECURITY, INFERENCE_ERRORS, inferenceGate } from './auth-hook.js';
import { editQuery, MULTIPART_ROUTE, requestContext } from './images.js';
import { noteOf } from '../observe.js';
import { acceptMultipart, readEditForm } from './multipart.js';

const SUBMIT_RESPONSES = { 202: JobSubmitResponse, ...INFERENCE_ERRORS };

export const asyncJobRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const { jobs, config } = services;
  const accept = async (req: FastifyRequest, reply: FastifyReply, spec: ImageJobSpec) => {
    const job = await jobs.submit(spec, requestContext(req));
    const note = noteOf(req);
    note.jobId = job.id;
    note.jobStatus = 'pending';
    note.provider = job.providerAddress;
    const retryAfterS = jobs.retryAfterS(job);
    const body: JobSubmitBody = { jobId: job.id, status: 'pending', provider_address: job.providerAddress };
    const headers: Record<string, string> = { 'x-provider': job.providerAddress };
    if (retryAfterS !== undefined) headers['retry-after'] = String(retryAfterS);
    return reply.code(202).headers(headers).send(body);
  };

  app.post(
    '/v1/async/images/generations',
    {
      ...inferenceGate(services),
      config: ROUTED,
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
      return accept(req, reply, parseImageRequest(services.pool, req.body, 'text-to-image', config, req.headers));
    },
  );

  // Multipart is accepted here only (see acceptMultipart).
  await app.register(async (edits) => {
    await acceptMultipart(edits, config.uploadLimitBytes);
    edits.post(
      '/v1/async/images/edits',
      {
        ...inferenceGate(services),
        config: ROUTED,
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
        const query = editQuery(req.query);
        return accept(req, reply, await parseEditRequest(services.pool, await readEditForm(req, services.config.profile), query, config, req.headers));
      },
    );
  });

  app.get(
    '/v1/async/jobs/:jobId',
    {
      ...inferenceGate(services),
      schema: {
        operationId: 'getAsyncJob',
        tags: ['async'],
        summary: 'Poll an async job',
        description:
          'pending → processing → completed | failed. Retry-After on every non-terminal poll. On completion `data.data[]` holds the images and `x_0g_trace` the booked charge, on this and every later poll.',
        security: API_KEY_SECURITY,
        params: JobParams,
        querystring: JobQuery,
        response: { 200: JobStatusResponse, ...INFERENCE_ERRORS },
      },
    },
    async (req, reply) => {
      const pin = req.query.provider_address;
      if (pin === undefined && config.profile === 'strict') {
        throw new ApiError('bad_request', 'provider_address is required (strict profile): async jobs are pinned to their provider');
      }
      const job = await jobs.lookup(req.params.jobId, req.auth!.accountId, pin, req.query.model);
      const ctx = requestContext(req);
      await requestStage(services.faults, { route: ctx.route, keyId: ctx.keyId, model: job.model });
      const view = await viewJob(services, job, `${req.protocol}://${req.host}`, req.query.verify_tee === 'true');
      const note = noteOf(req);
      note.jobStatus = view.body.status;
      note.provider = job.providerAddress;
      sendWithImages(reply, view.headers, view.body);
      return reply;
    },
  );
};
