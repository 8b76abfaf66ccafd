import { SIGNATURE, sealChunk } from './png-text.js';

/**
 * A PNG encoder for the placeholders, in plain integer JavaScript: the same
 * bytes on every machine and Node version (zlib's and libvips' deflate output
 * depends on their versions). It is built for what a placeholder is, flat
 * 16 px tiles and a label panel, and uses two kinds of deflate match: a row
 * equal to the one above (15 rows in 16 outside the panel) is filtered "up"
 * into zeros and copied at distance 1, and a run of equal pixels is one pixel
 * then a copy at distance 3. Everything else is a literal, in one
 * fixed-Huffman block. libvips took ~1.5 ms of a 256x256 render's ~2.7 to set
 * up its pipeline and deflate the raw pixels.
 */

const ADLER_MOD = 65521;

/** `code` (MSB first, `length` bits) reversed, as deflate writes Huffman codes. */
function reversed(code: number, length: number): number {
  let out = 0;
  for (let i = 0; i < length; i++) out |= ((code >> i) & 1) << (length - 1 - i);
  return out;
}

// The fixed literal/length code (RFC 1951 §3.2.6), bit-reversed: literals 0-143 and 280-287 have 8 bits, 144-255 9, 256-279 7.
const LIT_BITS = new Uint8Array(288);
const LIT_CODE = new Uint16Array(288);
for (let s = 0; s < 288; s++) {
  const [base, first, bits] = s < 144 ? [0x30, 0, 8] : s < 256 ? [0x190, 144, 9] : s < 280 ? [0, 256, 7] : [0xc0, 280, 8];
  LIT_BITS[s] = bits;
  LIT_CODE[s] = reversed(base + s - first, bits);
}

// RFC 1951 §3.2.5: each length and distance symbol's base value and extra bits.
const LENGTH_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DISTANCE_BASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
const DISTANCE_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];

/** The last symbol whose base is at most `value`. */
const symbolOf = (bases: readonly number[], value: number) => {
  let i = bases.length - 1;
  while (bases[i]! > value) i--;
  return i;
};

// Each match length 3..258 as one write: its symbol's code, then its extra bits.
const MATCH_BITS = new Uint8Array(259);
const MATCH_CODE = new Uint32Array(259);
for (let length = 3; length <= 258; length++) {
  const i = symbolOf(LENGTH_BASE, length);
  const symbol = 257 + i;
  MATCH_BITS[length] = LIT_BITS[symbol]! + LENGTH_EXTRA[i]!;
  MATCH_CODE[length] = LIT_CODE[symbol]! | ((length - LENGTH_BASE[i]!) << LIT_BITS[symbol]!);
}

/** A distance (1..32768) as one write: its 5-bit code, then its extra bits. */
function distanceWrite(distance: number): { code: number; bits: number } {
  const i = symbolOf(DISTANCE_BASE, distance);
  return { code: reversed(i, 5) | ((distance - DISTANCE_BASE[i]!) << 5), bits: 5 + DISTANCE_EXTRA[i]! };
}

/** Deflate's bit order: LSB first, flushed a byte at a time. */
class BitWriter {
  out: Buffer;
  #bits = 0;
  #count = 0;

  /** Writes into `out` (grown when full) from byte `at`; what comes before is the caller's. */
  constructor(
    out: Buffer,
    public at: number,
  ) {
    this.out = out;
  }

  /** At most 25 bits at once (the longest length or distance code with its extra bits is 18). The caller reserves room. */
  write(value: number, count: number): void {
    let bits = this.#bits | (value << this.#count);
    let n = this.#count + count;
    while (n >= 8) {
      this.out[this.at++] = bits & 0xff;
      bits >>>= 8;
      n -= 8;
    }
    this.#bits = bits;
    this.#count = n;
  }

  /** Makes room for `bytes` more bytes: once per row, not per write. */
  reserve(bytes: number): void {
    while (this.out.length - this.at < bytes) this.#grow();
  }

  /** Pads to a byte boundary and makes room for `more` bytes after it. */
  end(more: number): void {
    this.reserve(more + 1);
    if (this.#count > 0) this.write(0, 8 - this.#count);
  }

  #grow(): void {
    const bigger = Buffer.allocUnsafe(Math.ceil(this.out.length * 1.5));
    this.out.copy(bigger);
    this.out = bigger;
  }
}

/** A copy of `length` bytes from `distance` back, in matches of at most 258 (never leaving fewer than 3). */
function copy(bits: BitWriter, length: number, distance: { code: number; bits: number }): void {
  while (length > 0) {
    const l = length <= 258 ? length : length - 258 < 3 ? length - 3 : 258;
    bits.write(MATCH_CODE[l]!, MATCH_BITS[l]!);
    bits.write(distance.code, distance.bits);
    length -= l;
  }
}

/** The scratch buffer grows to fit the largest PNG encoded so far, up to this. */
const SCRATCH_MAX_BYTES = 4 * 1024 * 1024;
let scratch: Buffer = Buffer.allocUnsafeSlow(256 * 1024);

