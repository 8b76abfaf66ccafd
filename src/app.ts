import swagger from '@fastify/swagger';
import underPressure from '@fastify/under-pressure';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { LogController, type FastifyInstance, type FastifyReply } from 'fastify';
import type { Config } from './config.js';
import type { AuthContext } from './domain/auth.js';
import { sleep, type Fault } from './domain/faults.js';
import { ConnectionTracker } from './connections.js';
import { CANONICAL_MAX_BYTES, textHash } from './domain/client-report.js';
import { ApiError, toApiError } from './errors.js';
import { answerClientError, answerExpectation, frameworkError, jsonParseProblem, missingHost, originForm } from './http-edge.js';
import { EndOfTurn } from './lib/end-of-turn.js';
import { acceptClientRequestId, newRequestId } from './lib/ids.js';
import { LAZY_SCHEMA_CONTROLLER } from './lazy-compilers.js';
import { jsonDepthExceeds } from './lib/json-depth.js';
import { childLoggerFactory, logSetup, requestLog } from './logger.js';
import { buildMetrics } from './metrics.js';
import { noteOf, registerObservers, type RequestNote } from './observe.js';
import { accountRoutes } from './routes/account.js';
import { apiKeyRoutes } from './routes/api-keys.js';
import { asyncJobRoutes } from './routes/async-jobs.js';
import { catalogRoutes } from './routes/catalog.js';
import { emulatorAccountRoutes } from './routes/emulator-accounts.js';
import { consolePageRoutes } from './routes/console-page.js';
import { emulatorConsoleRoutes } from './routes/emulator-console.js';
import { emulatorStateRoutes } from './routes/emulator-state.js';
import { adminGate, emulatorRoutes } from './routes/emulator.js';
import { healthRoutes } from './routes/health.js';
import { imageRoutes } from './routes/images.js';
import { openapiRoutes, SWAGGER_OPTIONS } from './routes/openapi.js';
import { proxyImageRoutes } from './routes/proxy-images.js';
import { routingPreviewRoutes } from './routes/routing-preview.js';
import { loadSharp } from './render/sharp.js';
import { buildServices, type AppDeps, type Services } from './services.js';

/** How long after start-up the renderer warms up (see onReady). */
const WARM_UP_DELAY_MS = 100;

declare module 'fastify' {
  interface FastifyRequest {
    auth: AuthContext | null;
    /** Armed for this request by X-Emulator-Fault / X-Emulator-Latency-Ms. */
    fault: Fault | undefined;
    note: RequestNote | undefined;
  }
  interface FastifyInstance {
    services: Services;
    connections: ConnectionTracker;
  }
}

export type App = FastifyInstance;

const MAX_JSON_DEPTH = 32;

/**
 * Small answers wait for the end of the turn (EndOfTurn). A large one is written
 * at once: its segments wake the client anyway, and held back it would keep its
 * pooled buffer (OutputBuffers) from the answers after it. A 1024x1024 cache hit
 * measured +30 µs per request held, where a 256x256 one (14 KB) saved 15.
 */
const HELD_MAX_BYTES = 64 * 1024;
const heldToEndOfTurn = (payload: unknown): boolean =>
  (typeof payload === 'string' || Buffer.isBuffer(payload)) && payload.length <= HELD_MAX_BYTES;

