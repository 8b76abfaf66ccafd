import { availableParallelism } from 'node:os';
import Type, { type Static, type TSchema } from 'typebox';
import Value from 'typebox/value';
import { MAX_TIMER_MS } from './lib/clock.js';

/** Seconds settings that become timers: Node cannot wait longer than 2^31-1 ms. */
const MAX_TIMER_S = Math.floor(MAX_TIMER_MS / 1000);

/**
 * Every setting, its env variable, its default and its meaning, in one schema.
 * The README's table and `loadConfig`'s error messages are derived from the
 * same `env`/`default`/`description` annotations, so they cannot drift apart.
 */
const LogLevel = Type.Union(
  ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
);

export const ConfigSchema = Type.Object({
  host: Type.String({ env: 'HOST', default: '0.0.0.0', minLength: 1, description: 'Interface to listen on' }),
  port: Type.Integer({ env: 'PORT', default: 8080, minimum: 0, maximum: 65535, description: 'TCP port' }),
  logLevel: Type.Unsafe<'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'>({
    ...LogLevel,
    env: 'LOG_LEVEL',
    default: 'info',
    description: 'pino log level',
  }),
  logFormat: Type.Union([Type.Literal('auto'), Type.Literal('json'), Type.Literal('pretty')], {
    env: 'LOG_FORMAT',
    default: 'auto',
    description: '`auto`: pretty when stdout is a terminal, JSON lines otherwise',
  }),
  profile: Type.Union([Type.Literal('lenient'), Type.Literal('strict')], {
    env: 'PROFILE',
    default: 'lenient',
    description: '`lenient` accepts what the real Router most plausibly accepts; `strict` rejects what its docs tell clients not to do',
  }),
  urlResponses: Type.Union([Type.Literal('reject'), Type.Literal('serve')], {
    env: 'URL_RESPONSES',
    default: 'reject',
    description: '`reject`: a missing or `url` response_format is a 400 (only b64_json is delivered, as on the real Router); `serve`: host the PNG on this server and return its URL',
  }),
  clock: Type.Union([Type.Literal('system'), Type.Literal('manual')], {
    env: 'CLOCK',
    default: 'system',
    description: '`manual`: time stands still until `POST /_emulator/clock` advances it (jobs, retention, timestamps)',
  }),
  jobPendingMs: Type.Integer({
    env: 'JOB_PENDING_MS',
    default: 1000,
    minimum: 0,
    maximum: MAX_TIMER_MS,
    description: 'How long an async job stays `pending` before the provider starts it',
  }),
  jobTimeScale: Type.Number({
    env: 'JOB_TIME_SCALE',
    default: 1,
    minimum: 0,
    maximum: 1000,
    description: 'Multiplies every job duration (pending, and processing = provider latencyMs + model imageMs x n); 0 makes jobs finish at once',
  }),
  jobTtlS: Type.Integer({
    env: 'JOB_TTL_S',
    default: 3600,
    minimum: 1,
    maximum: 31_536_000,
    description: 'How long a finished job stays pollable; then 404 `async_job_not_found`',
  }),
  jobSweepIntervalS: Type.Integer({
    env: 'JOB_SWEEP_INTERVAL_S',
    default: 30,
    minimum: 1,
    maximum: MAX_TIMER_S,
    description: 'How often expired jobs are removed from memory',
  }),
  maxLiveJobs: Type.Integer({
    env: 'MAX_LIVE_JOBS',
    default: 10000,
    minimum: 1,
    maximum: 10_000_000,
    description: 'Pending + processing jobs allowed at once; past it submits get 502 `provider_error` (queue full) with Retry-After',
  }),
  retryAfterS: Type.Integer({
    env: 'RETRY_AFTER_S',
    default: 5,
    minimum: 0,
    maximum: 86_400,
    description: 'Retry-After seconds on async submits and non-terminal polls (the provider sends 5)',
  }),
  inProgressStatus: Type.Union([Type.Literal('processing'), Type.Literal('running'), Type.Literal('mixed')], {
    env: 'IN_PROGRESS_STATUS',
    default: 'processing',
    description: 'Word for a started job: the provider\'s `processing`, the docs\' `running`, or `mixed` (either, varying per poll)',
  }),
  uploadLimitBytes: Type.Integer({
    env: 'UPLOAD_LIMIT_BYTES',
    default: 16777216,
    minimum: 1024,
    maximum: 1_073_741_824,
    description: 'Largest `image`/`mask` file accepted by the edits routes; larger uploads get 413',
  }),
  apiKeys: Type.String({
    env: 'API_KEYS',
    default: '',
    description: 'Comma-separated `sk-` keys to accept. Empty: any `sk-` key is accepted',
  }),
  revokedApiKeys: Type.String({
    env: 'REVOKED_API_KEYS',
    default: '',
    description: 'Comma-separated keys that answer 401 `api_key_revoked`',
  }),
  usdApiKeys: Type.String({
    env: 'USD_API_KEYS',
    default: '',
    description: 'Comma-separated keys whose accounts settle in USD: balances and traces in micro-USD with `currency:"usd"`',
  }),
  maxAccounts: Type.Integer({
    env: 'MAX_ACCOUNTS',
    default: 1000,
    minimum: 0,
    maximum: 1000000,
    description: 'Accounts with a management key that POST /_emulator/managed-accounts may create (declared ones do not count against it)',
  }),
  maxApiKeysPerAccount: Type.Integer({
    env: 'MAX_API_KEYS_PER_ACCOUNT',
    default: 100,
    minimum: 1,
    maximum: 100000,
    description: 'API keys one managed account may hold, revoked ones included; past it POST /v1/api-keys gets 400',
  }),
  defaultBalance0g: Type.String({
    env: 'DEFAULT_BALANCE_0G',
    default: '1000',
    pattern: '^[0-9]{1,12}(\\.[0-9]{1,18})?$',
    description: 'Starting balance of a new 0G account, in 0G (1000 0G pays for over 200,000 default images)',
  }),
  defaultBalanceUsd: Type.String({
    env: 'DEFAULT_BALANCE_USD',
    default: '1000',
    pattern: '^[0-9]{1,12}(\\.[0-9]{1,6})?$',
    description: 'Starting balance of a new USD account, in USD',
  }),
  rateLimitRpm: Type.Integer({
    env: 'RATE_LIMIT_RPM',
    default: 1000,
    minimum: 0,
    maximum: 1_000_000_000,
    description: 'Inference requests (submits and polls included) per account (each plain key is one) per clock minute; past it 429 `rate_limit_exceeded`. 0 disables the limit and its headers',
  }),
  poolFile: Type.String({
    env: 'EMULATOR_CONFIG',
    default: '',
    description: 'Path to a JSON or YAML file: `settings` (any variable here, by its camelCase name), `models` and `providers` (replacing the default pool). Environment variables win over `settings`',
  }),
  usdPer0g: Type.Number({
    env: 'USD_PER_0G',
    default: 1,
    exclusiveMinimum: 0,
    maximum: 1e12,
    description: 'Exchange rate used for `pricing_usd` in the catalog',
  }),
  renderCacheMb: Type.Number({
    env: 'RENDER_CACHE_MB',
    default: 64,
    minimum: 0,
    maximum: 65_536,
    description: 'Byte budget of the rendered-PNG cache (0 disables it)',
  }),
  renderConcurrency: Type.Integer({
    env: 'RENDER_CONCURRENCY',
    default: 0,
    minimum: 0,
    maximum: 256,
    description: 'Renders in flight at once; 0 means two per CPU core (one can be laid out by libvips while another is drawn on the render thread)',
  }),
  renderQueueMax: Type.Integer({
    env: 'RENDER_QUEUE_MAX',
    default: 256,
    minimum: 0,
    maximum: 1_000_000,
    description: 'Renders allowed to wait for a slot; past it requests get 503 `no_available_provider` with Retry-After',
  }),
  jsonBodyLimitBytes: Type.Integer({
    env: 'JSON_BODY_LIMIT_BYTES',
    default: 1048576,
    minimum: 1024,
    maximum: 1_073_741_824,
    description: 'Largest JSON body accepted; larger bodies get 413',
  }),
  maxEventLoopDelayMs: Type.Integer({
    env: 'MAX_EVENT_LOOP_DELAY_MS',
    default: 1000,
    minimum: 0,
    maximum: MAX_TIMER_MS,
    description: 'Past this event-loop delay, inference requests get 503 `no_available_provider` with Retry-After (0 disables)',
  }),
  maxHeapUsedMb: Type.Integer({
    env: 'MAX_HEAP_USED_MB',
    default: 0,
    minimum: 0,
    maximum: 1_048_576,
    description: 'Past this V8 heap use, inference requests get 503 with Retry-After (0 disables)',
  }),
  maxRssMb: Type.Integer({
    env: 'MAX_RSS_MB',
    default: 0,
    minimum: 0,
    maximum: 1_048_576,
    description: 'Past this resident memory, inference requests get 503 with Retry-After (0 disables)',
  }),
  journalMax: Type.Integer({
    env: 'JOURNAL_MAX',
    default: 2000,
    minimum: 0,
    maximum: 1000000,
    description: 'Requests kept by GET /_emulator/requests (a ring buffer that reports what it dropped)',
  }),
  redisUrl: Type.String({
    env: 'REDIS_URL',
    default: '',
    pattern: '^(rediss?://.*)?$',
    description: 'Keep all state in Redis (`redis://[user:pass@]host:port/db`, `rediss://` for TLS) so it survives restarts and several replicas act as one emulator; empty: in memory',
  }),
  redisPrefix: Type.String({
    env: 'REDIS_PREFIX',
    default: '0g-emulator:',
    maxLength: 200,
    description: 'Prefix of every Redis key, so several emulators can share one Redis',
  }),
  redisCommandTimeoutMs: Type.Integer({
    env: 'REDIS_COMMAND_TIMEOUT_MS',
    default: 2000,
    minimum: 10,
    maximum: 60000,
    description: 'A Redis command slower than this fails: the request gets 503 with Retry-After and /readyz reports it',
  }),
  adminToken: Type.String({
    env: 'EMULATOR_ADMIN_TOKEN',
    default: '',
    description: 'When set, every /_emulator/* request needs `Authorization: Bearer <token>` (or `X-Emulator-Admin-Token`)',
  }),
  headersTimeoutMs: Type.Integer({
    env: 'HEADERS_TIMEOUT_MS',
    default: 10000,
    minimum: 100,
    maximum: MAX_TIMER_MS,
    description: 'A client must send its request headers within this time (slow-loris guard); then the connection is closed',
  }),
  requestTimeoutMs: Type.Integer({
    env: 'REQUEST_TIMEOUT_MS',
    default: 30000,
    minimum: 100,
    maximum: MAX_TIMER_MS,
    description: 'A client must send its whole request (headers and body) within this time; then 408 and close',
  }),
  keepAliveTimeoutMs: Type.Integer({
    env: 'KEEP_ALIVE_TIMEOUT_MS',
    default: 72000,
    minimum: 0,
    maximum: MAX_TIMER_MS,
    description: 'Idle keep-alive connections are closed after this time (longer than common load-balancer idle timeouts)',
  }),
  shutdownGraceMs: Type.Integer({
    env: 'SHUTDOWN_GRACE_MS',
    default: 10000,
    minimum: 0,
    maximum: MAX_TIMER_MS,
    description: 'How long in-flight requests may finish after SIGTERM/SIGINT before the process exits',
  }),
});

