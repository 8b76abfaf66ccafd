import type { FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { ApiError } from './errors.js';
import { acceptClientRequestId, newRequestId } from './lib/ids.js';

/*
 * Answers decided before any route runs: Node's HTTP parser, Fastify's router
 * and the Expect handshake each have a default body of their own (empty, or
 * Fastify's `{error, code, message}` echoing the URL). Every one of them gets
 * the Router's envelope and a request id here, in the body and X-Request-ID.
 */

/** Node's parser rejected the bytes (bad chunk size, CL+TE, header overflow, timeouts): no request object exists. */
export function answerClientError(err: Error & { code?: string }, socket: Socket & { _httpMessage?: ServerResponse | null }): void {
  // A request refused before its body was read (a 401 from the gate) already has its answer: no second one after it.
  if (!socket.writable || socket._httpMessage?.headersSent) {
    socket.destroy();
    return;
  }
  const apiError =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? new ApiError('request_timeout')
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? new ApiError('request_too_large', 'Request headers are too large')
        : new ApiError('bad_request', `Malformed HTTP request (${err.code ?? 'parse error'})`);
  const requestId = newRequestId();
  const body = JSON.stringify(apiError.toEnvelope(requestId));
  socket.end(
    `HTTP/1.1 ${apiError.status} ${STATUS_CODES[apiError.status]}\r\nContent-Type: application/json\r\n` +
      `X-Request-ID: ${requestId}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** Fastify's router refused the URL: an over-long path parameter (414) or undecodable percent-encoding. */
export function frameworkError(err: Error & { code?: string }, req: FastifyRequest, reply: FastifyReply): void {
  // The message must not echo the URL: it may be kilobytes long.
  const apiError =
    err.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? new ApiError('uri_too_long')
      : new ApiError('bad_request', err.code === 'FST_ERR_BAD_URL' ? 'The URL is not valid (bad percent-encoding)' : 'The request could not be routed');
  void reply.code(apiError.status).header('x-request-id', req.id).header('content-type', 'application/json').send(apiError.toEnvelope(req.id));
}

/** `Expect:` anything but 100-continue: Node would send an empty 417. For the server's `checkExpectation` event. */
export function answerExpectation(req: IncomingMessage, res: ServerResponse): void {
  const requestId = acceptClientRequestId(req.headers['x-request-id']) ?? newRequestId();
  const body = JSON.stringify(new ApiError('expectation_failed').toEnvelope(requestId));
  res.writeHead(417, { 'content-type': 'application/json', 'x-request-id': requestId, 'content-length': Buffer.byteLength(body), connection: 'close' });
  res.end(body);
}

/**
 * The absolute form `POST http://host/v1/...` (RFC 9112 §3.2.2) routes like
 * `/v1/...`; rewritten before routing so every later decision (backpressure,
 * journal, report, metrics) sees the path a client meant.
 */
export function originForm(url: string | undefined): string {
  if (url === undefined || url.charCodeAt(0) === 47 /* "/" */) return url ?? '/';
  const scheme = url.indexOf('://');
  if (scheme < 0) return url;
  const path = url.indexOf('/', scheme + 3);
  if (path >= 0) return url.slice(path);
  const query = url.indexOf('?', scheme + 3);
  return query >= 0 ? `/${url.slice(query)}` : '/';
}

/** HTTP/1.1 without Host (RFC 9112 §3.2: a 400); Node's own answer has no body. */
export function missingHost(req: FastifyRequest): ApiError | undefined {
  if (req.raw.httpVersionMajor === 1 && req.raw.httpVersionMinor === 1 && req.headers.host === undefined) {
    return new ApiError('bad_request', 'HTTP/1.1 requests must carry a Host header');
  }
  return undefined;
}

/** Why a JSON body failed to parse, in words a client can act on. */
export function jsonParseProblem(body: string): string {
  try {
    JSON.parse(body);
  } catch (err) {
    return `request body is not valid JSON: ${(err as Error).message}`;
  }
  // Valid JSON that secure-json-parse refused: prototype poisoning.
  return /"__proto__"\s*:/.test(body)
    ? 'request body contains the forbidden key "__proto__"'
    : 'request body contains the forbidden key "constructor" with a "prototype"';
}
