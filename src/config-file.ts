import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { ConfigError, loadConfig, type Config } from './config.js';
import Value from 'typebox/value';
import { validatePool } from './providers/pool.js';
import type { PoolSpec } from './providers/types.js';
import { AccountSpecList, type AccountSpec } from './schemas/accounts.js';

// The YAML parser loads only when a YAML file is given: not on every start.
const require = createRequire(import.meta.url);
const parseYaml = (text: string): unknown => (require('yaml') as typeof import('yaml')).parse(text);

export interface ConfigFile {
  settings: Record<string, unknown>;
  pool?: PoolSpec;
  /** Accounts that own keys, each with a management key (README, "Accounts and API keys"). */
  accounts?: AccountSpec[];
}

function validateAccounts(value: unknown, source: string): AccountSpec[] {
  if (!Value.Check(AccountSpecList, value)) {
    const problems = Value.Errors(AccountSpecList, value)
      .slice(0, 10)
      .map((e) => `/accounts${e.instancePath}: ${e.message}`);
    throw new ConfigError(`Invalid accounts in ${source}:\n  ${problems.join('\n  ')}`);
  }
  return value;
}

/** Reads EMULATOR_CONFIG (JSON or YAML): `settings`, and optionally `models` + `providers`. */
const MAX_FILE_BYTES = 16 * 1024 * 1024;

export function readConfigFile(path: string): ConfigFile {
  let text: string;
  try {
    // A FIFO or a device would block start forever (or never end): only regular files are read.
    const stat = statSync(path);
    if (!stat.isFile()) throw new ConfigError(`EMULATOR_CONFIG=${path}: not a regular file`);
    if (stat.size > MAX_FILE_BYTES) throw new ConfigError(`EMULATOR_CONFIG=${path}: larger than 16 MiB`);
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`EMULATOR_CONFIG=${path}: cannot read the file (${(err as Error).message})`);
  }
  const yaml = /\.ya?ml$/i.test(path);
  let value: unknown;
  try {
    value = yaml ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`EMULATOR_CONFIG=${path}: not valid ${yaml ? 'YAML' : 'JSON'} (${(err as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(`EMULATOR_CONFIG=${path}: the top level must be an object with settings, models and providers`);
  }
  const { settings = {}, accounts, ...rest } = value as Record<string, unknown>;
  if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) {
    throw new ConfigError(`EMULATOR_CONFIG=${path}: /settings must be an object`);
  }
  const file: ConfigFile = { settings: settings as Record<string, unknown> };
  if (Object.keys(rest).length) file.pool = validatePool(rest, `EMULATOR_CONFIG=${path}`);
  if (accounts !== undefined) file.accounts = validateAccounts(accounts, `EMULATOR_CONFIG=${path}`);
  return file;
}

/** The whole configuration: defaults, then the file's settings, then the environment. */
export function loadSettings(env: NodeJS.ProcessEnv = process.env): { config: Config; pool?: PoolSpec; accounts?: AccountSpec[] } {
  const path = env.EMULATOR_CONFIG?.trim();
  if (!path) return { config: loadConfig(env) };
  const file = readConfigFile(path);
  const config = loadConfig(env, file.settings, `EMULATOR_CONFIG=${path}: /settings`);
  return { config, ...(file.pool ? { pool: file.pool } : {}), ...(file.accounts ? { accounts: file.accounts } : {}) };
}
