import type SharpModule from 'sharp';
// fontconfig must be pointed at its empty configuration before libvips loads.
import './fontconfig.js';

export type Sharp = typeof SharpModule;

let loading: Promise<Sharp> | undefined;

/**
 * sharp and libvips take ~40 ms to load: they load with the first render (the
 * warm-up after listen), not before the port opens (startup budget, DESIGN §6).
 */
export function loadSharp(): Promise<Sharp> {
  loading ??= import('sharp').then(({ default: sharp }) => {
    // Renders are cached by the Renderer, keyed by what decides the pixels; libvips'
    // own operation cache would only hold a second copy of intermediate images.
    sharp.cache(false);
    return sharp;
  });
  return loading;
}
