import { randomBytes } from 'node:crypto';

/**
 * JSON for responses that carry base64 images. Fastify's schema serializer
 * scans every character of every string for escapes, which for a 1024x1024
 * image was a quarter of the CPU of a cache-hit request. Base64 never needs
 * escaping, so images are left out of JSON.stringify and spliced in verbatim.
 */
// A per-process nonce no client ever sees, so no string in a body can be mistaken for a slot.
const SLOT = `\u0000${randomBytes(8).toString('hex')}`;
// How JSON.stringify writes the start of a slot string.
const SLOT_JSON = `"\\u0000${SLOT.slice(1)}"`;

export function stringifyWithImages(value: unknown): string {
  const images: string[] = [];
  const json = JSON.stringify(value, (key, v: unknown) => {
    if (key !== 'b64_json' || typeof v !== 'string') return v;
    images.push(v);
    return SLOT;
  });
  // Slots appear in the order JSON.stringify met the images; indexOf, not a
  // regex: a fresh RegExp per response cost more than the rest of a poll.
  let out = '';
  let from = 0;
  for (const image of images) {
    const at = json.indexOf(SLOT_JSON, from);
    out += `${json.slice(from, at)}"${image}"`;
    from = at + SLOT_JSON.length;
  }
  return from === 0 ? json : out + json.slice(from);
}

interface RawReply {
  headers(values: Record<string, string>): RawReply;
  type(contentType: string): RawReply;
  send(payload: string): unknown;
}

/** Sends a pre-serialised image body (see stringifyWithImages); the route schema still documents it. */
export function sendWithImages(reply: unknown, headers: Record<string, string>, body: unknown): void {
  (reply as RawReply).headers(headers).type('application/json; charset=utf-8').send(stringifyWithImages(body));
}
