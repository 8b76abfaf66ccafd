import { FONT_FILE } from './fontconfig.js';
import { loadSharp } from './sharp.js';
import { canvases } from './canvas-pool.js';
import { drawLabel, tiledBackground, type Composition } from './canvas-draw.js';
import { encodeRgbPng } from './png-encode.js';
import { renderThread } from './render-thread.js';
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
  const composition: Composition = {
    key: renderKey(p),
    width,
    height,
    label: { alpha: label.data, width: label.info.width, height: label.info.height },
    pad: Math.max(2, Math.round(Math.min(width, height) * 0.03)),
    // An edit shows the source scaled into the canvas, with the label below it.
    gravity: p.source ? 'south' : 'centre',
  };
  if (!p.source) return renderThread.render(composition);
  // Edits are rare: the source goes on with libvips' composite, the label after it.
  const fitted = await sharp(p.source.png)
    .resize(Math.max(1, Math.floor(width * 0.9)), Math.max(1, Math.floor(height * 0.62)), { fit: 'inside' })
    .png()
    .toBuffer();
  const background = tiledBackground(canvases.take(width * height * 3), composition.key, width, height);
  let canvas: Buffer;
  try {
    canvas = await sharp(background, { raw: { width, height, channels: 3 } }).composite([{ input: fitted, gravity: 'north' }]).removeAlpha().raw().toBuffer();
  } finally {
    // Settled either way: libvips has let go of it.
    canvases.give(background);
  }
  drawLabel(canvas, composition);
  return encodeRgbPng(canvas, width, height);
}
