import { parseArgs } from 'node:util';
import { ConfigError, configEntries } from './config.js';

/** Flags for the settings people change on the command line; each sets its environment variable. */
const FLAGS = {
  port: { env: 'PORT', hint: '<n>' },
  host: { env: 'HOST', hint: '<addr>' },
  config: { env: 'EMULATOR_CONFIG', hint: '<file>' },
  clock: { env: 'CLOCK', hint: 'manual|system' },
  'log-level': { env: 'LOG_LEVEL', hint: '<level>' },
  'log-format': { env: 'LOG_FORMAT', hint: 'auto|json|pretty' },
  profile: { env: 'PROFILE', hint: 'lenient|strict' },
} as const;

export interface CliOptions {
  /** Environment variables set by flags; they win over the process environment. */
  env: Record<string, string>;
  help: boolean;
  checkConfig: boolean;
}

export function parseCli(argv: string[]): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        ...Object.fromEntries(Object.keys(FLAGS).map((name) => [name, { type: 'string' as const }])),
        help: { type: 'boolean', short: 'h' },
        'check-config': { type: 'boolean' },
      },
    });
  } catch (err) {
    throw new ConfigError(`${(err as Error).message}\nSee --help.`);
  }
  const env: Record<string, string> = {};
  for (const [name, flag] of Object.entries(FLAGS)) {
    const value = (parsed.values as Record<string, unknown>)[name];
    if (typeof value === 'string') env[flag.env] = value;
  }
  return { env, help: parsed.values.help === true, checkConfig: parsed.values['check-config'] === true };
}

export function helpText(): string {
  const flagLines = Object.entries(FLAGS).map(([name, flag]) => `  --${`${name} ${flag.hint}`.padEnd(30)} sets ${flag.env}`);
  const envLines = configEntries().map(([, s]) => `  ${s.env.padEnd(26)} ${JSON.stringify(s.default).padEnd(12)} ${s.description.replace(/`/g, '')}`);
  return [
    'Usage: 0g-router-emulator [options]',
    '',
    'Runs the 0G Compute Router image-API emulator. Flags win over environment variables.',
    '',
    'Options:',
    ...flagLines,
    `  ${'--check-config'.padEnd(30)} validate the configuration and exit`,
    `  ${'-h, --help'.padEnd(30)} show this help`,
    '',
    'Environment variables (default, meaning):',
    ...envLines,
    '',
    'Once started: the API at /v1, the live console at /_emulator/ui, the OpenAPI document at /openapi.yaml.',
  ].join('\n');
}
