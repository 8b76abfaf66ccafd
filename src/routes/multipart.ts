import type { FastifyRequest } from 'fastify';
import type { EditForm } from '../domain/edit-request.js';
import { createHash } from 'node:crypto';
import { bodyHash } from '../domain/client-report.js';
import { ApiError } from '../errors.js';
import { summariseBody } from '../store/journal.js';

const FILE_FIELDS = new Set(['image', 'image[]', 'mask']);

/**
 * Reads a whole edits form. Every field may appear once: a repeated `n` (or
 * anything else) is ambiguous, as the provider broker says. Stream failures
 * (truncated uploads, limits) become Router-envelope 4xx, never a 500.
 */
export async function readEditForm(req: FastifyRequest): Promise<EditForm> {
  const form: EditForm = { fields: {}, files: {} };
  const seen = new Set<string>();
  const once = (name: string) => {
    if (seen.has(name)) throw new ApiError('invalid_body', `\`${name}\` could not be read unambiguously: it was sent more than once`);
    seen.add(name);
  };
  if (!req.isMultipart()) throw new ApiError('unsupported_media_type', 'Content-Type must be multipart/form-data');
  try {
    for await (const part of req.parts()) {
      if (part.type === 'file') {
        const bytes = await part.toBuffer();
        if (!FILE_FIELDS.has(part.fieldname)) continue;
        once(part.fieldname === 'image[]' ? 'image' : part.fieldname);
        if (bytes.length === 0) throw new ApiError('invalid_body', `${part.fieldname} is an empty file`);
        form.files[part.fieldname] = bytes;
      } else {
        once(part.fieldname);
        if (FILE_FIELDS.has(part.fieldname)) {
          throw new ApiError('invalid_body', `${part.fieldname} must be sent as a file part, not a text field`);
        }
        form.fields[part.fieldname] = String(part.value);
      }
    }
  } catch (err) {
    if (err instanceof ApiError) throw err;
    const status = (err as { statusCode?: number }).statusCode;
    if (status === 413) throw new ApiError('request_too_large', `Upload is too large: ${(err as Error).message}`);
    throw new ApiError('invalid_body', `multipart body could not be read: ${(err as Error).message}`);
  }
  const sizes = Object.fromEntries(Object.entries(form.files).map(([k, v]) => [k, `<${v.length} bytes elided>`]));
  const digest = createHash('sha256');
  for (const [k, v] of Object.entries(form.files)) digest.update(k).update(v);
  req.note = { ...req.note, form: { summary: summariseBody({ ...form.fields, ...sizes }), hash: bodyHash({ ...form.fields, files: digest.digest('hex') })! } };
  return form;
}
