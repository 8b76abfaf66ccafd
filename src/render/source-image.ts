import { createHash } from 'node:crypto';
import { ApiError } from '../errors.js';
import type { SourceImage } from './placeholder.js';
import { loadSharp } from './sharp.js';

export const THUMBNAIL_MAX_PX = 256;
// Refuses decompression bombs: a small upload that would decode to gigabytes.
const MAX_INPUT_PIXELS = 40_000_000;

async function decodable(buffer: Buffer, field: string): Promise<void> {
  const sharp = await loadSharp();
  try {
    const meta = await sharp(buffer, { limitInputPixels: MAX_INPUT_PIXELS }).metadata();
    if (!meta.width || !meta.height || !['png', 'jpeg', 'webp'].includes(meta.format ?? '')) throw new Error(meta.format);
  } catch {
    throw new ApiError('invalid_body', `${field} must be a PNG, JPEG or WebP image`);
  }
}

/**
 * What an edit job keeps of its upload: a thumbnail at most 256 px a side, so
 * a retained edit costs a bounded amount whatever was uploaded.
 */
export async function sourceImageOf(image: Buffer, mask?: Buffer, referenceHashes: readonly string[] = []): Promise<SourceImage> {
  await decodable(image, 'image');
  if (mask) await decodable(mask, 'mask');
  const sharp = await loadSharp();
  let png: Buffer;
  try {
    png = await sharp(image, { limitInputPixels: MAX_INPUT_PIXELS })
      .rotate()
      .resize(THUMBNAIL_MAX_PX, THUMBNAIL_MAX_PX, { fit: 'inside', withoutEnlargement: true })
      .png()
      .toBuffer();
  } catch {
    throw new ApiError('invalid_body', 'image could not be decoded (truncated or corrupt)');
  }
  const hash = createHash('sha256').update(png);
  for (const ref of referenceHashes) hash.update(ref);
  return { png, hash: hash.digest('hex'), masked: mask !== undefined, references: referenceHashes.length };
}