/** Builds the whole server without listening: tests inject, server.ts listens. */
export async function buildApp(config: Config, deps: AppDeps = {}): Promise<App> {
  let log: FastifyInstance['log'] | undefined;
  const services = await buildServices(config, {
    ...deps,
    onStateStatus: (ok, reason) => (ok ? log?.info('state store is back') : log?.warn({ reason }, 'state store unavailable')),
  });
  const logging = logSetup(config, deps.logStream);
  // Answers are written at the end of the event-loop turn (see EndOfTurn for why and what it saves).
  const endOfTurn = new EndOfTurn((err) => log?.error({ err }, 'writing an answer failed'));
  const app = Fastify({
    logger: logging.options,
    childLoggerFactory,
    schemaController: LAZY_SCHEMA_CONTROLLER,
    // requestLog writes one line per request instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    requestIdHeader: false,
    genReqId: (req) => acceptClientRequestId(req.headers['x-request-id']) ?? newRequestId(),
    bodyLimit: config.jsonBodyLimitBytes,
    // Deliberate limits (README, configuration): slow clients cannot hold connections open.
    requestTimeout: config.requestTimeoutMs,
    keepAliveTimeout: config.keepAliveTimeoutMs,
    http: {
      headersTimeout: config.headersTimeoutMs,
      requestTimeout: config.requestTimeoutMs,
      connectionsCheckingInterval: Math.min(1000, Math.max(50, Math.floor(config.headersTimeoutMs / 4))),
      // Checked in onRequest instead, so the 400 has the Router's envelope.
      requireHostHeader: false,
    },
    // Deferred as answers are: a request refused before its body was read (a 401) answers first, and a bad chunk after it gets no second answer.
    clientErrorHandler: (err, socket) => endOfTurn.defer(() => answerClientError(err, socket)),
    frameworkErrors: frameworkError,
    rewriteUrl: (req) => originForm(req.url),
    // A request that arrives on a kept-alive connection during shutdown is served (then the connection closes).
    return503OnClosing: false,
    // Bodies are JSON: a string "2" for `n` is the client's bug, so no coercion, and
    // unknown routing fields are reported, not silently dropped.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // Every body this API takes is JSON, or multipart on the edits routes.
  app.removeContentTypeParser('text/plain');
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    if (jsonDepthExceeds(body as string, MAX_JSON_DEPTH)) {
      done(new ApiError('invalid_body', `request body is nested deeper than ${MAX_JSON_DEPTH} levels`), undefined);
      return;
    }
    if ((body as string).length > CANONICAL_MAX_BYTES) noteOf(req).bodyHash = textHash(body as string);
    parseJson(req, body as string, (err, value) => {
      if (err && (body as string).length > 0) done(new ApiError('invalid_body', jsonParseProblem(body as string)), undefined);
      else done(err, value);
    });
  });
  log = app.log;
  if (services.control.shared) {
    // Replicas share control state: one read per request tells whether this copy is current.
    app.addHook('onRequest', async (req) => {
      if (req.url.startsWith('/v1/') || req.url.startsWith('/_emulator/')) await services.control.sync();
    });
  }
  const connections = new ConnectionTracker();
  connections.attach(app.server);
  app.server.on('checkExpectation', answerExpectation);
  app.decorate('connections', connections);
  app.decorate('services', services);
  app.decorateRequest('auth', null);
  app.decorateRequest('fault', undefined);
  app.decorateRequest('note', undefined);
  // Hooks in callback style: an async hook costs a promise and a microtask on every request.
  app.addHook('onRequest', (req, reply, done) => {
    reply.header('x-request-id', req.id);
    done(missingHost(req));
  });

  // While shutting down, a finished response also closes its keep-alive
  // connection, so close() is not left waiting on idle sockets. Decided after
  // any injected latency: shutdown may have begun while the answer waited.
  const closeIfShuttingDown = (reply: FastifyReply) => {
    if (services.lifecycle.shuttingDown) reply.header('connection', 'close');
  };
  app.addHook('onSend', (req, reply, payload, done) => {
    const latencyMs = req.fault?.latencyMs;
    if (!latencyMs) {
      closeIfShuttingDown(reply);
      if (heldToEndOfTurn(payload)) endOfTurn.defer(() => done(null, payload));
      else done(null, payload);
      return;
    }
    void sleep(latencyMs).then(() => {
      closeIfShuttingDown(reply);
      done(null, payload);
    });
  });

  app.setErrorHandler((err, req, reply) => {
    const apiError = toApiError(err);
    noteOf(req).errorCode = apiError.code;
    if (apiError.status >= 500 && !(err instanceof ApiError)) req.log.error({ err, reqId: req.id, keyId: req.auth?.keyId }, 'unhandled error');
    return reply.code(apiError.status).headers(apiError.headers).send(apiError.toEnvelope(req.id));
  });
  app.setNotFoundHandler((req, reply) => {
    const apiError = new ApiError('route_not_found', `Unknown route: ${req.method} ${req.url.split('?')[0]!.slice(0, 200)}`);
    return reply.code(apiError.status).send(apiError.toEnvelope(req.id));
  });

  await app.register(swagger, SWAGGER_OPTIONS);
  await app.register(underPressure, {
    maxEventLoopDelay: config.maxEventLoopDelayMs,
    maxHeapUsedBytes: config.maxHeapUsedMb * 1024 * 1024,
    maxRssBytes: config.maxRssMb * 1024 * 1024,
    sampleInterval: 200,
    // Backpressure instead of slow death, but health, metrics and control stay reachable.
    pressureHandler: (req, reply, type) => {
      if (!req.url.startsWith('/v1/')) return;
      const err = new ApiError('no_available_provider', `The emulator is overloaded (${type}); retry shortly`, { 'retry-after': '2' });
      reply.code(err.status).headers(err.headers).send(err.toEnvelope(req.id));
    },
  });
  const metrics = buildMetrics(services);
  registerObservers(app, services, { logLine: requestLog(app, logging.destination), requests: metrics.requests });
  await app.register(healthRoutes, { services, metrics: metrics.registry });
  await app.register(catalogRoutes, { services });
  await app.register(imageRoutes, { services });
  await app.register(asyncJobRoutes, { services });
  await app.register(routingPreviewRoutes, { services });
  await app.register(accountRoutes, { services });
  await app.register(apiKeyRoutes, { services });
  await app.register(async (control) => {
    if (config.adminToken) control.addHook('onRequest', adminGate(config.adminToken));
    await control.register(emulatorRoutes, { services });
    await control.register(emulatorStateRoutes, { services });
    await control.register(emulatorAccountRoutes, { services });
    await control.register(emulatorConsoleRoutes, { services });
  });
  await app.register(consolePageRoutes, { adminTokenRequired: config.adminToken !== '' });
  await app.register(proxyImageRoutes, { services });
  await app.register(openapiRoutes);

  app.addHook('onReady', async () => {
    // libvips (~80 ms to load, blocking) and the first render, which proves sharp
    // and the bundled font work, come a little after the port opens: /healthz
    // answers at once, even to a probe sent as soon as the port accepts (measured:
    // ~50 ms sooner than when the load started right after the bind), and /readyz
    // once warmed up.
    services.lifecycle.warmedUp = new Promise<void>((resolve) => setTimeout(resolve, WARM_UP_DELAY_MS))
      .then(() => loadSharp())
      .then(() => services.renderer.render({ model: 'warm-up', prompt: 'warm-up', width: 64, height: 64, index: 0, providerAddress: '0x0' }))
      .then(
        () => void (services.lifecycle.ready = true),
        (err: unknown) => app.log.error({ err }, 'renderer warm-up failed; /readyz stays not ready'),
      );
  });
  app.addHook('onClose', async () => {
    services.lifecycle.ready = false;
    services.jobs.close();
    await services.state.close();
    logging.close();
  });
  return app;
}
