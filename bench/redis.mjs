// The bench's own redis-server (Debian's redis-server package) on a free port, with
// persistence off so no disk write is ever in a measured round, and the few commands
// the bench sends it, through redis-cli (Debian's redis-tools, which redis-server
// depends on): never from a measured round, only between them.
import { spawn, spawnSync } from 'node:child_process';
import { freePort } from './proc.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function startRedis() {
  const port = await freePort();
  const child = spawn(
    process.env.REDIS_SERVER_PATH ?? 'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no', '--loglevel', 'warning'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let exit;
  child.once('error', (err) => (exit = `could not run redis-server (${err.message}); install Debian's redis-server package`));
  child.once('exit', (code) => (exit ??= `redis-server exited with ${code}`));
  let stderr = '';
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-2000)));
  process.once('exit', () => child.kill('SIGKILL'));

  const cli = (...args) => {
    const out = spawnSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8' });
    if (out.error) throw new Error(`redis-cli: ${out.error.message}`);
    if (out.status !== 0 || out.stdout.startsWith('ERR')) throw new Error(`redis-cli ${args.join(' ')}: ${out.stdout}${out.stderr}`);
    return out.stdout.trim();
  };
  for (const started = Date.now(); ; await sleep(50)) {
    if (exit) throw new Error(`${exit}\n${stderr}`);
    if (spawnSync('redis-cli', ['-p', String(port), 'PING'], { encoding: 'utf8' }).stdout?.startsWith('PONG')) break;
    if (Date.now() - started > 10_000) throw new Error(`redis-server did not answer PING within 10 s\n${stderr}`);
  }
  return {
    url: `redis://127.0.0.1:${port}/0`,
    pid: child.pid,
    version: cli('INFO', 'server').match(/redis_version:(\S+)/)?.[1] ?? '?',
    /** How many keys start with `prefix` (SCAN, so Redis is never blocked). */
    keysUnder: (prefix) => cli('--scan', '--pattern', `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`).split('\n').filter(Boolean).length,
    usedMemoryMb: () => Number(cli('INFO', 'memory').match(/used_memory:(\d+)/)?.[1] ?? NaN) / 1e6,
    flush: () => cli('FLUSHALL'),
    stop: () => new Promise((resolve) => (exit ? resolve() : child.once('exit', resolve).kill('SIGTERM'))),
  };
}
