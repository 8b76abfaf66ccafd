import { createHash } from 'node:crypto';
import { canvases } from './canvas-pool.js';
import { drawLabelPanel, place, type RawLabel } from './label-panel.js';
import { encodeRgbPng } from './png-encode.js';

/**
 * The pixels of a placeholder, in plain integer JavaScript (no libvips), so
 * they can be drawn on the render thread as well as on the main one: the tiled
 * background, then the label panel. Only an edit's source image needs libvips.
 */

/** What is drawn: everything but the text's layout, which libvips did (its coverage, `label`). */
export interface Composition {
  /** The render key (renderKey): it seeds the background's colours. */
  key: string;
  width: number;
  height: number;
  label: RawLabel;
  /** Space around the text inside its panel. */
  pad: number;
  /** Where the panel goes: centred, or on the bottom edge under an edit's source. */
  gravity: 'centre' | 'south';
}

/** Corner colours in HSL with fixed saturation and lightness, so white text stays readable. */
function cornerColours(key: string): [number, number, number][] {
  const digest = createHash('sha256').update(key).digest();
  return [0, 1, 2, 3].map((corner) => {
    const hue = digest.readUInt16BE(corner * 2) % 360;
    const lightness = 0.32 + (digest[8 + corner]! / 255) * 0.16;
    return hslToRgb(hue, 0.55, lightness);
  });
}

const TILE_PX = 16;

/**
 * The background, as raw RGB: a bilinear blend of the corner colours on a grid
 * of 16 px tiles, each tile one flat colour (so the PNG encodes as long runs).
 * Drawn here rather than by scaling the grid up in libvips, which cost 4 ms of a
 * 1024x1024 render's ~10: a tile row is written once and then copied. Integer
 * arithmetic only, so the pixels are the same on every machine.
 */
export function tiledBackground(out: Buffer, key: string, width: number, height: number): Buffer {
  const [tl, tr, bl, br] = cornerColours(key) as unknown as [number[], number[], number[], number[]];
  const cols = Math.max(2, Math.ceil(width / TILE_PX));
  const rows = Math.max(2, Math.ceil(height / TILE_PX));
  // Where each tile column starts: the first x with floor(x * cols / width) >= c (the last entry is the width).
  const colStart = Int32Array.from({ length: cols + 1 }, (_, c) => Math.ceil((c * width) / cols));
  const rowBytes = width * 3;
  for (let y = 0; y < height; ) {
    const row = Math.floor((y * rows) / height);
    const fy = row / (rows - 1);
    let o = y * rowBytes;
    for (let c = 0; c < cols; c++) {
      const fx = c / (cols - 1);
      const r = blend(tl[0]!, tr[0]!, bl[0]!, br[0]!, fx, fy);
      const g = blend(tl[1]!, tr[1]!, bl[1]!, br[1]!, fx, fy);
      const b = blend(tl[2]!, tr[2]!, bl[2]!, br[2]!, fx, fy);
      for (let x = colStart[c]!; x < colStart[c + 1]!; x++) {
        out[o++] = r;
        out[o++] = g;
        out[o++] = b;
      }
    }
    // The tile row's other rows: copies of its first, in doubling blocks (one copy per power of two, not per row).
    let end = y + 1;
    while (end < height && Math.floor((end * rows) / height) === row) end++;
    for (let filled = 1; y + filled < end; filled *= 2) {
      const n = Math.min(filled, end - y - filled);
      out.copyWithin((y + filled) * rowBytes, y * rowBytes, (y + n) * rowBytes);
    }
    y = end;
  }
  return out;
}

/** A corner colour channel's bilinear blend at (fx, fy), rounded. */
const blend = (tl: number, tr: number, bl: number, br: number, fx: number, fy: number) => {
  const top = tl + (tr - tl) * fx;
  const bottom = bl + (br - bl) * fx;
  return Math.round(top + (bottom - top) * fy);
};

function hslToRgb(h: number, s: number, l: number): [number, number, number] {
  const c = (1 - Math.abs(2 * l - 1)) * s;
  const x = c * (1 - Math.abs(((h / 60) % 2) - 1));
  const m = l - c / 2;
  const [r, g, b] = h < 60 ? [c, x, 0] : h < 120 ? [x, c, 0] : h < 180 ? [0, c, x] : h < 240 ? [0, x, c] : h < 300 ? [x, 0, c] : [c, 0, x];
  return [r, g, b].map((v) => Math.round((v + m) * 255)) as [number, number, number];
}

/** The label's panel (darkened), then its text centred in it, onto `canvas` (background already drawn). */
export function drawLabel(canvas: Buffer, c: Composition): void {
  const { width, height, label, pad } = c;
  const size = { width: Math.min(width, label.width + 2 * pad), height: Math.min(height, label.height + 2 * pad) };
  const panel = { ...place(c.gravity, width, height, size.width, size.height), ...size };
  drawLabelPanel(canvas, width, panel, label, { left: panel.left + Math.floor((panel.width - label.width) / 2), top: panel.top + Math.floor((panel.height - label.height) / 2) });
}

/** A placeholder without a source image, drawn on a canvas of this thread's pool: its PNG. */
export function drawAndEncode(c: Composition): Buffer {
  const canvas = canvases.take(c.width * c.height * 3);
  try {
    tiledBackground(canvas, c.key, c.width, c.height);
    drawLabel(canvas, c);
    return encodeRgbPng(canvas, c.width, c.height);
  } finally {
    canvases.give(canvas);
  }
}
