import type SharpModule from 'sharp';
// fontconfig must be pointed at its empty configuration before libvips loads.
import './fontconfig.js';

export type Sharp = typeof SharpModule;

let loading: Promise<Sharp> | undefined;

/**
 * sharp and libvips take ~40 ms to load: only when the server gets ready (or
 * at the first render), not whenever a module imports the renderer (the CLI's
 * --check-config and tooling never load them).
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
