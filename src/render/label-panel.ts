/**
 * Draws the label onto a raw RGB canvas, in place: a translucent dark panel,
 * then the white text blended by its alpha. libvips' composite took ~2 ms of
 * thread time even on a strip of the canvas (a 1024x1024 render spent four
 * fifths of its time there); this loop touches only the panel's ~100k pixels
 * (~0.3 ms). Integer arithmetic, so the pixels are the same on every machine.
 */
export interface RawLabel {
  /** The white text's coverage, one byte per pixel (its alpha: the colour is always white); a Uint8Array on the render thread. */
  alpha: Uint8Array;
  width: number;
  height: number;
}

export interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** The panel's darkening: black at alpha 0.35 keeps 0.65 of each channel (166/256), as a table. */
const KEEP_OF_256 = 166;
const DARKENED = Uint8Array.from({ length: 256 }, (_, v) => (v * KEEP_OF_256) >> 8);

export function drawLabelPanel(canvas: Buffer, canvasWidth: number, panel: Box, label: RawLabel, labelAt: { left: number; top: number }): void {
  const stride = canvasWidth * 3;
  const span = panel.width * 3;
  const bottom = panel.top + panel.height;
  // The background repeats rows (16 px tiles): a row equal to the one above it is copied from that row, darkened.
  let asAbove = false;
  for (let y = panel.top; y < bottom; y++) {
    const start = y * stride + panel.left * 3;
    const nextAsThis = y + 1 < bottom && canvas.compare(canvas, start + stride, start + stride + span, start, start + span) === 0;
    if (asAbove) canvas.copyWithin(start, start - stride, start - stride + span);
    else for (let o = start; o < start + span; o++) canvas[o] = DARKENED[canvas[o]!]!;
    asAbove = nextAsThis;
  }
  const alpha = label.alpha;
  for (let y = 0; y < label.height; y++) {
    let i = y * label.width;
    let o = ((labelAt.top + y) * canvasWidth + labelAt.left) * 3;
    for (let x = 0; x < label.width; x++, i++, o += 3) {
      const a = alpha[i]!;
      if (a === 0) continue;
      // White text: (channel * (255 - a) + 255 * a) / 255, rounded.
      const keep = 255 - a;
      const white = 255 * a + 127;
      canvas[o] = ((canvas[o]! * keep + white) / 255) | 0;
      canvas[o + 1] = ((canvas[o + 1]! * keep + white) / 255) | 0;
      canvas[o + 2] = ((canvas[o + 2]! * keep + white) / 255) | 0;
    }
  }
}

/** Where libvips' gravity would put a `w` x `h` box in a `width` x `height` canvas. */
export function place(gravity: 'centre' | 'south', width: number, height: number, w: number, h: number): { left: number; top: number } {
  return { left: Math.floor((width - w) / 2), top: gravity === 'south' ? height - h : Math.floor((height - h) / 2) };
}
