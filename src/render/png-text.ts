import { crc32 } from 'node:zlib';

/**
 * PNG `tEXt` chunks: how an image carries the request id and provider that
 * produced it, readable by any PNG tool. Inserted right after IHDR, which the
 * PNG spec requires to be first and which is always 13 bytes long.
 */
export const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const IHDR_END = 8 + 4 + 4 + 13 + 4;

// tEXt is Latin-1 with a 1-79 char keyword; anything else would make a corrupt chunk. Tested first: ids need no copy.
const NOT_LATIN1_TEXT = /[^\x20-\x7e\xa0-\xff]/;
const latin1 = (s: string) => (NOT_LATIN1_TEXT.test(s) ? s.replace(/[^\x20-\x7e\xa0-\xff]/g, '?') : s);

export function readTextChunks(png: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let offset = 8;
  while (offset + 8 <= png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    if (type === 'tEXt') {
      const data = png.toString('latin1', offset + 8, offset + 8 + length);
      const nul = data.indexOf('\0');
      if (nul > 0) out[data.slice(0, nul)] = data.slice(nul + 1);
    }
    if (type === 'IEND') break;
    offset += 12 + length;
  }
  return out;
}

/**
 * A PNG split for cheap per-request tagging: its first 33 bytes (signature and
 * IHDR) and the rest already as base64 text (ASCII bytes). Base64 of a prefix
 * whose length is a multiple of 3 joins the base64 of what follows without
 * re-encoding, so each response encodes only its few hundred header bytes.
 */
export interface EncodedPng {
  head: Buffer;
  tailB64: Buffer;
}

export function encodePng(png: Buffer): EncodedPng {
  if (png.length < IHDR_END || !png.subarray(0, 8).equals(SIGNATURE)) throw new TypeError('not a PNG');
  return { head: Buffer.from(png.subarray(0, IHDR_END)), tailB64: base64Bytes(png.subarray(IHDR_END)) };
}

const BASE64_DIGITS = Buffer.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/', 'latin1');
const PAD = 0x3d; // "="

/**
 * `bytes` in base64, as ASCII bytes. Straight into a Buffer: `toString('base64')`
 * made a ~150 KB string per 1024x1024 render, allocated in V8's old generation,
 * and under unique renders that garbage alone ran a full mark-compact several
 * times a second.
 */
export function base64Bytes(bytes: Buffer): Buffer {
  const whole = bytes.length - (bytes.length % 3);
  const out = Buffer.allocUnsafeSlow(Math.ceil(bytes.length / 3) * 4);
  let o = 0;
  for (let i = 0; i < whole; i += 3) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out[o++] = BASE64_DIGITS[v >>> 18]!;
    out[o++] = BASE64_DIGITS[(v >>> 12) & 63]!;
    out[o++] = BASE64_DIGITS[(v >>> 6) & 63]!;
    out[o++] = BASE64_DIGITS[v & 63]!;
  }
  if (whole < bytes.length) {
    const two = whole + 1 < bytes.length;
    const v = (bytes[whole]! << 16) | (two ? bytes[whole + 1]! << 8 : 0);
    out[o++] = BASE64_DIGITS[v >>> 18]!;
    out[o++] = BASE64_DIGITS[(v >>> 12) & 63]!;
    out[o++] = two ? BASE64_DIGITS[(v >>> 6) & 63]! : PAD;
    out[o++] = PAD;
  }
  return out;
}

/**
 * A base64 image as a response carries it: its own tagged head and the
 * cached tail, never joined into one string. sendWithImages writes the tail
 * bytes as they are, not joined, flattened and re-encoded per response (a
 * 1024x1024 placeholder is ~135 KB of base64); anything else
 * that serialises it (toJSON, toString) gets the plain base64 string.
 */
export class Base64Image {
  constructor(
    readonly head: string,
    readonly tail: Buffer,
  ) {}

  toString(): string {
    return this.head + this.tail.toString('latin1');
  }

  toJSON(): string {
    return this.toString();
  }
}

/** Writes one chunk at `at` (its data already written at at+8) and returns where the next one starts. */
export function sealChunk(out: Buffer, at: number, type: string, dataLength: number): number {
  out.writeUInt32BE(dataLength, at);
  out.write(type, at + 4, 'latin1');
  out.writeUInt32BE(crc32(out.subarray(at + 4, at + 8 + dataLength)), at + 8 + dataLength);
  return at + 12 + dataLength;
}

/**
 * The head (signature, IHDR, one tEXt chunk per entry, padding) in one buffer,
 * made per response: one allocation and no intermediate chunk buffers.
 */
export function taggedBase64(png: EncodedPng, entries: Record<string, string>): Base64Image {
  const texts: string[] = [];
  let length = png.head.length;
  for (const keyword in entries) {
    const text = `${latin1(keyword).slice(0, 79)}\0${latin1(entries[keyword]!)}`;
    texts.push(text);
    length += 12 + text.length;
  }
  // "pdAt": an ancillary, private chunk every decoder skips, sized to align the head to 3 bytes, so its base64 joins the tail's.
  const padLength = (3 - ((length + 12) % 3)) % 3;
  const out = Buffer.allocUnsafe(length + 12 + padLength);
  let at = png.head.copy(out, 0);
  for (const text of texts) {
    out.write(text, at + 8, 'latin1');
    at = sealChunk(out, at, 'tEXt', text.length);
  }
  out.fill(0, at + 8, at + 8 + padLength);
  sealChunk(out, at, 'pdAt', padLength);
  return new Base64Image(out.toString('base64'), png.tailB64);
}

export function taggedPng(png: EncodedPng, entries: Record<string, string>): Buffer {
  return Buffer.from(taggedBase64(png, entries).toString(), 'base64');
}
