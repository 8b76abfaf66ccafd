import type { FastifyBaseLogger, FastifyInstance, FastifyServerOptions } from 'fastify';
import type { Config } from './config.js';

/**
 * pino options: JSON lines. Headers and bodies are never serialised, so keys,
 * prompts and image bytes stay out of the logs; `authorization` is redacted
 * anyway should a custom log line carry it.
 */
export function loggerOptions(config: Pick<Config, 'logLevel' | 'logFormat'>, stream?: NodeJS.WritableStream): FastifyServerOptions['logger'] {
  if (config.logLevel === 'silent') return false;
  const pretty = !stream && (config.logFormat === 'pretty' || (config.logFormat === 'auto' && process.stdout.isTTY === true));
  return {
    level: config.logLevel,
    redact: { paths: ['req.headers.authorization', 'headers.authorization', 'authorization', 'apiKey'], censor: '[redacted]' },
    ...(stream ? { stream } : {}),
    ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } } : {}),
  };
}

/**
 * No child logger per request: Fastify makes one to bind each reqId, which
 * cost a tenth of a small request's CPU, logged or not. The lines a request
 * writes (the one below, the error handler's) name their reqId and keyId.
 */
export function childLoggerFactory(this: unknown, logger: FastifyBaseLogger): FastifyBaseLogger {
  return logger;
}

const enabled = (logger: FastifyBaseLogger, level: string) =>
  (logger as FastifyBaseLogger & { isLevelEnabled?(level: string): boolean }).isLevelEnabled?.(level) ?? false;

/**
 * One line per answered request at `info` (request id, key id, method, path,
 * route, status, duration), instead of Fastify's two; the arrival line too
 * at `debug`. Nothing is registered when those levels are off.
 */
export function registerRequestLog(app: FastifyInstance): void {
  if (enabled(app.log, 'debug')) {
    app.addHook('onRequest', (req, _reply, done) => {
      req.log.debug({ reqId: req.id, method: req.method, url: req.url.split('?')[0], remoteAddress: req.ip }, 'incoming request');
      done();
    });
  }
  if (!enabled(app.log, 'info')) return;
  app.addHook('onResponse', (req, reply, done) => {
    req.log.info(
      {
        reqId: req.id,
        keyId: req.auth?.keyId,
        method: req.method,
        url: req.url.split('?')[0],
        route: req.routeOptions.url,
        statusCode: reply.statusCode,
        responseTime: reply.elapsedTime,
      },
      'request completed',
    );
    done();
  });
}

/**
 * Fastify's "listening" log line: the first one names the API, the console and
 * the OpenAPI document; with HOST=0.0.0.0 any further interface gets a short line.
 */
export function listenText(): (address: string) => string {
  let first = true;
  return (address) => {
    if (!first) return `also listening at ${address}`;
    first = false;
    return `0G Router emulator listening: API ${address}/v1 · console ${address}/_emulator/ui · OpenAPI ${address}/openapi.yaml`;
  };
}
