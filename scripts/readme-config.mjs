// Rewrites the configuration table in README.md from the config schema
// (run after `npm run build`); test/config.test.ts fails when they disagree.
import { readFileSync, writeFileSync } from 'node:fs';
import { configEntries } from '../dist/config.js';

const range = (s) => {
  if (s.anyOf) return s.anyOf.map((o) => `\`${o.const}\``).join(', ');
  const low = s.minimum ?? (s.exclusiveMinimum !== undefined ? `>${s.exclusiveMinimum}` : undefined);
  return low !== undefined || s.maximum !== undefined ? `${low ?? ''}..${s.maximum ?? ''}` : '';
};
const rows = configEntries().map(([, s]) => `| \`${s.env}\` | \`${JSON.stringify(s.default)}\` | ${range(s)} | ${s.description} |`);
const table = ['| Variable | Default | Range | Meaning |', '|---|---|---|---|', ...rows].join('\n');
const readme = readFileSync('README.md', 'utf8');
const next = readme.replace(/<!-- config:start -->[\s\S]*<!-- config:end -->/, `<!-- config:start -->\n${table}\n<!-- config:end -->`);
if (next === readme && !readme.includes('<!-- config:start -->')) throw new Error('README.md has no config markers');
writeFileSync('README.md', next);
console.log(`README.md: ${rows.length} variables`);
