// Bundles the compiled server (dist/server.js) into dist/bundle/server.cjs, run by
// dist/bundle/server.js (scripts/bundle-loader.mjs) for `npm start`, the bin and
// the image: one file instead of hundreds of modules resolved and read one by one
// (typebox 1.x alone is ~700). Measured to first /healthz: typebox inlined
// 402 ms, every pure-JS dependency inlined 339 ms, minified 315 ms. CommonJS, so
// the loader can run it from V8's code cache, which this script then makes by
// starting the server once (the loader explains).
// Same depth as dist/render/, so the asset paths built from import.meta.url hold.
//
// Then the console (ui/, preact) into dist/ui/console.js and console.css: the
// page the server serves at /_emulator/ui, with no CDN at run time.
import { spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
// Kept external: native sharp, pino (its transports run files in worker threads), the font files,
// and node-redis (650 KB of JavaScript that only a REDIS_URL loads).
const keepExternal = new Set(['sharp', 'pino', 'pino-pretty', 'dejavu-fonts-ttf', '@redis/client']);
const external = Object.keys(pkg.dependencies)
  .filter((name) => keepExternal.has(name))
  .flatMap((name) => [name, `${name}/*`]);
const path = (relative) => new URL(relative, import.meta.url).pathname;
// The flags `npm start` gives Node (test/node-flags.test.ts keeps the bin and the image in step):
// V8 accepts a code cache only under the flags it was made with.
const startFlags = /^node((?: --\S+)*) scripts\/start\.mjs$/.exec(pkg.scripts.start)[1].trim().split(' ');

await Promise.all([
  build({
    entryPoints: [path('../dist/server.js')],
    outfile: path('../dist/bundle/server.cjs'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external,
    // import() of sharp and node-redis as require(): vm.Script has no loader for import().
    supported: { 'dynamic-import': false },
    // The modules' own URL is the loader's: asset paths resolve from dist/bundle/, and
    // server.ts runs its main() when the loader is what node was started with.
    define: { 'import.meta.url': '__emulatorModuleUrl' },
    banner: { js: "const __emulatorModuleUrl = require('node:url').pathToFileURL(require('node:path').join(__dirname, 'server.js')).href;" },
    // Less source to read, and to parse when the code cache is missing or refused; names stay for stack traces.
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

const loader = path('../dist/bundle/server.js');
writeFileSync(loader, `#!/usr/bin/env -S node ${startFlags.join(' ')}\n${readFileSync(path('./bundle-loader.mjs'), 'utf8')}`);
chmodSync(loader, 0o755);

// The code cache: the server started once, on a free port, until it has answered /healthz.
// Without one (a sandbox that cannot listen, say) the server still starts: V8 compiles the bundle as it comes.
const cache = path('../dist/bundle/server.cjs.cache');
rmSync(cache, { force: true });
const primed = spawnSync(process.execPath, [...startFlags, loader], {
  env: { PATH: process.env.PATH, EMULATOR_CODE_CACHE: 'write', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'silent' },
  encoding: 'utf8',
  timeout: 60_000,
});
if (primed.status !== 0) {
  rmSync(cache, { force: true });
  console.warn(`bundle: no code cache (the server did not start: ${primed.error?.message ?? primed.stderr.trim().slice(-500)})`);
}
