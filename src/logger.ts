import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify';
import type { Config } from './config.js';

interface LoggedRequest {
  method: string;
  url: string;
  routeOptions?: { url?: string };
  ip?: string;
}

/**
 * pino options: JSON lines with request id, route, status and duration (Fastify
 * logs those per request), the key id added by the inference gate. Headers and
 * bodies are never serialised, so keys, prompts and image bytes stay out of the
 * logs; `authorization` is redacted anyway should a custom log line carry it.
 */
export function loggerOptions(config: Pick<Config, 'logLevel' | 'logFormat'>, stream?: NodeJS.WritableStream): FastifyServerOptions['logger'] {
  if (config.logLevel === 'silent') return false;
  const pretty = !stream && (config.logFormat === 'pretty' || (config.logFormat === 'auto' && process.stdout.isTTY === true));
  return {
    level: config.logLevel,
    redact: { paths: ['req.headers.authorization', 'headers.authorization', 'authorization', 'apiKey'], censor: '[redacted]' },
    serializers: {
      req: (req: LoggedRequest) => ({
        method: req.method,
        url: req.url.split('?')[0],
        route: req.routeOptions?.url,
        remoteAddress: req.ip,
      }),
    },
    ...(stream ? { stream } : {}),
    ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } } : {}),
  };
}

/** Whether per-request (info) lines are written at all. */
export function logsRequests(logger: FastifyBaseLogger): boolean {
  return (logger as FastifyBaseLogger & { isLevelEnabled?(level: string): boolean }).isLevelEnabled?.('info') ?? false;
}

/**
 * Fastify makes a child logger per request to bind its reqId. At `warn` and
 * above no per-request line is written, and that child cost ~30 µs a request:
 * the app logger serves instead, and the few warn/error lines a request can
 * write name their reqId themselves.
 */
export function childLoggerFactory(this: unknown, logger: FastifyBaseLogger, bindings: Record<string, unknown>, opts: object): FastifyBaseLogger {
  return logsRequests(logger) ? logger.child(bindings, opts) : logger;
}
