import type { FastifyServerOptions } from 'fastify';
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
