// Bundles the compiled server (dist/server.js) into dist/bundle/server.js for
// `npm start` and the image: one file instead of hundreds of modules resolved
// and read one by one (typebox 1.x alone is ~700). Measured to first /healthz:
// typebox inlined 402 ms, every pure-JS dependency inlined 339 ms, minified 315 ms.
// Same depth as dist/render/, so the asset paths built from import.meta.url hold.
//
// Then the console (ui/, preact) into dist/ui/console.js and console.css: the
// page the server serves at /_emulator/ui, with no CDN at run time.
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
// Kept external: native sharp, pino (its transports run files in worker threads), the font files.
const keepExternal = new Set(['sharp', 'pino', 'pino-pretty', 'dejavu-fonts-ttf']);
const external = Object.keys(pkg.dependencies)
  .filter((name) => keepExternal.has(name))
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
    // Inlined CommonJS packages require Node's built-ins: give the ES module a require.
    banner: { js: "import { createRequire as __emulatorRequire } from 'node:module'; const require = __emulatorRequire(import.meta.url);" },
    // Less source for V8 to parse at every start (Node 20 has no compile cache); names stay for stack traces.
    minifyWhitespace: true,
    minifySyntax: true,
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
