import sharp from 'sharp';
import type { Test } from 'tap';
import { buildApp, type App } from '../../src/app.js';
import { defaultConfig, type Config } from '../../src/config.js';
import { ManualClock } from '../../src/lib/clock.js';
import { readTextChunks } from '../../src/render/png-text.js';
import type { AppDeps } from '../../src/services.js';
import { withSpecCheck } from './spec-check.js';

export const KEY = 'sk-test-key';
export const AUTH = { authorization: `Bearer ${KEY}` };
export const AURORA = '0xa11ce0000000000000000000000000000000a001';
export const BOREALIS = '0xb0b0000000000000000000000000000000000b02';
export const CIRRUS = '0xc1c1000000000000000000000000000000000c03';
export const DELTA = '0xd0d0000000000000000000000000000000000d04';

/**
 * An app on a manual clock, closed when the test ends. Event-loop backpressure
 * is off unless a test turns it on: a loaded CI machine must not turn a
 * contract assertion into a 503.
 */
export async function makeApp(t: Test, config: Partial<Config> = {}, deps: AppDeps = {}): Promise<App & { clock: ManualClock }> {
  const clock = new ManualClock(Date.UTC(2026, 10, 24, 12));
  const app = await buildApp(defaultConfig({ logLevel: 'silent', maxEventLoopDelayMs: 0, ...config }), { clock, ...deps });
  t.teardown(() => app.close());
  withSpecCheck(app, (message) => t.fail(message));
  return Object.assign(app, { clock });
}

export function generationBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { model: 'z-image', prompt: 'a lighthouse at dusk', size: '256x256', response_format: 'b64_json', ...overrides };
}

export function generate(app: App, body: unknown, headers: Record<string, string> = AUTH) {
  return app.inject({ method: 'POST', url: '/v1/images/generations', headers, payload: body as object });
}

export interface DecodedPng {
  width: number;
  height: number;
  text: Record<string, string>;
  pixels: Buffer;
}

export async function decodePng(b64: string): Promise<DecodedPng> {
  const png = Buffer.from(b64, 'base64');
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, text: readTextChunks(png), pixels: data };
}

/**
 * Waits until `check` holds: work a manual clock starts (a job settled at its
 * completion time) finishes asynchronously, in the store, a few ticks later.
 */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 5000): Promise<void> {
  const startedMs = Date.now();
  while (!(await check())) {
    if (Date.now() - startedMs > timeoutMs) throw new Error(`not true within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
