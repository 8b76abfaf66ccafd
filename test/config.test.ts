import { readFileSync } from 'node:fs';
import t from 'tap';
import { ConfigError, configEntries, loadConfig } from '../src/config.js';

t.test('defaults apply when the environment is empty or blank', async (t) => {
  const config = loadConfig({ PORT: '  ' });
  t.equal(config.host, '0.0.0.0');
  t.equal(config.port, 8080);
  t.equal(config.urlResponses, 'reject');
  t.equal(config.profile, 'lenient');
});

t.test('values are coerced by their schema', async (t) => {
  const config = loadConfig({ PORT: '9090', USD_PER_0G: '2.5', URL_RESPONSES: 'serve', LOG_LEVEL: 'debug' });
  t.equal(config.port, 9090);
  t.equal(config.usdPer0g, 2.5);
  t.equal(config.urlResponses, 'serve');
  t.equal(config.logLevel, 'debug');
});

t.test('a bad value stops startup with a message naming the variable', async (t) => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ PORT: 'eighty' }, /PORT="eighty" is invalid: expected an integer >= 0 and <= 65535/],
    [{ PORT: '70000' }, /PORT="70000"/],
    [{ PROFILE: 'loose' }, /PROFILE="loose" is invalid: expected one of lenient, strict/],
    [{ USD_PER_0G: '0' }, /USD_PER_0G="0" is invalid: expected a number > 0/],
    [{ LOG_LEVEL: 'chatty' }, /LOG_LEVEL="chatty" is invalid: expected one of fatal, error/],
  ];
  for (const [env, message] of cases) t.throws(() => loadConfig(env), message, JSON.stringify(env));
  t.throws(() => loadConfig({ PORT: 'x', RENDER_CACHE_MB: '-1' }), /PORT[\s\S]*RENDER_CACHE_MB/, 'every problem at once');
  t.throws(() => loadConfig({ PORT: 'x' }), ConfigError);
});

t.test('the README documents every variable with its default', async (t) => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  for (const [, schema] of configEntries()) {
    const row = readme.split('\n').find((line) => line.startsWith(`| \`${schema.env}\` |`));
    t.ok(row, `${schema.env} has a row`);
    t.match(row ?? '', `| \`${JSON.stringify(schema.default)}\` |`, `${schema.env} default`);
  }
});
