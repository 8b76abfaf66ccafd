import type { FastifyBaseLogger, FastifyInstance, FastifyRequest, FastifyServerOptions } from 'fastify';
import { hostname } from 'node:os';
import pino from 'pino';
import type { Config } from './config.js';
import { BatchedLines } from './lib/batched-lines.js';

/** pino options, and the destination they write to: the request log writes its lines there itself. */
export interface LogSetup {
  options: FastifyServerOptions['logger'];
  destination: pino.DestinationStream | undefined;
  /** Writes what is still pending: for the app's close. */
  close(): void;
}

/**
 * pino options: JSON lines. Headers and bodies are never serialised, so keys,
 * prompts and image bytes stay out of the logs; `authorization` is redacted
 * anyway should a custom log line carry it.
 */
export function logSetup(config: Pick<Config, 'logLevel' | 'logFormat'>, stream?: NodeJS.WritableStream): LogSetup {
  if (config.logLevel === 'silent') return { options: false, destination: undefined, close: () => {} };
  const pretty = !stream && (config.logFormat === 'pretty' || (config.logFormat === 'auto' && process.stdout.isTTY === true));
  // Made here so it can be held: JSON lines batched on stdout (BatchedLines), or the pretty transport.
  const lines = stream || pretty ? undefined : new BatchedLines(process.stdout.fd ?? 1);
  const destination =
    stream ?? lines ?? pino.transport({ target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } });
  return {
    options: {
      level: config.logLevel,
      redact: { paths: ['req.headers.authorization', 'headers.authorization', 'authorization', 'apiKey'], censor: '[redacted]' },
      stream: destination,
    },
    destination,
    close: () => lines?.end(),
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

/** Writes the `info` line of an answered request; the route and the elapsed time are computed once, by its caller. */
export type RequestLogLine = (req: FastifyRequest, statusCode: number, route: string | undefined, elapsedMs: number) => void;

/**
 * One line per answered request at `info` (request id, key id, method, path,
 * route, status, duration), instead of Fastify's two; the arrival line too
 * at `debug`. Nothing is registered, and no writer returned, when those
 * levels are off.
 *
 * The line is pino's, byte for byte (level, time, pid, hostname, fields, msg),
 * but built from a template and written to pino's destination: going through
 * pino (field walk, redaction, string escapes) cost a tenth of a small
 * request's CPU, for fields whose shapes are known (ids are [A-Za-z0-9._:-],
 * methods are tokens) and carry no secret. Paths are JSON-quoted only when
 * they hold a character JSON escapes; route patterns are quoted once each.
 */
export function requestLog(app: FastifyInstance, destination: pino.DestinationStream | undefined): RequestLogLine | undefined {
  if (enabled(app.log, 'debug')) {
    app.addHook('onRequest', (req, _reply, done) => {
      req.log.debug({ reqId: req.id, method: req.method, url: req.url.split('?')[0], remoteAddress: req.ip }, 'incoming request');
      done();
    });
  }
  if (!destination || !enabled(app.log, 'info')) return undefined;
  const base = `,"pid":${process.pid},"hostname":${JSON.stringify(hostname())}`;
  // Route patterns come from the route table: a handful of strings, each quoted once.
  const quotedRoutes = new Map<string, string>();
  const routeField = (route: string) => {
    let field = quotedRoutes.get(route);
    if (field === undefined) quotedRoutes.set(route, (field = `,"route":${JSON.stringify(route)}`));
    return field;
  };
  return (req, statusCode, route, elapsedMs) => {
    const query = req.url.indexOf('?');
    const path = query < 0 ? req.url : req.url.slice(0, query);
    const keyId = req.auth?.keyId;
    destination.write(
      `{"level":30,"time":${Date.now()}${base},"reqId":"${req.id}"${keyId ? `,"keyId":"${keyId}"` : ''},"method":"${req.method}",` +
        `"url":${NEEDS_ESCAPE.test(path) ? JSON.stringify(path) : `"${path}"`}${route ? routeField(route) : ''},` +
        `"statusCode":${statusCode},"responseTime":${elapsedMs},"msg":"request completed"}\n`,
    );
  };
}

/** What JSON.stringify would escape in a string (quotes, backslashes, controls, lone surrogates). */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

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
