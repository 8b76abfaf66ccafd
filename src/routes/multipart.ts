import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { EditForm, ReferenceImage } from '../domain/edit-request.js';
import { bodyHash } from '../domain/client-report.js';
import { ApiError } from '../errors.js';
import { noteOf } from '../observe.js';
import { summariseBody } from '../lib/body-summary.js';

const FILE_FIELDS = new Set(['image', 'image[]', 'mask']);
/** Images in one edit (OpenAI's own limit): the first is edited, the rest are references. */
export const MAX_EDIT_IMAGES = 16;

/**
 * Registers @fastify/multipart in the caller's context: only the edits routes are
 * defined there, so its two async hooks (file cleanup) and its content-type parser
 * do not run on every other request, a promise and a microtask each.
 */
export async function acceptMultipart(app: FastifyInstance, uploadLimitBytes: number): Promise<void> {
  await app.register(multipart, {
    limits: { fileSize: uploadLimitBytes, files: MAX_EDIT_IMAGES + 4, fields: 20, fieldSize: 256 * 1024, parts: MAX_EDIT_IMAGES + 24, headerPairs: 100 },
  });
}

/** Consumes a file part without keeping it: unknown parts cost no memory, only time. */
async function drain(file: Readable): Promise<void> {
  for await (const _chunk of file) void _chunk;
}

/** A reference image as the label and the cache key need it: size and digest, never the bytes. */
async function digestOf(file: Readable & { truncated?: boolean }, field: string): Promise<ReferenceImage> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of file) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  if (file.truncated) throw new ApiError('request_too_large', `Upload is too large: ${field} exceeds UPLOAD_LIMIT_BYTES`);
  if (bytes === 0) throw new ApiError('invalid_body', `${field} is an empty file`);
  return { bytes, hash: hash.digest('hex') };
}

/**
 * Reads a whole edits form. Every field may appear once (a repeated `n` is
 * ambiguous, as the provider broker says), except `image[]`: the OpenAI SDKs
 * send an array of images that way, and the lenient profile takes up to
 * MAX_EDIT_IMAGES. Stream failures (truncated uploads, limits) become
 * Router-envelope 4xx, never a 500.
 */
export async function readEditForm(req: FastifyRequest, profile: 'lenient' | 'strict'): Promise<EditForm> {
  const form: EditForm = { fields: {}, files: {}, references: [] };
  const seen = new Set<string>();
  const once = (name: string) => {
    if (seen.has(name)) throw new ApiError('invalid_body', `\`${name}\` could not be read unambiguously: it was sent more than once`);
    seen.add(name);
  };
  if (!req.isMultipart()) throw new ApiError('unsupported_media_type', 'Content-Type must be multipart/form-data');
  try {
    for await (const part of req.parts()) {
      if (part.type !== 'file') {
        once(part.fieldname);
        if (FILE_FIELDS.has(part.fieldname)) {
          throw new ApiError('invalid_body', `${part.fieldname} must be sent as a file part, not a text field`);
        }
        form.fields[part.fieldname] = String(part.value);
      } else if (!FILE_FIELDS.has(part.fieldname)) {
        await drain(part.file);
      } else if (part.fieldname === 'image[]' && form.files['image[]'] && profile === 'lenient') {
        if (form.references.length + 1 >= MAX_EDIT_IMAGES) throw new ApiError('invalid_body', `at most ${MAX_EDIT_IMAGES} images per edit (image[])`);
        form.references.push(await digestOf(part.file, 'image[]'));
      } else {
        once(part.fieldname === 'image[]' ? 'image' : part.fieldname);
        const bytes = await part.toBuffer();
        if (bytes.length === 0) throw new ApiError('invalid_body', `${part.fieldname} is an empty file`);
        form.files[part.fieldname] = bytes;
      }
    }
  } catch (err) {
    if (err instanceof ApiError) throw err;
    const status = (err as { statusCode?: number }).statusCode;
    if (status === 413) throw new ApiError('request_too_large', `Upload is too large: ${(err as Error).message}`);
    throw new ApiError('invalid_body', `multipart body could not be read: ${(err as Error).message}`);
  }
  noteOf(req).form = summariseForm(form);
  return form;
}

function summariseForm(form: EditForm): { summary: ReturnType<typeof summariseBody>; hash: string } {
  const sizes: Record<string, string> = Object.fromEntries(Object.entries(form.files).map(([k, v]) => [k, `<${v.length} bytes elided>`]));
  const digest = createHash('sha256');
  for (const [k, v] of Object.entries(form.files)) digest.update(k).update(v);
  for (const ref of form.references) digest.update(ref.hash);
  if (form.references.length) sizes.references = `<${form.references.length} more images>`;
  return { summary: summariseBody({ ...form.fields, ...sizes }), hash: bodyHash({ ...form.fields, files: digest.digest('hex') })! };
}
