// Bundles the compiled server (dist/server.js) into dist/bundle/server.js for
// `npm start` and the image. typebox 1.x is ~700 ES modules; loading them one
// by one was half of the emulator's start-up time. Only typebox is inlined:
// the other dependencies stay external (native sharp, pino's worker transports).
// Same depth as dist/render/, so the asset paths built from import.meta.url hold.
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const inline = new Set(['typebox']);
const external = Object.keys(pkg.dependencies)
  .filter((name) => !inline.has(name))
  .flatMap((name) => [name, `${name}/*`]);

await build({
  entryPoints: [new URL('../dist/server.js', import.meta.url).pathname],
  outfile: new URL('../dist/bundle/server.js', import.meta.url).pathname,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external,
  sourcemap: 'linked',
  logLevel: 'warning',
});
