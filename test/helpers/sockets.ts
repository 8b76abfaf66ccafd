import { connect } from 'node:net';
import type { Test } from 'tap';
import { defaultConfig, type Config } from '../../src/config.js';
import { startServer } from '../../src/server.js';
import type { AppDeps } from '../../src/services.js';

/** A listening server on a free loopback port, shut down when the test ends. */
export async function serve(t: Test, config: Partial<Config> = {}, deps: AppDeps = {}) {
  const server = await startServer(defaultConfig({ logLevel: 'silent', maxEventLoopDelayMs: 0, host: '127.0.0.1', port: 0, ...config }), deps);
  t.teardown(() => server.shutdown('test'));
  return server;
}

/**
 * Sends raw bytes and collects whatever comes back until the server closes
 * the socket (or `endAfterMs` passes: then the client half-closes its side).
 */
export function raw(url: string, chunks: { data: string; afterMs?: number }[], endAfterMs?: number): Promise<{ text: string; closedAfterMs: number }> {
  const { port } = new URL(url);
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = connect(Number(port), '127.0.0.1');
    let text = '';
    socket.on('data', (d) => (text += d));
    socket.on('close', () => resolve({ text, closedAfterMs: Date.now() - started }));
    socket.on('error', () => undefined);
    let delay = 0;
    for (const chunk of chunks) {
      delay += chunk.afterMs ?? 0;
      setTimeout(() => socket.writable && socket.write(chunk.data), delay);
    }
    if (endAfterMs !== undefined) setTimeout(() => socket.end(), delay + endAfterMs);
  });
}

/** The JSON body of a raw HTTP/1.1 answer. */
export function bodyOf(text: string): { error: { code: string; message: string; type: string }; request_id?: string } {
  return JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4));
}
