import Type, { type Static } from 'typebox';

/*
 * What the counter-like stores dump into GET /_emulator/state and load from
 * PUT: one shape per store, the same from the memory and the Redis backend.
 * Loads are checked against these, since a dump may have been edited by hand.
 */

const Count = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
const Ms = Type.Number({ description: 'epoch milliseconds on the emulator clock' });
const Id = Type.String({ minLength: 1, maxLength: 256 });

export const RateWindowsDump = Type.Object(
  {
    windows: Type.Array(
      Type.Object({ accountId: Id, windowStartMs: Ms, windowMs: Type.Integer({ minimum: 1 }), count: Count }, { additionalProperties: false }),
      { maxItems: 1_000_000 },
    ),
  },
  { additionalProperties: false, title: 'RateWindowsDump', description: 'Each account’s current rate-limit window, by account id' },
);
export type RateWindowsDump = Static<typeof RateWindowsDump>;

export const FaultCountersDump = Type.Object(
  {
    rules: Type.Array(
      Type.Object(
        { ruleId: Id, fired: Count, remaining: Type.Union([Count, Type.Null()], { description: 'null: unlimited' }), draws: Count },
        { additionalProperties: false },
      ),
      { maxItems: 100_000 },
    ),
  },
  { additionalProperties: false, title: 'FaultCountersDump', description: 'Fault rule counters, by rule id' },
);
export type FaultCountersDump = Static<typeof FaultCountersDump>;

export const JournalRecordDump = Type.Object(
  {
    atMs: Ms,
    requestId: Type.String(),
    keyId: Type.Optional(Type.String()),
    method: Type.String(),
    route: Type.String(),
    url: Type.String(),
    status: Type.Integer(),
    durationMs: Type.Number(),
    jobId: Type.Optional(Type.String()),
    jobStatus: Type.Optional(Type.String()),
    provider: Type.Optional(Type.String()),
    errorCode: Type.Optional(Type.String()),
    retryAfterS: Type.Optional(Type.Number()),
    body: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { additionalProperties: false },
);

export const JournalDump = Type.Object(
  {
    /** The last sequence number handed out: loading never lets new entries reuse one. */
    seq: Count,
    dropped: Count,
    entries: Type.Array(Type.Object({ seq: Type.Integer({ minimum: 1 }), record: JournalRecordDump }, { additionalProperties: false }), {
      maxItems: 1_000_000,
    }),
  },
  { additionalProperties: false, title: 'JournalDump', description: 'The request journal, oldest entry first' },
);
export type JournalDump = Static<typeof JournalDump>;

export const ObservationDump = Type.Object(
  {
    keyId: Type.String(),
    kind: Type.Enum(['sync', 'submit', 'poll', 'other']),
    atMs: Ms,
    requestId: Type.String(),
    status: Type.Integer(),
    jobId: Type.Optional(Type.String()),
    jobStatus: Type.Optional(Type.String()),
    retryAfterS: Type.Optional(Type.Number()),
    bodyHash: Type.Optional(Type.String()),
    startedRealMs: Type.Optional(Type.Number()),
    endedRealMs: Type.Optional(Type.Number()),
    stainlessRetry: Type.Optional(Type.Number()),
    usedDeprecatedProvider: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const ReportDump = Type.Object(
  {
    keys: Type.Array(Type.Object({ keyId: Id, observations: Type.Array(ObservationDump, { maxItems: 100_000 }) }, { additionalProperties: false }), {
      maxItems: 100_000,
    }),
  },
  { additionalProperties: false, title: 'ReportDump', description: 'What the client report is computed from: each key’s recent requests, least recently active key first' },
);
export type ReportDump = Static<typeof ReportDump>;
