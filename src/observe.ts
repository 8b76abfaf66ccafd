import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { bodyHash, type Observation } from './domain/client-report.js';
import type { Services } from './services.js';
import { summariseBody, type Summary } from './lib/body-summary.js';

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

/** An unmatched route's path can be kilobytes long; the journal keeps its start. */
const URL_KEPT = 256;

function kindOf(route: string): Observation['kind'] {
  if (route === '/v1/images/generations' || route === '/v1/images/edits') return 'sync';
  if (route.startsWith('/v1/async/images/')) return 'submit';
  if (route === '/v1/async/jobs/:jobId') return 'poll';
  return 'other';
}

/**
 * Feeds the journal and the client report from every answered /v1 request,
 * after the response is sent, so neither adds latency to the client; then
 * tells the change feed, as after every control-plane write.
 */
export function registerObservers(app: FastifyInstance, services: Services): void {
  const { journal, reports } = services;
  // Recording happens after the answer is sent; a state store that is down loses the record, not the request.
  const lost = (err: unknown) => app.log.warn({ err }, 'a journal or report record was lost');
  app.addHook('onResponse', (req: FastifyRequest, reply: FastifyReply, done: () => void) => {
    if (req.url.startsWith('/v1/')) {
      observe(req, reply);
      services.changes.notify();
    } else if (req.method !== 'GET' && req.url.startsWith('/_emulator/')) {
      services.changes.notify();
    }
    done();
  });

  function observe(req: FastifyRequest, reply: FastifyReply): void {
    const route = req.routeOptions.url ?? 'unmatched';
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
      durationMs: Math.round(reply.elapsedTime * 100) / 100,
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
    const observation: Observation = { keyId, kind, atMs, requestId: req.id, status: reply.statusCode, startedRealMs: endedRealMs - reply.elapsedTime, endedRealMs };
    if (jobId) observation.jobId = jobId;
    if (note.jobStatus) observation.jobStatus = note.jobStatus;
    if (retryAfterS !== undefined && reply.statusCode < 300) observation.retryAfterS = retryAfterS;
    // A retry is the same body sent to the same route: a sync request and an async submit are not retries of each other.
    const hash = kind === 'sync' || kind === 'submit' ? (note.form?.hash ?? note.bodyHash ?? bodyHash(req.body)) : undefined;
    if (hash) observation.bodyHash = `${route} ${hash}`;
    if (stainless !== undefined) observation.stainlessRetry = Math.min(1000, Math.max(0, Number.parseInt(String(stainless), 10) || 0));
    if (body && typeof body === 'object' && body.provider !== undefined) observation.usedDeprecatedProvider = true;
    reports.observe(observation)?.catch(lost);
  }
}
