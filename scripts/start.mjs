// `npm start`: build only when dist/ is missing or older than what it is built
// from, so a built checkout starts at once and a fresh clone (`npm ci && npm
// start`) still builds; then run the server in this same process (one Node
// start-up, not two). A stat walk over src/ and ui/ takes a few ms.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = new URL('..', import.meta.url).pathname;
const outputs = ['dist/bundle/server.js', 'dist/ui/console.js', 'dist/ui/console.css', 'dist/index.js'];
const inputs = ['src', 'ui', 'scripts/bundle.mjs', 'package.json', 'package-lock.json', 'tsconfig.json'];

function newestMs(path) {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newestMs(join(path, name))));
}

function oldestOutputMs() {
  let oldest = Infinity;
  for (const file of outputs) {
    try {
      oldest = Math.min(oldest, statSync(join(root, file)).mtimeMs);
    } catch {
      return 0;
    }
  }
  return oldest;
}

const stale = oldestOutputMs() < Math.max(...inputs.map((p) => newestMs(join(root, p))));
if (stale) {
  console.error('dist/ is missing or older than the sources: building (npm run build)…');
  const result = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

// The server runs its main() when it is the script node was started with (as it
// is under `node dist/bundle/server.js`, the image and the bin): make it so.
const server = new URL('../dist/bundle/server.js', import.meta.url);
process.argv[1] = fileURLToPath(server);
await import(server.href);
