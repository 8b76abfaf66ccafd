#!/usr/bin/env node
import { realpathSync } from 'node:fs';
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
      app.services.lifecycle.shuttingDown = true;
      app.log.info({ reason }, 'shutting down: no new connections, finishing in-flight requests');
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<'grace-expired'>((resolve) => {
        timer = setTimeout(() => resolve('grace-expired'), config.shutdownGraceMs);
        timer.unref();
      });
      const outcome = await Promise.race([app.close().then(() => 'clean' as const), expired]);
      clearTimeout(timer);
      return outcome;
    })();
    return closing;
  };
  return { app, url, shutdown };
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
    console.log(`config ok: ${pool.models.length} models, ${pool.providers.length} providers, port ${config.port}`);
    return;
  }
  const server = await startServer(config, { pool });
  const onSignal = (signal: NodeJS.Signals) => {
    void server.shutdown(signal).then((outcome) => {
      if (outcome === 'grace-expired') server.app.log.warn('grace period over; exiting with requests still in flight');
      process.exit(outcome === 'clean' ? 0 : 1);
    });
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
