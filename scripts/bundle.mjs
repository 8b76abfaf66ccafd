// Bundles the compiled server (dist/server.js) into dist/bundle/server.js for
// `npm start` and the image. typebox 1.x is ~700 ES modules; loading them one
// by one was half of the emulator's start-up time. Only typebox is inlined:
// the other dependencies stay external (native sharp, pino's worker transports).
// Same depth as dist/render/, so the asset paths built from import.meta.url hold.
//
// Then the console (ui/, preact) into dist/ui/console.js and console.css: the
// page the server serves at /_emulator/ui, with no CDN at run time.
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const inline = new Set(['typebox']);
const external = Object.keys(pkg.dependencies)
  .filter((name) => !inline.has(name))
  .flatMap((name) => [name, `${name}/*`]);
const path = (relative) => new URL(relative, import.meta.url).pathname;

await Promise.all([
  build({
    entryPoints: [path('../dist/server.js')],
    outfile: path('../dist/bundle/server.js'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external,
    sourcemap: 'linked',
    logLevel: 'warning',
  }),
  build({
    entryPoints: [path('../ui/main.tsx')],
    outfile: path('../dist/ui/console.js'),
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: ['chrome110', 'firefox110', 'safari16'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: true,
    sourcemap: 'linked',
    logLevel: 'warning',
  }),
]);
