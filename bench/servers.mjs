// The servers a scenario is measured on: the emulator, the bare baseline, and the
// mocks a client team would pick instead ("peers"), each in its own process and fed
// the same captured response bytes. Peers are installed on demand into bench/.peers
// (git-ignored), never as project dependencies.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { freePort, serverNodeFlags, waitForStatus } from './proc.mjs';

const benchDir = new URL('.', import.meta.url).pathname;
export const peersDir = join(benchDir, '.peers');
const peerPackages = ['wiremock@3.13', '@copilotkit/aimock@1.43', '@stoplight/prism-cli@5.16', '@mockoon/cli@9.9', '@mockoon/commons@9.9'];

export function installPeers() {
  const installed = (spec) => existsSync(join(peersDir, 'node_modules', spec.replace(/@[^@/]+$/, ''), 'package.json'));
  if (peerPackages.every(installed)) return;
  mkdirSync(peersDir, { recursive: true });
  if (!existsSync(join(peersDir, 'package.json'))) writeFileSync(join(peersDir, 'package.json'), '{ "name": "bench-peers", "private": true }\n');
  console.error(`installing peers into ${peersDir}: ${peerPackages.join(' ')}`);
  const out = spawnSync('npm', ['install', '--prefix', peersDir, '--no-audit', '--no-fund', '--loglevel=error', ...peerPackages], { stdio: 'inherit' });
  if (out.status !== 0) throw new Error('npm install of the peers failed');
}

const origin = (port) => `http://127.0.0.1:${port}`;
const probeOf = (port, fixture, request) => ({
  url: `${origin(port)}${request.path}${request.search ?? ''}`,
  init: { method: request.method, headers: request.headers, body: request.body },
  status: fixture.status,
});

