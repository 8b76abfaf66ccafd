#!/usr/bin/env -S node --max-semi-space-size=32
import { lookup } from 'node:dns/promises';
import { realpathSync } from 'node:fs';
import { isIP } from 'node:net';
import { fileURLToPath } from 'node:url';
import { buildApp, type App } from './app.js';
import { helpText, parseCli } from './cli.js';
import { loadSettings } from './config-file.js';
import { ConfigError, type Config } from './config.js';
import { listenText } from './logger.js';
import { DEFAULT_POOL } from './providers/default-pool.js';
import { ProviderPool } from './providers/pool.js';
import type { AppDeps } from './services.js';

export interface RunningServer {
  app: App;
  url: string;
  /** Stops accepting, lets in-flight requests finish within the grace period, closes timers. */
  shutdown(reason: string): Promise<'clean' | 'grace-expired'>;
}

export async function startServer(config: Config, deps: AppDeps = {}): Promise<RunningServer> {
  const app = await buildApp(config, deps);
  const url = await app.listen({ host: config.host, port: config.port, listenTextResolver: listenText() });
  let closing: Promise<'clean' | 'grace-expired'> | undefined;
  const shutdown = (reason: string) => {
    closing ??= (async () => {
      const startedMs = performance.now();
      app.services.lifecycle.shuttingDown = true;
      const closed = app.close().then(() => 'clean' as const);
      // After close() began: no new connection can arrive between the count and the close.
      const idleClosed = app.connections.drain();
      const inFlight = app.connections.requestsInFlight;
      app.log.info({ reason, idleConnectionsClosed: idleClosed, requestsInFlight: inFlight }, inFlight
        ? `shutting down: closed ${idleClosed} idle connections, finishing ${inFlight} requests in flight`
        : `shutting down: closed ${idleClosed} idle connections, no requests in flight`);
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<'grace-expired'>((resolve) => {
        timer = setTimeout(() => resolve('grace-expired'), config.shutdownGraceMs);
        timer.unref();
      });
      const outcome = await Promise.race([closed, expired]);
      clearTimeout(timer);
      const tookMs = Math.round(performance.now() - startedMs);
      if (outcome === 'clean') app.log.info({ tookMs }, 'shutdown complete: every request answered');
      else app.log.warn({ tookMs, requestsInFlight: app.connections.requestsInFlight }, `grace period over; exiting with ${app.connections.requestsInFlight} requests still in flight`);
      return outcome;
    })();
    return closing;
  };
  return { app, url, shutdown };
}

/** Start would fail to listen on a HOST that is not an address and does not resolve. */
async function checkHost(host: string): Promise<void> {
  if (isIP(host)) return;
  try {
    await lookup(host);
  } catch {
    throw new ConfigError(`HOST=${JSON.stringify(host)} is invalid: not an IP address, and it does not resolve`);
  }
}

/** The only place that reads process.env and handles signals; the command line (src/cli.ts) sets variables too. */
async function main(argv: string[]): Promise<void> {
  const cli = parseCli(argv);
  if (cli.help) {
    console.log(helpText());
    return;
  }
  const settings = loadSettings({ ...process.env, ...cli.env });
  const config = settings.config;
  // The file was read and validated once, for its settings and its pool.
  const pool = new ProviderPool(settings.pool ?? DEFAULT_POOL);
  if (cli.checkConfig) {
    await checkHost(config.host);
    console.log(`config ok: ${pool.models.length} models, ${pool.providers.length} providers, port ${config.port}`);
    return;
  }
  const server = await startServer(config, { pool, accounts: settings.accounts ?? [] });
  if (process.env.EMULATOR_CODE_CACHE === 'write') {
    // `npm run build` making the bundle's code cache (scripts/bundle-loader.mjs): started, one
    // request answered so its path is compiled too, then out; the loader writes the cache at exit.
    await server.app.inject({ url: '/healthz' });
    await server.shutdown('code cache made');
    process.exit(0);
  }
  const onSignal = (signal: NodeJS.Signals) => {
    void server.shutdown(signal).then((outcome) => process.exit(outcome === 'clean' ? 0 : 1));
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}

const invokedDirectly = process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err instanceof ConfigError ? err.message : err);
    process.exit(err instanceof ConfigError ? 2 : 1);
  });
}
