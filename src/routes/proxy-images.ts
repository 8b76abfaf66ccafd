import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { ApiError } from '../errors.js';
import { withTextChunks } from '../render/png-text.js';
import { errorResponses } from '../schemas/common.js';
import type { Services } from '../services.js';

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
          linkId: Type.String({ pattern: '^[0-9a-f]{32}$' }),
          index: Type.String({ pattern: '^[0-9]{1,2}$' }),
        }),
        response: { 200: Type.Unsafe<Buffer>({ type: 'string', format: 'binary' }), ...errorResponses(400, 404) },
      },
    },
    async (req, reply) => {
      const link = services.imageLinks.get(req.params.linkId);
      const params = link?.images[Number(req.params.index)];
      if (!link || !params) throw new ApiError('image_not_found');
      const png = await services.renderer.render(params);
      const tagged = withTextChunks(png, { request_id: link.requestId, provider_address: params.providerAddress });
      return reply.type('image/png').header('cache-control', 'private, max-age=3600').send(tagged);
    },
  );
};
