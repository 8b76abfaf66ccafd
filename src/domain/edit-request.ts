import type { IncomingHttpHeaders } from 'node:http';
import Value from 'typebox/value';
import { ApiError } from '../errors.js';
import type { ProviderPool } from '../providers/pool.js';
import { sourceImageOf } from '../render/source-image.js';
import { ImageEditFields, type ImageEditQueryParams } from '../schemas/edits.js';
import { parseImageRequest, type ImageJobSpec, type ParseOptions } from './image-request.js';

/** An extra `image[]` of a multi-image edit: shown in the label, kept as a digest only. */
export interface ReferenceImage {
  bytes: number;
  hash: string;
}

export interface EditForm {
  fields: Record<string, string>;
  files: Record<string, Buffer>;
  references: ReferenceImage[];
}

/** Turns a read multipart form into the same job spec a JSON request makes. */
export async function parseEditRequest(
  pool: ProviderPool,
  form: EditForm,
  query: ImageEditQueryParams,
  options: ParseOptions,
  headers: IncomingHttpHeaders,
): Promise<ImageJobSpec> {
  const image = form.files.image ?? form.files['image[]'];
  if (!image) throw new ApiError('invalid_body', 'image is required: send the source image as a multipart file part');
  if (!Value.Check(ImageEditFields, form.fields)) {
    const first = Value.Errors(ImageEditFields, form.fields)[0];
    const where = first?.instancePath ? `form field ${first.instancePath.slice(1)}` : 'form';
    throw new ApiError('invalid_body', `${where} ${first?.message ?? 'is invalid'}`);
  }
  const { model, prompt, n, size, response_format } = form.fields;
  const count = n === undefined ? undefined : Number(n);
  if (count !== undefined && !(count >= 1 && count <= 10)) throw new ApiError('invalid_body', 'n must be an integer from 1 to 10');
  const spec = parseImageRequest(
    pool,
    {
      model: model!,
      prompt: prompt!,
      ...(count !== undefined ? { n: count } : {}),
      ...(size !== undefined ? { size } : {}),
      ...(response_format !== undefined ? { response_format: response_format as 'b64_json' | 'url' } : {}),
      ...(query.verify_tee === 'true' ? { verify_tee: true } : {}),
    },
    'image-editing',
    options,
    headers,
  );
  if (spec.prefs.requiredParameters) spec.prefs.requiredParameters = [...spec.prefs.requiredParameters, 'image', ...(form.files.mask ? ['mask'] : [])];
  spec.source = await sourceImageOf(image, form.files.mask, form.references.map((r) => r.hash));
  // The provider receives the edit with its images; the record keeps their sizes, not their bytes.
  const images = [`<${image.length} bytes>`, ...form.references.map((r) => `<${r.bytes} bytes>`)];
  spec.forward = {
    ...spec.forward,
    image: images.length === 1 ? images[0] : images,
    ...(form.files.mask ? { mask: `<${form.files.mask.length} bytes>` } : {}),
  };
  return spec;
}
