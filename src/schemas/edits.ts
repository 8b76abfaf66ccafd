import Type, { type Static } from 'typebox';

/** The text parts of an edits form, validated after the multipart stream is read. */
export const ImageEditFields = Type.Object(
  {
    model: Type.String({ minLength: 1, maxLength: 256, examples: ['qwen-image-edit'] }),
    prompt: Type.String({ minLength: 1, maxLength: 32000, description: 'Edit instruction' }),
    n: Type.Optional(Type.String({ pattern: '^[0-9]{1,3}$', description: 'Number of images, 1..10 (default 1)' })),
    size: Type.Optional(Type.String({ pattern: '^([0-9]{1,5}x[0-9]{1,5}|auto)$', examples: ['1024x1024'] })),
    response_format: Type.Optional(Type.Union([Type.Literal('b64_json'), Type.Literal('url')])),
  },
  { additionalProperties: true },
);

const Binary = (description: string) => Type.String({ format: 'binary', description });

/** The whole form as documented in openapi.yaml (multipart/form-data). */
export const ImageEditForm = Type.Object(
  {
    image: Binary('Source image (PNG, JPEG or WebP); `image[]` is accepted too'),
    mask: Type.Optional(Binary('Optional mask image')),
    ...ImageEditFields.properties,
  },
  { title: 'ImageEditRequest' },
);

export const ImageEditQuery = Type.Object({
  verify_tee: Type.Optional(
    Type.Union([Type.Literal('true'), Type.Literal('false')], { description: 'multipart routes take verify_tee here' }),
  ),
});

export type ImageEditFieldsBody = Static<typeof ImageEditFields>;
export type ImageEditQueryParams = Static<typeof ImageEditQuery>;
