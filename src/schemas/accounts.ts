import Type, { type Static } from 'typebox';
import { CreateApiKeyRequest } from './api-keys.js';

/**
 * Accounts that own keys: declared under `accounts:` in EMULATOR_CONFIG or
 * created with POST /_emulator/managed-accounts (one shape for both), and the
 * Router's account API answers (contract §12, §15, §18.15).
 */
export const MANAGEMENT_SCOPES = ['account:read', 'keys:read', 'keys:create', 'keys:manage'] as const;
export const ManagementScope = Type.Enum([...MANAGEMENT_SCOPES]);

export const DeclaredApiKey = Type.Object(
  { ...CreateApiKeyRequest.properties, key: Type.String({ pattern: '^sk-[A-Za-z0-9_.-]{8,200}$' }) },
  { additionalProperties: false, title: 'DeclaredApiKey' },
);

export const AccountSpecSchema = Type.Object(
  {
    management_key: Type.Optional(Type.String({ pattern: '^mk-[A-Za-z0-9_.-]{8,200}$', description: 'generated when omitted' })),
    currency: Type.Optional(Type.Enum(['0g', 'usd'])),
    balance: Type.Optional(Type.String({ pattern: '^[0-9]{1,12}(\\.[0-9]{1,18})?$', description: 'starting balance in 0G (USD for usd accounts); default DEFAULT_BALANCE_0G/_USD' })),
    scopes: Type.Optional(Type.Array(ManagementScope, { description: 'of the management key; default all four', maxItems: 4 })),
    api_keys: Type.Optional(Type.Array(DeclaredApiKey, { maxItems: 100 })),
  },
  { additionalProperties: false, title: 'AccountSpec' },
);
export const AccountSpecList = Type.Array(AccountSpecSchema, { maxItems: 1000 });

export const CreatedAccount = Type.Object(
  {
    account_id: Type.String(),
    address: Type.String(),
    management_key: Type.String(),
    currency: Type.Enum(['0g', 'usd']),
    api_keys: Type.Array(Type.Object({ key: Type.String(), key_id: Type.String() })),
  },
  { title: 'ManagedAccount' },
);

const Neuron = (example: string) => Type.String({ pattern: '^-?[0-9]+$', description: 'integer neuron (micro-USD for usd accounts)', examples: [example] });
const Currency = Type.Enum(['0g', 'usd'], { description: '"0g": amounts in neuron; "usd": micro-USD' });
const Date = Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', description: 'YYYY-MM-DD (UTC), inclusive' });
const tokenFields = {
  input_tokens: Type.Integer(),
  output_tokens: Type.Integer(),
  cached_tokens: Type.Integer(),
  cache_write_tokens: Type.Integer(),
  cache_write_1h_tokens: Type.Integer(),
};

export const UsageLogEntry = Type.Object(
  {
    id: Type.Integer(),
    request_id: Type.String({ description: 'X-Request-ID of a sync request; async-<8 chars of provider address>-<jobId> for a job' }),
    api_key_id: Type.String(),
    model_id: Type.String(),
    canonical_id: Type.String(),
    provider_address: Type.String(),
    trust_mode: Type.String(),
    ...tokenFields,
    cost: Neuron('3000000000000000'),
    credit_used: Neuron('0'),
    deposit_used: Neuron('3000000000000000'),
    created_at: Type.String({ format: 'date-time' }),
  },
  { title: 'UsageLogEntry' },
);

export const UsageHistoryResponse = Type.Object(
  {
    object: Type.Literal('list'),
    currency: Currency,
    data: Type.Array(UsageLogEntry),
    limit: Type.Integer(),
    offset: Type.Integer(),
    total: Type.Optional(Type.Integer({ description: 'omitted with include_total=false or a cursor' })),
    next_cursor: Type.Optional(Type.String({ description: 'absent on the last page' })),
  },
  { title: 'UsageHistoryResponse' },
);

