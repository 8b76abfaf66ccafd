import { crc32 } from 'node:zlib';

/**
 * PNG `tEXt` chunks: how an image carries the request id and provider that
 * produced it, readable by any PNG tool. Inserted right after IHDR, which the
 * PNG spec requires to be first and which is always 13 bytes long.
 */
const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const IHDR_END = 8 + 4 + 4 + 13 + 4;

function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

// tEXt is Latin-1 with a 1-79 char keyword; anything else would make a corrupt chunk.
const latin1 = (s: string) => s.replace(/[^\x20-\x7e\xa0-\xff]/g, '?');

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
  return { head: Buffer.from(png.subarray(0, IHDR_END)), tailB64: Buffer.from(png.subarray(IHDR_END).toString('base64'), 'latin1') };
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

function textChunks(entries: Record<string, string>): Buffer[] {
  return Object.entries(entries).map(([keyword, text]) =>
    chunk('tEXt', Buffer.from(`${latin1(keyword).slice(0, 79)}\0${latin1(text)}`, 'latin1')),
  );
}

export function taggedBase64(png: EncodedPng, entries: Record<string, string>): Base64Image {
  const chunks = textChunks(entries);
  const length = png.head.length + chunks.reduce((n, c) => n + c.length, 0);
  // "pdAt": an ancillary, private chunk every decoder skips, sized to align the header to 3 bytes.
  const pad = chunk('pdAt', Buffer.alloc((3 - ((length + 12) % 3)) % 3));
  return new Base64Image(Buffer.concat([png.head, ...chunks, pad]).toString('base64'), png.tailB64);
}

export function taggedPng(png: EncodedPng, entries: Record<string, string>): Buffer {
  return Buffer.from(taggedBase64(png, entries).toString(), 'base64');
}
