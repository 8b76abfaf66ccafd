import { randomBytes } from 'node:crypto';
import { Base64Image } from '../render/png-text.js';
import { OutputBuffers } from './output-buffers.js';

/**
 * JSON for responses that carry base64 images. Fastify's schema serializer
 * scans every character of every string for escapes, which for a 1024x1024
 * image was a quarter of the CPU of a cache-hit request. Base64 never needs
 * escaping, so images (Base64Image) are left out of JSON.stringify and
 * spliced in verbatim.
 */
// A per-process nonce no client ever sees, so no string in a body can be mistaken for a slot.
const SLOT = `\u0000${randomBytes(8).toString('hex')}`;
// How JSON.stringify writes a slot string.
const SLOT_JSON = `"\\u0000${SLOT.slice(1)}"`;

/** What a route puts in `b64_json`: an image whose toJSON gives the schema's string. */
export function b64Json(image: Base64Image): string {
  return image as unknown as string;
}

// `{data: {data: [{b64_json}]}}` (a completed poll) is the deepest image.
const SLOT_DEPTH = 4;

/** A copy of the body's upper levels with each image swapped for a slot, images collected in JSON order. */
function slotted(value: unknown, images: Base64Image[], depth: number): unknown {
  if (value instanceof Base64Image) {
    images.push(value);
    return SLOT;
  }
  if (depth === 0 || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((item) => slotted(item, images, depth - 1));
  const out: Record<string, unknown> = {};
  for (const key in value) out[key] = slotted((value as Record<string, unknown>)[key], images, depth - 1);
  return out;
}

// Below this many bytes of cached image per body, one string beats handing
// the socket several buffers (measured: a 256x256 poll body, ~11 KB).
const PARTS_MIN_BYTES = 64 * 1024;

/**
 * The body as one string, or as buffers in order (large cached images: their
 * base64 bytes are used as they are, never re-encoded through a JS string).
 */
export function serializeWithImages(value: unknown): string | Buffer[] {
  // Images only ever sit under `data`; a running job's poll has none.
  if (typeof value !== 'object' || value === null || !('data' in value)) return JSON.stringify(value);
  const images: Base64Image[] = [];
  // No replacer: JSON.stringify would call each image's toJSON (building its whole base64
  // string, then dropping it) before a replacer ran, and a replacer leaves V8's fast path.
  const json = JSON.stringify(slotted(value, images, SLOT_DEPTH));
  if (images.length === 0) return json;
  const tailBytes = images.reduce((n, image) => n + image.tail.length, 0);
  const asParts = tailBytes >= PARTS_MIN_BYTES;
  // Slots appear in the order JSON.stringify met the images; indexOf, not a
  // regex: a fresh RegExp per response cost more than the rest of a poll.
  const parts: Buffer[] = [];
  let text = '';
  let from = 0;
  for (const image of images) {
    const at = json.indexOf(SLOT_JSON, from);
    text += `${json.slice(from, at)}"`;
    if (!asParts) {
      text += image.head + image.tail.toString('latin1');
    } else {
      parts.push(Buffer.from(text + image.head, 'utf8'), image.tail);
      text = '';
    }
    text += '"';
    from = at + SLOT_JSON.length;
  }
  text += json.slice(from);
  if (!asParts) return text;
  parts.push(Buffer.from(text, 'utf8'));
  return parts;
}

interface RawReply {
  headers(values: Record<string, string>): RawReply;
  type(contentType: string): RawReply;
  send(payload: string | Buffer): unknown;
  raw: { once(event: 'finish', listener: () => void): unknown };
}

const outputs = new OutputBuffers();

/** Sends a pre-serialised image body (see serializeWithImages); the route schema still documents it. */
export function sendWithImages(reply: unknown, headers: Record<string, string>, body: unknown): void {
  const raw = (reply as RawReply).headers(headers).type('application/json; charset=utf-8');
  const payload = serializeWithImages(body);
  if (typeof payload === 'string') {
    raw.send(payload);
    return;
  }
  // One Buffer, one write: a Readable of the parts cost ~170 µs of stream machinery per 1024x1024
  // response (measured under the bench profile: 432 -> 257 µs CPU per cache hit). The copy goes
  // into a reused buffer, given back once Node has written it.
  let length = 0;
  for (const part of payload) length += part.length;
  const out = outputs.take(length);
  let at = 0;
  for (const part of payload) at += part.copy(out, at);
  raw.raw.once('finish', () => outputs.give(out));
  raw.send(out.subarray(0, length));
}
