// dist/bundle/server.js (scripts/bundle.mjs writes it here, with the shebang):
// what `npm start`, the image and the bin run. It runs the bundled server,
// server.cjs, with V8's code cache of it when the cache was made by this Node
// with these flags (V8 checks both and otherwise compiles as usual).
//
// Node 20 has no compile cache of its own, and parsing and compiling 2.5 MB of
// JavaScript, then compiling each function at its first call, was about a third
// of the start-up: the cache replaces that with one read (README, performance).
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const file = fileURLToPath(new URL('./server.cjs', import.meta.url));
const cacheFile = `${file}.cache`;
// `npm run build` starts the server once with this set, and it stops once it has answered /healthz.
const writing = process.env.EMULATOR_CODE_CACHE === 'write';

let cachedData;
if (!writing) {
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    // No cache (a build that could not make one): compiled as usual.
  }
}
// Node's own CommonJS wrapper, on the first line so stack traces keep their line numbers.
const source = readFileSync(file, 'utf8').replace(/^#!/, '//');
const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file, cachedData });
if (writing) process.once('exit', () => writeFileSync(cacheFile, script.createCachedData()));
const module = { exports: {} };
script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