// Signature, IHDR (12 + 13 bytes), then IDAT's length and type, then the zlib header.
const IDAT_AT = 8 + 25;
const DEFLATE_AT = IDAT_AT + 8 + 2;

/** An 8-bit RGB PNG of `raw` (width * height * 3 bytes, rows top to bottom). */
export function encodeRgbPng(raw: Buffer, width: number, height: number): Buffer {
  const rowBytes = width * 3;
  const lineBytes = rowBytes + 1;
  const streamBytes = lineBytes * height;
  // Written into a scratch buffer kept between calls (encoding is synchronous), then copied out at its exact size.
  const bits = new BitWriter(scratch, DEFLATE_AT);
  bits.reserve(1);
  bits.write(0b011, 3); // BFINAL, then BTYPE 01: one block, fixed Huffman codes
  const oneBack = distanceWrite(1);
  const pixelBack = distanceWrite(3);
  // Adler-32 of the scanlines, from each row's byte sum and index-weighted sum.
  let sumA = 0;
  let sumB = 0;
  let rowSum = 0;
  let rowWeighted = 0;
  for (let y = 0; y < height; y++) {
    const at = y * rowBytes;
    // A row's worst case: every byte a 9-bit literal, plus its filter byte and the block's end.
    bits.reserve(2 * lineBytes + 16);
    if (y > 0 && raw.compare(raw, at - rowBytes, at, at, at + rowBytes) === 0) {
      // A row equal to the one above: filter "up" makes it all zeros, one literal then copies at distance 1
      // (13 bits per 258 bytes; a copy of the row above, 3 KB back, costs 23).
      bits.write(LIT_CODE[2]!, LIT_BITS[2]!);
      bits.write(LIT_CODE[0]!, LIT_BITS[0]!);
      if (rowBytes - 1 >= 3) copy(bits, rowBytes - 1, oneBack);
      else for (let i = 1; i < rowBytes; i++) bits.write(LIT_CODE[0]!, LIT_BITS[0]!);
      rowSum = 2;
      rowWeighted = 0;
    } else {
      bits.write(LIT_CODE[0]!, LIT_BITS[0]!); // filter type 0: none
      rowSum = 0;
      rowWeighted = 0;
      for (let x = 0; x < width; ) {
        const o = at + x * 3;
        const r = raw[o]!;
        const g = raw[o + 1]!;
        const b = raw[o + 2]!;
        bits.write(LIT_CODE[r]!, LIT_BITS[r]!);
        bits.write(LIT_CODE[g]!, LIT_BITS[g]!);
        bits.write(LIT_CODE[b]!, LIT_BITS[b]!);
        let run = 1;
        for (let p = o + 3; x + run < width && raw[p] === r && raw[p + 1] === g && raw[p + 2] === b; p += 3) run++;
        if (run > 1) copy(bits, (run - 1) * 3, pixelBack);
        // Line index of this pixel's red byte (index 0 is the filter byte).
        const k = 1 + x * 3;
        const pixelSum = r + g + b;
        rowSum += pixelSum * run;
        // Σ over the run's pixels of (k_p * r + (k_p + 1) * g + (k_p + 2) * b), k_p = k + 3p.
        rowWeighted += (k * run + (3 * run * (run - 1)) / 2) * pixelSum + (g + 2 * b) * run;
        x += run;
      }
      rowSum %= ADLER_MOD;
      rowWeighted %= ADLER_MOD;
    }
    sumA += rowSum;
    sumB += ((streamBytes - y * lineBytes) % ADLER_MOD) * rowSum - rowWeighted + ADLER_MOD;
    sumA %= ADLER_MOD;
    sumB %= ADLER_MOD;
  }
  bits.write(LIT_CODE[256]!, LIT_BITS[256]!); // end of block
  bits.end(4 + 4 + 12); // Adler-32, IDAT's CRC, IEND
  const out = bits.out;
  out.writeUInt32BE(((((streamBytes + sumB) % ADLER_MOD) << 16) | ((1 + sumA) % ADLER_MOD)) >>> 0, bits.at);
  SIGNATURE.copy(out, 0);
  out.fill(0, 16, IDAT_AT - 4);
  out.writeUInt32BE(width, 16);
  out.writeUInt32BE(height, 20);
  out[24] = 8; // bit depth
  out[25] = 2; // colour type: RGB (compression, filter and interlace methods stay 0)
  sealChunk(out, 8, 'IHDR', 13);
  out[DEFLATE_AT - 2] = 0x78; // zlib: deflate, 32 KiB window
  out[DEFLATE_AT - 1] = 0x01; // no preset dictionary; (0x78 << 8 | 0x01) % 31 === 0
  const end = sealChunk(out, IDAT_AT, 'IDAT', bits.at + 4 - (IDAT_AT + 8));
  const length = sealChunk(out, end, 'IEND', 0);
  // Kept for the next call unless one image made it grow past the bound.
  scratch = out.length <= SCRATCH_MAX_BYTES ? out : scratch;
  const png = Buffer.allocUnsafeSlow(length);
  out.copy(png, 0, 0, length);
  return png;
}
