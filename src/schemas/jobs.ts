import Type, { type Static } from 'typebox';
import { ADDRESS_PATTERN } from '../lib/ids.js';
import { TraceInfo } from './common.js';
import { ImageData } from './images.js';

export const JOB_ID_PATTERN = '^[0-9a-f]{32}$';

export const JobSubmitResponse = Type.Object(
  {
    jobId: Type.String({ pattern: JOB_ID_PATTERN, examples: ['5b595c31955d4be2923f5070705cced4'] }),
    status: Type.Literal('pending'),
    provider_address: Type.String({ description: 'pass it back as ?provider_address= when polling' }),
  },
  { title: 'AsyncJobSubmitResponse' },
);

export const JobParams = Type.Object({ jobId: Type.String({ pattern: JOB_ID_PATTERN, description: '32 lowercase hex' }) });

export const JobQuery = Type.Object({
  provider_address: Type.Optional(
    Type.String({ pattern: ADDRESS_PATTERN, description: 'the provider that owns the job (optional unless PROFILE=strict)' }),
  ),
  model: Type.Optional(Type.String({ maxLength: 256, description: "the job's model, as the Router's model pages poll; another model is the same 404 as a wrong pin" })),
  verify_tee: Type.Optional(
    Type.Enum(['true', 'false'], { description: '`true`: a completed job\'s trace carries tee_verified' }),
  ),
});

export const JobStatusResponse = Type.Object(
  {
    jobId: Type.String(),
    status: Type.Union(
      [Type.Literal('pending'), Type.Literal('processing'), Type.Literal('running'), Type.Literal('completed'), Type.Literal('failed')],
      {
        description: 'treat anything but completed/failed as in progress',
      },
    ),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
    errorMessage: Type.Optional(Type.String({ description: 'only when failed' })),
    data: Type.Optional(
      Type.Object(
        { created: Type.Integer(), data: Type.Array(ImageData) },
        { description: "the provider's OpenAI image object: images are at data.data[]" },
      ),
    ),
    x_0g_trace: Type.Optional(TraceInfo),
  },
  { title: 'AsyncJobStatus' },
);

export type JobSubmitBody = Static<typeof JobSubmitResponse>;
export type JobStatusBody = Static<typeof JobStatusResponse>;