export const DailyUsageEntry = Type.Object(
  {
    date: Date,
    model_id: Type.String(),
    canonical_id: Type.String(),
    request_count: Type.Integer(),
    ...tokenFields,
    cost: Neuron('3000000000000000'),
    trust_mode: Type.Optional(Type.String({ description: 'only with dimensions=trust_mode' })),
  },
  { title: 'DailyUsageSummaryEntry' },
);
export const DailyUsageResponse = Type.Object({ object: Type.Literal('list'), currency: Currency, data: Type.Array(DailyUsageEntry) }, { title: 'DailyUsageResponse' });

export const UsageStatsResponse = Type.Object(
  {
    total_requests: Type.Integer(),
    total_cost: Neuron('3000000000000000'),
    prompt_tokens: Type.Integer(),
    completion_tokens: Type.Integer(),
    total_tokens: Type.Integer(),
    currency: Currency,
  },
  { title: 'UsageStatsResponse' },
);

export const FundsResponse = Type.Object(
  {
    address: Type.String(),
    currency: Currency,
    router: Type.Object({ deposit: Neuron('1000'), credit: Neuron('0'), pending_charge: Neuron('0'), subtotal: Neuron('1000') }),
    payment_layer: Type.Object({ balance: Neuron('0'), queried_at: Type.String({ format: 'date-time' }), shared_across_products: Type.Boolean() }),
    total: Neuron('1000'),
  },
  { title: 'FundsResponse' },
);

export const BalanceResponse = Type.Object(
  {
    address: Type.String(),
    deposit_balance: Neuron('1000'),
    credit_balance: Neuron('0'),
    total_balance: Neuron('1000'),
    balance: Neuron('1000'),
  },
  { title: 'BalanceResponse', description: 'the Router ledger only, never below 0 (pending charges are not subtracted)' },
);

const TrustFilter = Type.Enum(['standard', 'verified', 'private', '']);
const SourceFilter = Type.Enum(['wallet', 'api_key', ''], { description: 'every emulated request comes from an API key' });
const usageFilters = {
  api_key_id: Type.Optional(Type.String({ maxLength: 64 })),
  source: Type.Optional(SourceFilter),
  start_date: Type.Optional(Date),
  end_date: Type.Optional(Date),
  trust_mode: Type.Optional(TrustFilter),
};
const IntString = (max: number) => Type.String({ pattern: `^[0-9]{1,${max}}$` });

export const UsageHistoryQuery = Type.Object({
  limit: Type.Optional(IntString(6)),
  offset: Type.Optional(IntString(9)),
  cursor: Type.Optional(Type.String({ maxLength: 64 })),
  include_total: Type.Optional(Type.Enum(['true', 'false'])),
  model_id: Type.Optional(Type.String({ maxLength: 256 })),
  ...usageFilters,
});
export const DailyUsageQuery = Type.Object({ ...usageFilters, dimensions: Type.Optional(Type.Enum(['trust_mode', ''])) });
export const UsageStatsQuery = Type.Object(usageFilters);

export type AccountSpec = Static<typeof AccountSpecSchema>;
export type DeclaredApiKeyBody = Static<typeof DeclaredApiKey>;
export type ManagementScopeName = (typeof MANAGEMENT_SCOPES)[number];
export type UsageLogEntryBody = Static<typeof UsageLogEntry>;
export type UsageHistoryBody = Static<typeof UsageHistoryResponse>;
export type UsageHistoryQueryParams = Static<typeof UsageHistoryQuery>;
export type DailyUsageQueryParams = Static<typeof DailyUsageQuery>;
export type UsageStatsQueryParams = Static<typeof UsageStatsQuery>;
export type DailyUsageEntryBody = Static<typeof DailyUsageEntry>;
export type FundsBody = Static<typeof FundsResponse>;
export type BalanceBody = Static<typeof BalanceResponse>;