// Servers still running when the bench exits (a failed run included) are killed, so no JVM outlives it.
const running = new Set();
// Each server leads its own process group (`detached`), so a wrapper's children (a CLI
// that forks its server) are stopped with it.
const killGroup = (child, signal) => {
  try {
    process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
};
process.once('exit', () => running.forEach((child) => killGroup(child, 'SIGKILL')));
process.once('SIGINT', () => process.exit(130));
process.once('SIGTERM', () => process.exit(143));

/** Spawns a server process listening on `port` and waits until `probe` answers its status. */
async function launch(command, args, { env = process.env, port, probe, startTimeoutMs = 60_000, stopTimeoutMs = 10_000 }) {
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  running.add(child);
  let log = '';
  const keep = (d) => (log = (log + d).slice(-4000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let alive = true;
  child.once('exit', () => {
    alive = false;
    running.delete(child);
  });
  try {
    await waitForStatus(probe.url, probe.init, probe.status, startTimeoutMs, () => alive);
  } catch (err) {
    killGroup(child, 'SIGKILL');
    throw new Error(`${err.message}\n--- last output of ${command} ---\n${log}`);
  }
  // From now on the output (the emulator's request log at LOG_LEVEL=info, a peer's own
  // log) is read and dropped, as a log collector would read it, so the pipe never fills.
  for (const stream of [child.stdout, child.stderr]) stream.off('data', keep).resume();
  return {
    origin: origin(port),
    pid: child.pid,
    // A server that ignores SIGTERM (or a JVM slow to run its shutdown hooks) must not stall the bench.
    stop: () =>
      new Promise((resolve) => {
        if (!alive) return resolve();
        const deadline = setTimeout(() => killGroup(child, 'SIGKILL'), stopTimeoutMs);
        child.once('exit', () => (clearTimeout(deadline), resolve()));
        killGroup(child, 'SIGTERM');
      }),
  };
}

/** bare Fastify replaying the bytes as a Buffer. */
async function startBare(fixture, request, dir) {
  const port = await freePort();
  const fixturesFile = join(dir, 'bare.json');
  writeFileSync(fixturesFile, JSON.stringify([fixture]));
  return launch(process.execPath, [join(benchDir, 'serve-baseline.mjs')], { env: { ...process.env, PORT: String(port), FIXTURES: fixturesFile }, port, probe: probeOf(port, fixture, request) });
}

/** WireMock standalone (the jar bundled by the npm package) on the machine's JRE. */
async function startWireMock(fixture, request, dir) {
  const jarDir = join(peersDir, 'node_modules', 'wiremock', 'build');
  const jar = readdirSync(jarDir).find((f) => /^wiremock-standalone-.*\.jar$/.test(f));
  const root = join(dir, 'wiremock');
  mkdirSync(join(root, 'mappings'), { recursive: true });
  mkdirSync(join(root, '__files'), { recursive: true });
  copyFileSync(fixture.bodyFile, join(root, '__files', 'body'));
  writeFileSync(
    join(root, 'mappings', 'route.json'),
    JSON.stringify({
      request: { method: fixture.method, urlPath: fixture.path },
      response: { status: fixture.status, headers: { 'Content-Type': fixture.contentType }, bodyFileName: 'body' },
    }),
  );
  const port = await freePort();
  return launch('java', ['-jar', join(jarDir, jar), '--port', String(port), '--bind-address', '127.0.0.1', '--root-dir', root, '--disable-banner'], { port, probe: probeOf(port, fixture, request) });
}

/** aimock: its own image route for the sync scenarios, a mount replaying the bytes elsewhere. */
async function startAimock(fixture, request, dir) {
  const port = await freePort();
  const fixturesFile = join(dir, 'aimock.json');
  writeFileSync(fixturesFile, JSON.stringify(fixture));
  return launch(process.execPath, [join(benchDir, 'serve-aimock.mjs')], { env: { ...process.env, PORT: String(port), FIXTURE: fixturesFile, PEERS_DIR: peersDir }, port, probe: probeOf(port, fixture, request) });
}

/** Prism in mock mode from an OpenAPI document whose example is the captured body. */
async function startPrism(fixture, request, dir) {
  const doc = {
    openapi: '3.0.3',
    info: { title: '0G Router (captured)', version: '1' },
    paths: {
      [fixture.path]: {
        [fixture.method.toLowerCase()]: {
          // Without a declared request body Prism refuses any POST body with 415.
          ...(fixture.method === 'POST' ? { requestBody: { content: { 'application/json': { schema: { type: 'object' } } } } } : {}),
          responses: { [String(fixture.status)]: { description: 'captured', content: { [fixture.contentType]: { example: fixture.json } } } },
        },
      },
    },
  };
  const file = join(dir, 'openapi.json');
  writeFileSync(file, JSON.stringify(doc));
  const port = await freePort();
  return launch(join(peersDir, 'node_modules', '.bin', 'prism'), ['mock', '-h', '127.0.0.1', '-p', String(port), file], { port, probe: probeOf(port, fixture, request) });
}

/** Mockoon CLI with an environment file built by Mockoon's own schema builders. */
async function startMockoon(fixture, request, dir) {
  const require = createRequire(join(peersDir, 'node_modules', '@mockoon', 'commons', 'package.json'));
  const { BuildEnvironment, BuildHTTPRoute, BuildHeader } = require('@mockoon/commons');
  const port = await freePort();
  const env = BuildEnvironment({ hasDefaultRoute: false, hasContentTypeHeader: true, hasCorsHeaders: false, port });
  env.hostname = '127.0.0.1';
  const route = BuildHTTPRoute(true, { endpoint: fixture.path.slice(1), body: fixture.text });
  route.method = fixture.method.toLowerCase();
  Object.assign(route.responses[0], { statusCode: fixture.status, headers: [BuildHeader('Content-Type', fixture.contentType)], disableTemplating: true });
  env.routes = [route];
  env.rootChildren = [{ type: 'route', uuid: route.uuid }];
  const file = join(dir, 'mockoon.json');
  writeFileSync(file, JSON.stringify(env));
  return launch(join(peersDir, 'node_modules', '.bin', 'mockoon-cli'), ['start', '--data', file, '--port', String(port), '--disable-log-to-file', '--hostname', '127.0.0.1'], { port, probe: probeOf(port, fixture, request) });
}

export const peers = [
  {
    name: 'WireMock 3.13',
    start: startWireMock,
    // The JVM's JIT needs many thousands of requests before WireMock is at its best.
    jit: true,
    available: () => spawnSync('java', ['-version']).status === 0 || 'no java on PATH (WireMock needs a JRE)',
  },
  { name: 'aimock 1.43', start: startAimock },
  { name: 'Prism 5.16', start: startPrism },
  { name: 'Mockoon 9.9', start: startMockoon },
];
export const bare = { name: 'bare Fastify, same bytes as a Buffer', start: startBare };

/**
 * The emulator with the default LOG_LEVEL (info: one line per request) and the per-key rate limit off.
 * BENCH_ENV also gives the bench account a balance no run spends: the default 1000 0G pays for ~330k
 * images, which 5 rounds of async submits at 12k/s exceed, and 402s are cheaper answers than 202s.
 */
export const BENCH_ENV = { RATE_LIMIT_RPM: '0', MAX_EVENT_LOOP_DELAY_MS: '0', MAX_LIVE_JOBS: '10000000', DEFAULT_BALANCE_0G: '1000000000' };
export async function startEmulator(env, probePath = '/healthz', extraNodeArgs = []) {
  const port = await freePort();
  const childEnv = { ...BENCH_ENV, ...env, PORT: String(port) };
  const inherited = { ...process.env };
  delete inherited.LOG_LEVEL;
  return launch(process.execPath, [...serverNodeFlags, ...extraNodeArgs, join(benchDir, 'serve-emulator.mjs')], {
    env: { ...inherited, ...childEnv },
    port,
    probe: { url: `${origin(port)}${probePath}`, status: 200 },
  });
}
