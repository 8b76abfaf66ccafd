import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';

/** The only place that listens, reads process.env and handles signals. */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const app = await buildApp(config);
  await app.listen({ host: config.host, port: config.port });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.services.lifecycle.shuttingDown = true;
    app.log.info({ signal }, 'shutting down');
    // A request that outlives the grace period must not keep the process up forever.
    const deadline = setTimeout(() => {
      app.log.warn('grace period over; exiting with requests still in flight');
      process.exit(1);
    }, config.shutdownGraceMs);
    deadline.unref();
    await app.close();
    clearTimeout(deadline);
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(2);
  }
  console.error(err);
  process.exit(1);
});