export type Config = Static<typeof ConfigSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Annotated = TSchema & { env: string; default: unknown; description: string; type?: string; anyOf?: { const: unknown }[] };

export function configEntries(): [keyof Config, Annotated][] {
  return Object.entries(ConfigSchema.properties) as unknown as [keyof Config, Annotated][];
}

function describeExpected(schema: Annotated): string {
  if (schema.anyOf) return `one of ${schema.anyOf.map((s) => s.const).join(', ')}`;
  const s = schema as unknown as Record<string, unknown>;
  if (s.pattern) return 'a decimal number';
  const bounds = [
    s.minimum !== undefined ? `>= ${s.minimum}` : '',
    s.exclusiveMinimum !== undefined ? `> ${s.exclusiveMinimum}` : '',
    s.maximum !== undefined ? `<= ${s.maximum}` : '',
  ].filter(Boolean);
  return `${s.type === 'integer' ? 'an integer' : `a ${String(s.type)}`}${bounds.length ? ' ' + bounds.join(' and ') : ''}`;
}

/**
 * Reads every variable, coerces it by its schema, and names the variable when
 * a value is wrong. `fileSettings` (from EMULATOR_CONFIG) sit between the
 * defaults and the environment, and are checked by the same schemas.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, fileSettings: Record<string, unknown> = {}, source = 'settings'): Config {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  const known = new Set(configEntries().map(([key]) => key as string));
  for (const key of Object.keys(fileSettings)) {
    if (!known.has(key)) problems.push(`${source}/${key} is not a setting (use camelCase names such as logLevel)`);
  }
  for (const [key, schema] of configEntries()) {
    const raw = env[schema.env]?.trim();
    if (raw === undefined || raw === '') {
      const fromFile = fileSettings[key];
      if (fromFile === undefined) out[key] = schema.default;
      else if (Value.Check(schema, fromFile)) out[key] = fromFile;
      else problems.push(`${source}/${key}=${JSON.stringify(fromFile)} is invalid: expected ${describeExpected(schema)}`);
      continue;
    }
    // Value.Convert reads "0x4b68" and "1e3" as numbers; a setting is written in plain decimal.
    const numeric = schema.type === 'integer' ? /^[0-9]+$/ : schema.type === 'number' ? /^[0-9]+(\.[0-9]+)?$/ : undefined;
    const value = numeric && !numeric.test(raw) ? raw : Value.Convert(schema, raw);
    if (Value.Check(schema, value)) out[key] = value;
    else problems.push(`${schema.env}=${JSON.stringify(raw)} is invalid: expected ${describeExpected(schema)}`);
  }
  if (!problems.length) problems.push(...crossFieldProblems(out as Config));
  if (problems.length) throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  return out as Config;
}

/** Settings valid one by one that Node would still refuse together at start. */
function crossFieldProblems(config: Config): string[] {
  if (config.headersTimeoutMs > config.requestTimeoutMs) {
    return [`HEADERS_TIMEOUT_MS (${config.headersTimeoutMs}) must not exceed REQUEST_TIMEOUT_MS (${config.requestTimeoutMs}): the headers are part of the request`];
  }
  return [];
}

export function defaultConfig(overrides: Partial<Config> = {}): Config {
  return { ...loadConfig({}), ...overrides };
}

export function effectiveRenderConcurrency(config: Config): number {
  return config.renderConcurrency > 0 ? config.renderConcurrency : 2 * availableParallelism();
}

export function splitList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}
