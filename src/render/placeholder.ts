import { createHash } from 'node:crypto';
import { FONT_FILE } from './fontconfig.js';
import { loadSharp } from './sharp.js';
import { CanvasPool } from './canvas-pool.js';
import { drawLabelPanel, place } from './label-panel.js';
import { pngThread } from './png-offload.js';
import { shortAddress } from '../lib/ids.js';

/**
 * Draws the placeholder image: a gradient seeded by (model, prompt, size,
 * index, provider) with a label saying what was asked for. The label is drawn
 * with a font file from npm, never a system font, so the bytes are the same on
 * every machine and in a slim container with no fonts installed.
 */

export interface RenderParams {
  model: string;
  prompt: string;
  width: number;
  height: number;
  /** 0-based position in the response's `data` array. */
  index: number;
  providerAddress: string;
  /** Edits: a bounded thumbnail of the uploaded image, drawn into the result. */
  source?: SourceImage;
}

export interface SourceImage {
  png: Buffer;
  /** sha256 of the thumbnail: the cache key must not hold the bytes. */
  hash: string;
  masked: boolean;
  /** Further images of a multi-image edit, named in the label. */
  references: number;
}

export function renderKey(p: RenderParams): string {
  return JSON.stringify([p.model, p.prompt, p.width, p.height, p.index, p.providerAddress, p.source?.hash, p.source?.masked]);
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
function tiledBackground(out: Buffer, key: string, width: number, height: number): Buffer {
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

// Scripts DejaVu Sans covers (Latin, Greek, Cyrillic, punctuation); anything
// else would be drawn as a box, so it is shown as '?'.
const DRAWABLE = /[^\x20-\x7e\xa0-\u024f\u0370-\u04ff\u2000-\u206f\u20ac\u2122]/g;

export function promptExcerpt(prompt: string, maxChars = 60): string {
  const flat = prompt.replace(/\s+/g, ' ').trim().replace(DRAWABLE, '?');
  return flat.length > maxChars ? `${flat.slice(0, maxChars - 1).trimEnd()}…` : flat;
}

const escapeMarkup = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function labelLines(p: RenderParams): string[] {
  const lines = [
    `${p.model} · ${p.width}x${p.height} · image ${p.index + 1}`,
    `provider ${shortAddress(p.providerAddress)}`,
    `“${promptExcerpt(p.prompt)}”`,
  ];
  if (p.source) {
    const { references, masked } = p.source;
    const what = references ? `the upload + ${references} reference${references > 1 ? 's' : ''}` : 'the uploaded image';
    lines.unshift(`edit of ${what}${masked ? ' (masked)' : ''}`);
  }
  return lines;
}

// Enough for the canvases of the renders in flight at the largest sizes (1792x1024 is 5.5 MB).
const canvases = new CanvasPool(32 * 1024 * 1024);

export async function renderPlaceholder(p: RenderParams): Promise<Buffer> {
  const sharp = await loadSharp();
  const { width, height } = p;
  const markup = `<span foreground="#ffffff">${labelLines(p).map(escapeMarkup).join('\n')}</span>`;
  // A fixed size from the canvas (one layout pass) rather than libvips' fit-to-box search (a dozen).
  const fontPx = Math.max(6, Math.floor(Math.min(width / 26, (height * (p.source ? 0.3 : 0.36)) / 3.6)));
  // Only the alpha band: the text is white, so its coverage is all the blend needs (a quarter of the bytes).
  let label = await sharp({
    text: {
      text: markup,
      fontfile: FONT_FILE,
      font: `DejaVu Sans ${fontPx}px`,
      width: Math.max(8, Math.floor(width * 0.86)),
      dpi: 72,
      align: 'centre',
      wrap: 'word-char',
      rgba: true,
    },
  })
    .extractChannel(3)
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (label.info.width > width || label.info.height > height) {
    // Pango can overshoot the box on tiny sizes.
    label = await sharp(label.data, { raw: label.info }).resize(width, height, { fit: 'inside' }).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
  }
  const text = { alpha: label.data, width: label.info.width, height: label.info.height };
  const pad = Math.max(2, Math.round(Math.min(width, height) * 0.03));
  const panelSize = { width: Math.min(width, text.width + 2 * pad), height: Math.min(height, text.height + 2 * pad) };
  // An edit shows the source scaled into the canvas, with the label below it.
  const gravity = p.source ? 'south' : 'centre';
  let canvas = tiledBackground(canvases.take(width * height * 3), renderKey(p), width, height);
  try {
    if (p.source) {
      const fitted = await sharp(p.source.png)
        .resize(Math.max(1, Math.floor(width * 0.9)), Math.max(1, Math.floor(height * 0.62)), { fit: 'inside' })
        .png()
        .toBuffer();
      // Edits are rare: the source goes on with libvips' composite, the label after it.
      const composited = await sharp(canvas, { raw: { width, height, channels: 3 } })
        .composite([{ input: fitted, gravity: 'north' }])
        .removeAlpha()
        .raw()
        .toBuffer();
      canvases.give(canvas);
      canvas = composited;
    }
    const panel = { ...place(gravity, width, height, panelSize.width, panelSize.height), ...panelSize };
    // The text centred in its panel (an edit's panel sits on the bottom edge).
    drawLabelPanel(canvas, width, panel, text, { left: panel.left + Math.floor((panel.width - text.width) / 2), top: panel.top + Math.floor((panel.height - text.height) / 2) });
    // Encoded before the canvas goes back to the pool (see png-encode.ts for why not libvips).
    return await pngThread.encode(canvas, width, height);
  } finally {
    // Settled either way: libvips has let go of it.
    canvases.give(canvas);
  }
}
