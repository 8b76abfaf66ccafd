import type { FastifySchemaCompiler } from 'fastify';
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { ApiError } from '../errors.js';

type Validator = ReturnType<typeof Compile>;

/**
 * Route option: validate with the route's own TypeBox schemas, compiled on
 * the first request instead of at start-up. Fastify compiles every route's
 * validators in one synchronous pass before listening; the account and key
 * routes would lengthen it by a third, and a long block at start-up trips
 * the event-loop backpressure on the first requests. Errors read like the
 * ones Fastify's own validation produces (`querystring/limit must …`).
 */
export const LAZY_VALIDATION = {
  validatorCompiler: (({ schema, httpPart }) => {
    let validator: Validator | undefined;
    return (data: unknown) => {
      validator ??= Compile(schema);
      if (validator.Check(data)) return { value: data };
      const first = validator.Errors(data)[0];
      const where = `${httpPart ?? 'request'}${first?.instancePath ?? ''}`;
      return { error: new ApiError(httpPart === 'body' ? 'invalid_body' : 'bad_request', `${where} ${first?.message ?? 'is invalid'}`) };
    };
  }) satisfies FastifySchemaCompiler<TSchema>,
} as const;
