import Type, { type Static } from 'typebox';
import { JOB_ID_PATTERN } from './jobs.js';

const KEY_ID = Type.String({ pattern: '^key_[0-9a-f]{16}$', description: 'a key id (hash prefix), never the key' });

export const ConsoleQuery = Type.Object({
  key_id: Type.Optional(KEY_ID),
  limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,3}$', description: 'newest first, at most 200 (default 50)' })),
});

export const JobImageParams = Type.Object({
  jobId: Type.String({ pattern: JOB_ID_PATTERN }),
  index: Type.String({ pattern: '^[0-9]{1,2}$' }),
});
export const JobImageQuery = Type.Object({
  thumb: Type.Optional(Type.Literal('1', { description: 'a 160 px wide thumbnail instead of the full image' })),
});

export const JobSummary = Type.Object(
  {
    id: Type.String(),
    key_id: Type.String(),
    model: Type.String(),
    provider: Type.String(),
    size: Type.String({ examples: ['1024x1024'] }),
    n: Type.Integer(),
    prompt: Type.String({ description: 'cut to 200 characters' }),
    status: Type.Union([Type.Literal('pending'), Type.Literal('processing'), Type.Literal('completed'), Type.Literal('failed')]),
    timeline: Type.Array(Type.Object({ status: Type.String(), at: Type.String({ format: 'date-time' }) }), {
      description: 'the transitions reached so far, on the emulator clock',
    }),
    polls: Type.Integer(),
    error_message: Type.Optional(Type.String()),
    charge: Type.Optional(
      Type.Object({ amount: Type.String(), currency: Type.Union([Type.Literal('0g'), Type.Literal('usd')]) }, { description: 'booked on completion, in neuron or micro-USD' }),
    ),
  },
  { title: 'JobSummary' },
);

export const JobList = Type.Object(
  { object: Type.Literal('list'), total: Type.Integer({ description: 'retained jobs matching the filter' }), data: Type.Array(JobSummary) },
  { title: 'JobList' },
);

export const AccountSummary = Type.Object(
  {
    key_id: Type.String(),
    currency: Type.Union([Type.Literal('0g'), Type.Literal('usd')]),
    balance: Type.String(),
    spent: Type.String(),
    charge_count: Type.Integer(),
    findings: Type.Record(Type.String(), Type.Integer(), { description: "the client report's counts (GET /_emulator/report)" }),
  },
  { title: 'AccountSummary' },
);

const Rule = Type.Object({ id: Type.String(), code: Type.String(), fired: Type.Integer() }, { additionalProperties: true });

export const ConsoleSnapshot = Type.Object(
  {
    clock: Type.Object({ mode: Type.String(), nowMs: Type.Integer(), now: Type.String() }),
    key_ids: Type.Array(Type.String(), { description: 'every key with an account, for the filter' }),
    live_jobs: Type.Integer(),
    jobs: JobList,
    requests: Type.Object({ dropped: Type.Integer(), data: Type.Array(Type.Object({}, { additionalProperties: true })) }),
    accounts: Type.Object({ total: Type.Integer(), data: Type.Array(AccountSummary) }),
    faults: Type.Array(Rule),
    providers: Type.Array(
      Type.Object({ address: Type.String(), name: Type.String(), healthy: Type.Boolean(), models: Type.Array(Type.String()) }),
    ),
  },
  { title: 'ConsoleSnapshot', description: 'What the console shows; also the data of every `snapshot` event of GET /_emulator/events' },
);

export type JobSummaryBody = Static<typeof JobSummary>;
export type ConsoleSnapshotBody = Static<typeof ConsoleSnapshot>;
