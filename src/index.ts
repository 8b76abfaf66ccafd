export { buildApp, type App } from './app.js';
export { loadConfig, defaultConfig, ConfigError, type Config } from './config.js';
export { ManualClock, systemClock, type Clock } from './lib/clock.js';
export { ProviderPool, loadPool, validatePool } from './providers/pool.js';
export { DEFAULT_POOL } from './providers/default-pool.js';
export { readTextChunks } from './render/png-text.js';
export { ERROR_TABLE, type ErrorCode } from './errors.js';
