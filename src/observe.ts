import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { bodyHash, textHash, type Observation } from './domain/client-report.js';
import type { Services } from './services.js';
import { summariseBody, type Summary } from './lib/body-summary.js';
import type { RequestMetrics } from './lib/request-metrics.js';
import type { RequestLogLine } from './logger.js';

/** What routes and the error handler add about a request for the journal and the report. */
export interface RequestNote {
  jobId?: string;
  jobStatus?: string;
  errorCode?: string;
  /** The provider that served the request, for the journal. */
  provider?: string;
  /** Multipart routes: their form, summarised and hashed (JSON bodies are read from req.body). */
  form?: { summary: Summary | undefined; hash: string };
  /** A large JSON body's digest, taken from the bytes as parsed (CANONICAL_MAX_BYTES). */
  bodyHash?: string;
}

/** The request's note, made on first use with every field, so notes share one shape and are filled in place. */
export function noteOf(req: FastifyRequest): RequestNote {
  return (req.note ??= { jobId: undefined, jobStatus: undefined, errorCode: undefined, provider: undefined, form: undefined, bodyHash: undefined });
}

/** An unmatched route's path can be kilobytes long; the journal keeps its start. */
const URL_KEPT = 256;

function kindOf(route: string): Observation['kind'] {
  if (route === '/v1/images/generations' || route === '/v1/images/edits') return 'sync';
  if (route.startsWith('/v1/async/images/')) return 'submit';
  if (route === '/v1/async/jobs/:jobId') return 'poll';
  return 'other';
}

/** What else hears of every answered request: the request log line (when `info` is on) and the request metrics. */
export interface ResponseListeners {
  logLine: RequestLogLine | undefined;
  requests: RequestMetrics;
}

/**
 * One onResponse hook for everything that hears of an answered request: the
 * metrics, the log line, and (for /v1 requests) the journal and the client
 * report, then the change feed, as after every control-plane write. It runs
 * after the response is sent, so none of it adds latency to the client, and
 * reads the route (a getter that builds Fastify's whole route-options object)
 * and the elapsed time once for all of them.
 */
export function registerObservers(app: FastifyInstance, services: Services, listeners: ResponseListeners): void {
  const { journal, reports } = services;
  const { logLine, requests } = listeners;
  // Recording happens after the answer is sent; a state store that is down loses the record, not the request.
  const lost = (err: unknown) => app.log.warn({ err }, 'a journal or report record was lost');
  app.addHook('onResponse', (req: FastifyRequest, reply: FastifyReply, done: () => void) => {
    const route = req.routeOptions.url;
    const elapsedMs = reply.elapsedTime;
    // Unmatched URLs share one label so scanners cannot blow up the series count.
    requests.tally(route ?? 'unmatched', req.method, reply.statusCode, elapsedMs / 1000);
    logLine?.(req, reply.statusCode, route, elapsedMs);
    if (req.url.startsWith('/v1/')) {
      observe(req, reply, route ?? 'unmatched', elapsedMs);
      services.changes.notify();
    } else if (req.method !== 'GET' && req.url.startsWith('/_emulator/')) {
      services.changes.notify();
    }
    done();
  });

  function observe(req: FastifyRequest, reply: FastifyReply, route: string, elapsedMs: number): void {
    const note = req.note ?? {};
    const atMs = services.clock.nowMs();
    const retryHeader = reply.getHeader('retry-after');
    const retryAfterS = retryHeader === undefined ? undefined : Number(retryHeader);
    const params = req.params as { jobId?: string } | undefined;
    const jobId = note.jobId ?? params?.jobId;
    const keyId = req.auth?.keyId;
    const query = req.url.indexOf('?');
    // One literal with every field, undefined where absent: one shape for every entry, no spreads per request.
    journal.add({
      atMs,
      requestId: req.id,
      keyId,
      method: req.method,
      route,
      url: (query < 0 ? req.url : req.url.slice(0, query)).slice(0, URL_KEPT),
      status: reply.statusCode,
      durationMs: Math.round(elapsedMs * 100) / 100,
      jobId,
      jobStatus: note.jobStatus,
      provider: note.provider,
      errorCode: note.errorCode,
      retryAfterS,
      body: note.form ? note.form.summary : req.body !== undefined ? summariseBody(req.body) : undefined,
    })?.catch(lost);
    if (!keyId) return;
    const body = req.body as { provider?: unknown } | undefined;
    const stainless = req.headers['x-stainless-retry-count'];
    const kind = kindOf(route);
    // Wall time with monotonic precision: replicas (and a restarted process) compare these across processes.
    const endedRealMs = performance.timeOrigin + performance.now();
    // A retry is the same body sent to the same route: a sync request and an async submit are not retries of each other.
    const hash = kind === 'sync' || kind === 'submit' ? (note.form?.hash ?? note.bodyHash ?? bodyHash(req.body)) : undefined;
    // Every field in one literal, as the stores keep it (storedObservation): no shape transitions per request.
    reports
      .observe({
        keyId,
        kind,
        requestId: req.id,
        jobId: jobId || undefined,
        jobStatus: note.jobStatus || undefined,
        // One short flat string per kept observation, not the route and the hash joined.
        bodyHash: hash ? textHash(`${route} ${hash}`) : undefined,
        atMs,
        status: reply.statusCode,
        retryAfterS: retryAfterS !== undefined && reply.statusCode < 300 ? retryAfterS : undefined,
        startedRealMs: endedRealMs - elapsedMs,
        endedRealMs,
        stainlessRetry: stainless === undefined ? undefined : Math.min(1000, Math.max(0, Number.parseInt(String(stainless), 10) || 0)),
        usedDeprecatedProvider: body && typeof body === 'object' && body.provider !== undefined ? true : undefined,
      })
      ?.catch(lost);
  }
}
