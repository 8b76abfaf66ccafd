import { MAX_TIMER_MS } from '../lib/clock.js';
import Type from 'typebox';
import { FaultCountersDump, JournalDump, RateWindowsDump, ReportDump } from './state-dumps.js';

export const KeyQuery = Type.Object({ key: Type.String({ minLength: 1, description: 'the API key (sk-…)' }) });

export const Charge = Type.Object({
  request_id: Type.String(),
  job_id: Type.Optional(Type.String()),
  model: Type.String(),
  provider: Type.String(),
  images: Type.Integer(),
  amount_neuron: Type.String(),
  amount: Type.String({ description: 'in the account currency: neuron (0g) or micro-USD (usd)' }),
  at: Type.String({ format: 'date-time' }),
});

export const LedgerView = Type.Object(
  {
    key_id: Type.String(),
    currency: Type.Union([Type.Literal('0g'), Type.Literal('usd')]),
    balance: Type.String(),
    spent: Type.String(),
    revoked: Type.Boolean(),
    charge_count: Type.Integer(),
    dropped_charges: Type.Integer({ description: 'older charges no longer listed' }),
    charges: Type.Array(Charge),
  },
  { title: 'LedgerView' },
);

export const AccountAction = Type.Object(
  {
    key: Type.String({ minLength: 1 }),
    action: Type.Union([
      Type.Literal('top_up'),
      Type.Literal('drain'),
      Type.Literal('set_balance'),
      Type.Literal('revoke'),
      Type.Literal('restore'),
    ]),
    amount: Type.Optional(Type.String({ pattern: '^[0-9]{1,15}(\\.[0-9]{1,18})?$', description: 'in 0G, or USD for USD accounts' })),
  },
  { additionalProperties: false, title: 'AccountAction' },
);

export const JournalQuery = Type.Object({
  key: Type.Optional(Type.String()),
  route: Type.Optional(Type.String()),
  job: Type.Optional(Type.String()),
  since: Type.Optional(Type.String({ format: 'date-time' })),
  limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,7}$' })),
});

export const ResetBody = Type.Object(
  {
    key: Type.Optional(Type.String({ minLength: 1, description: 'reset only this key; omit both for everything' })),
    key_id: Type.Optional(Type.String({ pattern: '^key_[0-9a-f]{16}$', description: 'reset only the key with this id (what the console knows)' })),
  },
  { additionalProperties: false },
);

export const ProviderHealthBody = Type.Object(
  {
    address: Type.String({ pattern: '^0x[0-9a-fA-F]{40}$' }),
    healthy: Type.Boolean(),
    inMs: Type.Optional(
      Type.Integer({ minimum: 0, maximum: MAX_TIMER_MS, description: 'take effect this many ms from now on the emulator clock (at most 2^31-1, ~24.8 days)' }),
    ),
  },
  { additionalProperties: false, title: 'ProviderHealthChange' },
);

/** A control-plane answer documented by its description; its fields are listed in the README. */
export const Free = (title: string) => Type.Object({}, { additionalProperties: true, title });

const Dumped = (description: string) => Type.Unknown({ description });

/** GET/PUT /_emulator/state: the same document from either backend. */
export const StateDump = Type.Object(
  {
    format: Type.Literal('0g-router-emulator/state@1'),
    backend: Type.Optional(Type.Union([Type.Literal('memory'), Type.Literal('redis')], { description: 'where it was exported from (informative)' })),
    exported_at: Type.Optional(Type.String({ format: 'date-time' })),
    scope: Type.Optional(Type.Object({ key_id: Type.String(), account_id: Type.String() }, { additionalProperties: false })),
    control: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), {
        description: 'accounts, revoked, faults (definitions), health (changes over time), clock (manual only): replaced wholesale when present',
      }),
    ),
    ledger: Type.Optional(Dumped('accounts with balances, listed charges and key spends (amounts are decimal strings)')),
    jobs: Type.Optional(Dumped('retained jobs (bigints as decimal strings, edit thumbnails as base64)')),
    fault_counters: Type.Optional(FaultCountersDump),
    journal: Type.Optional(JournalDump),
    reports: Type.Optional(ReportDump),
    rate_windows: Type.Optional(RateWindowsDump),
  },
  { additionalProperties: false, title: 'StateDump' },
);

export const StateQuery = Type.Object({
  key: Type.Optional(Type.String({ minLength: 1, description: "only this API key's state (its account's ledger and jobs, its journal and report)" })),
});
