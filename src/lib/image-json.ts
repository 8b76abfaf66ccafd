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

/**
 * The body as one string, or, when it holds images, as bytes written into a
 * buffer from `take`: each image's base64 tail is copied in as it is, never
 * re-encoded through a JS string, and the JSON around it is encoded straight
 * into the same buffer.
 */
export function serializeWithImages(value: unknown, take: (length: number) => Buffer = Buffer.allocUnsafe): string | Buffer {
  // Images only ever sit under `data`; a running job's poll has none.
  if (typeof value !== 'object' || value === null || !('data' in value)) return JSON.stringify(value);
  const images: Base64Image[] = [];
  // No replacer: JSON.stringify would call each image's toJSON (building its whole base64
  // string, then dropping it) before a replacer ran, and a replacer leaves V8's fast path.
  const json = JSON.stringify(slotted(value, images, SLOT_DEPTH));
  if (images.length === 0) return json;
  // A UTF-16 unit is at most 3 UTF-8 bytes; base64 is one byte a character.
  let bound = json.length * 3;
  for (const image of images) bound += image.head.length + image.tail.length;
  const out = take(bound);
  // Slots appear in the order JSON.stringify met the images; indexOf, not a
  // regex: a fresh RegExp per response cost more than the rest of a poll.
  // Each slot's quotes stay: the text before it ends with the opening one, the text after starts with the closing one.
  let at = 0;
  let from = 0;
  for (const image of images) {
    const slot = json.indexOf(SLOT_JSON, from);
    at += out.write(json.slice(from, slot + 1), at, 'utf8');
    at += out.write(image.head, at, 'latin1');
    at += image.tail.copy(out, at);
    from = slot + SLOT_JSON.length - 1;
  }
  at += out.write(json.slice(from), at, 'utf8');
  return out.subarray(0, at);
}

interface RawReply {
  headers(values: Record<string, string>): RawReply;
  type(contentType: string): RawReply;
  send(payload: string | Buffer): unknown;
  raw: { once(event: 'finish', listener: () => void): unknown };
}

const outputs = new OutputBuffers();

/**
 * Sends a pre-serialised image body (see serializeWithImages); the route schema still documents it.
 * One Buffer, one write: a Readable of the parts cost ~170 µs of stream machinery per 1024x1024
 * response (measured under the bench profile: 432 -> 257 µs CPU per cache hit). The buffer is a
 * reused one, given back once Node has written it; a fresh one per response (137 KB for a
 * 1024x1024 image, off V8's heap) page-faulted and drove V8's external-memory collections.
 */
export function sendWithImages(reply: unknown, headers: Record<string, string>, body: unknown): void {
  const raw = (reply as RawReply).headers(headers).type('application/json; charset=utf-8');
  let out: Buffer | undefined;
  const payload = serializeWithImages(body, (length) => (out = outputs.take(length)));
  if (out) {
    const taken = out;
    raw.raw.once('finish', () => outputs.give(taken));
  }
  raw.send(payload);
}
