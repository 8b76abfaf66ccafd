import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import t from 'tap';
import { helpText, parseCli } from '../src/cli.js';
import { ConfigError, configEntries } from '../src/config.js';

const SERVER = new URL('../dist/bundle/server.js', import.meta.url).pathname;

t.test('flags set the environment variables they mirror', async (t) => {
  t.same(parseCli(['--port', '9000', '--host', '127.0.0.1', '--config', 'pool.yaml', '--clock', 'manual']).env, {
    PORT: '9000',
    HOST: '127.0.0.1',
    EMULATOR_CONFIG: 'pool.yaml',
    CLOCK: 'manual',
  });
  t.same(parseCli(['--port=9001', '--log-level', 'debug']).env, { PORT: '9001', LOG_LEVEL: 'debug' });
  t.match(parseCli(['-h']), { help: true, checkConfig: false, env: {} });
  t.match(parseCli(['--check-config']), { help: false, checkConfig: true });
  t.throws(() => parseCli(['--prot', '1']), ConfigError);
  t.throws(() => parseCli(['serve']), ConfigError, 'no positionals');
  t.throws(() => parseCli(['--port']), ConfigError, 'a value is required');
});

t.test('--help lists every flag and every environment variable with its default', async (t) => {
  const help = helpText();
  for (const flag of ['--port', '--host', '--config', '--clock', '--help']) t.match(help, flag);
  for (const [, schema] of configEntries()) t.match(help, schema.env);
  t.match(help, '/_emulator/ui');
});

const run = (args: string[], env: Record<string, string> = {}) => {
  const child = spawn(process.execPath, [SERVER, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  return { child, lines, exited, stderr: () => stderr };
};

t.test('the bin starts the server with --port, --host and --clock manual, and says where everything is in one line', async (t) => {
  const server = run(['--port', '0', '--host', '127.0.0.1', '--clock', 'manual'], { LOG_FORMAT: 'json', LOG_LEVEL: 'info' });
  t.teardown(() => void server.child.kill('SIGKILL'));
  const first = JSON.parse((await server.lines.next()).value as string) as { msg: string };
  const match = /^0G Router emulator listening: API (http:\/\/127\.0\.0\.1:\d+)\/v1 · console \1\/_emulator\/ui · OpenAPI \1\/openapi\.yaml$/.exec(first.msg);
  t.ok(match, first.msg);
  const base = match![1]!;
  t.equal((await fetch(`${base}/healthz`)).status, 200);
  t.match(await (await fetch(`${base}/_emulator/clock`)).json(), { mode: 'manual' });
  t.equal((await fetch(`${base}/_emulator/ui`)).status, 200);
  server.child.kill('SIGTERM');
  t.equal(await server.exited, 0);
});

t.test('--help exits 0; a bad flag or value exits 2 naming it', async (t) => {
  const help = run(['--help']);
  t.match((await help.lines.next()).value, 'Usage: 0g-router-emulator');
  t.equal(await help.exited, 0);
  const bad = run(['--colck', 'manual']);
  t.equal(await bad.exited, 2);
  t.match(bad.stderr(), "Unknown option '--colck'");
  const value = run(['--clock', 'sundial']);
  t.equal(await value.exited, 2);
  t.match(value.stderr(), 'CLOCK="sundial" is invalid');
});
