import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import t from 'tap';
import { parse } from 'yaml';
import { loadSettings } from '../src/config-file.js';
import { defaultConfig } from '../src/config.js';
import { startServer } from '../src/server.js';

t.test('examples/contract-test.mjs passes against the emulator (manual clock, so no sleeping)', async (t) => {
  const server = await startServer(defaultConfig({ logLevel: 'silent', maxEventLoopDelayMs: 0, host: '127.0.0.1', port: 0, clock: 'manual' }));
  t.teardown(() => server.shutdown('test'));
  const script = fileURLToPath(new URL('../examples/contract-test.mjs', import.meta.url));
  const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn(process.execPath, [script], { env: { ...process.env, EMULATOR_URL: server.url } });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d));
    child.stderr.on('data', (d: Buffer) => (output += d));
    child.on('exit', (c) => resolve({ code: c, output }));
  });
  t.equal(code, 0, output);
  t.match(output, /all checks passed/);
  t.equal(output.match(/^ok - /gm)?.length, 4);
});

t.test('the compose example is wired as documented', async (t) => {
  const compose = parse(readFileSync(new URL('../examples/docker-compose.yml', import.meta.url), 'utf8'));
  t.same(compose.services['contract-test'].depends_on, { emulator: { condition: 'service_healthy' } });
  t.equal(compose.services.emulator.environment.EMULATOR_CONFIG, '/config/emulator.yaml');
  const { config } = loadSettings({ EMULATOR_CONFIG: fileURLToPath(new URL('../examples/emulator.yaml', import.meta.url)) });
  t.match(config, { jobPendingMs: 500, retryAfterS: 2, rateLimitRpm: 600 });
});
