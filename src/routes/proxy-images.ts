import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { traceRequestIdOf } from '../domain/job-state.js';
import { ApiError } from '../errors.js';
import { taggedPng } from '../render/png-text.js';
import { errorResponses } from '../schemas/common.js';
import type { Services } from '../services.js';
import type { Job } from '../store/job-store.js';

/** A sync response's link id, or a completed async job's id. */
async function servedImage(services: Services, id: string, index: number): Promise<Buffer | undefined> {
  const link = services.imageLinks.get(id);
  if (link) {
    const params = link.images[index];
    if (!params) return undefined;
    const png = await services.renderer.render(params);
    return taggedPng(png, { request_id: link.requestId, provider_address: params.providerAddress });
  }
  const jobId = services.imageLinks.jobIdOf(id);
  const job = jobId === undefined ? undefined : await services.jobs.find(jobId);
  return job ? jobImage(services, job, index) : undefined;
}

/** Image `index` of a completed job, re-rendered from its parameters; undefined before completion. */
export async function jobImage(services: Services, job: Job, index: number): Promise<Buffer | undefined> {
  if (job.outcome?.status !== 'completed' || index >= job.n) return undefined;
  const { source, ...set } = job;
  const png = await services.renderer.render({ ...set, ...(source ? { source } : {}), index, providerAddress: job.providerAddress });
  return taggedPng(png, { request_id: traceRequestIdOf(job), job_id: job.id, provider_address: job.providerAddress });
}

/** URL_RESPONSES=serve: the PNGs behind `data[].url`, re-rendered from stored parameters. */
export const proxyImageRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.get(
    '/v1/proxy/images/:linkId/:index',
    {
      schema: {
        operationId: 'getServedImage',
        tags: ['images'],
        summary: 'Fetch an image returned as a URL (only with URL_RESPONSES=serve)',
        params: Type.Object({
          linkId: Type.String({ pattern: '^[0-9a-f]{32}(-[0-9a-f]{32})?$', description: 'from a `data[].url`; unguessable' }),
          index: Type.String({ pattern: '^[0-9]{1,2}$' }),
        }),
        response: { 200: Type.Unsafe<Buffer>({ type: 'string', format: 'binary' }), ...errorResponses(400, 404) },
      },
    },
    async (req, reply) => {
      // With URL_RESPONSES=reject no URL was ever handed out: nothing is served, whatever the id.
      const index = Number(req.params.index);
      const png = services.config.urlResponses === 'serve' ? await servedImage(services, req.params.linkId, index) : undefined;
      if (!png) throw new ApiError('image_not_found');
      return reply.type('image/png').header('cache-control', 'private, max-age=3600').send(png);
    },
  );
};
