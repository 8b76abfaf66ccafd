import ajvCompiler from '@fastify/ajv-compiler';
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import type { FastifyServerOptions } from 'fastify';

type Compiled = ((data: unknown) => unknown) & { errors?: unknown };

/**
 * Fastify's own validator (ajv) and serializer (fast-json-stringify)
 * compilers, each route schema compiled on its first use instead of in the
 * one synchronous pass before listening: with ~60 routes that pass was a
 * third of start-up (~180 ms), and most routes (the control plane, the
 * account API) may never be called. Same compilers, same options, same
 * errors; the first request of a route pays its compile (a few ms).
 */
function lazily(compile: () => Compiled): Compiled {
  let compiled: Compiled | undefined;
  const run: Compiled = (data) => {
    compiled ??= compile();
    const result = compiled(data);
    // ajv reports what failed on the function itself; Fastify reads it there.
    run.errors = compiled.errors;
    return result;
  };
  return run;
}

type Factory = (...args: never[]) => (routeSchema: never) => Compiled;

const lazyFactory = (factory: Factory): Factory => ((...args: never[]) => {
  const compile = factory(...args);
  return (routeSchema: never) => lazily(() => compile(routeSchema));
}) as Factory;

export const LAZY_SCHEMA_CONTROLLER = {
  compilersFactory: {
    buildValidator: lazyFactory(ajvCompiler() as unknown as Factory),
    buildSerializer: lazyFactory(SerializerSelector() as unknown as Factory),
  },
} as unknown as NonNullable<FastifyServerOptions['schemaController']>;
