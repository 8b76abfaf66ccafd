import { ApiError } from '../errors.js';
import { isoMs } from '../lib/clock.js';
import type {
  BalanceBody,
  DailyUsageEntryBody,
  DailyUsageQueryParams,
  FundsBody,
  UsageHistoryBody,
  UsageHistoryQueryParams,
  UsageLogEntryBody,
  UsageStatsQueryParams,
} from '../schemas/accounts.js';
import type { AccountRecord as Account, Charge } from '../state/types.js';
import type { LedgerService } from './ledger.js';
import type { ManagedAccount } from './accounts.js';

/**
 * The Router's account API over the ledger (contract §12, §15, §18.15): the
 * same charges `x_0g_trace` reports, so the numbers agree. Images have no
 * tokens (all token counts are 0); every emulated request comes from an API
 * key, so `source=wallet` matches nothing.
 */
const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 100;
const NO_TOKENS = { input_tokens: 0, output_tokens: 0, cached_tokens: 0, cache_write_tokens: 0, cache_write_1h_tokens: 0 };

const dayOf = (atMs: number) => isoMs(atMs).slice(0, 10);

function filterCharges(charges: readonly Charge[], q: UsageStatsQueryParams & { model_id?: string }): Charge[] {
  if (q.start_date && q.end_date && q.start_date > q.end_date) throw new ApiError('bad_request', 'start_date is after end_date');
  return charges.filter(
    (c) =>
      (!q.api_key_id || c.apiKeyId === q.api_key_id) &&
      q.source !== 'wallet' &&
      (!q.trust_mode || c.trustMode === q.trust_mode) &&
      (!q.model_id || c.model === q.model_id) &&
      (!q.start_date || dayOf(c.atMs) >= q.start_date) &&
      (!q.end_date || dayOf(c.atMs) <= q.end_date),
  );
}

function logEntry(c: Charge): UsageLogEntryBody {
  return {
    id: c.id,
    request_id: c.requestId,
    api_key_id: c.apiKeyId,
    model_id: c.model,
    canonical_id: c.model,
    provider_address: c.provider,
    trust_mode: c.trustMode,
    ...NO_TOKENS,
    cost: c.amount.toString(),
    credit_used: '0',
    deposit_used: c.amount.toString(),
    created_at: isoMs(c.atMs),
  };
}

/** The cursor is the id of the last row served, opaque to clients. */
const encodeCursor = (id: number) => Buffer.from(`id:${id}`).toString('base64url');
function decodeCursor(cursor: string): number {
  const match = /^id:(\d{1,12})$/.exec(Buffer.from(cursor, 'base64url').toString('latin1'));
  if (!match) throw new ApiError('bad_request', 'cursor is not a next_cursor this server issued');
  return Number(match[1]);
}

/** Newest first; `cursor` seeks past a row id (and drops `total`), `offset` pages the legacy way. */
function usageHistory(account: Account, q: UsageHistoryQueryParams): UsageHistoryBody {
  const limit = Math.min(MAX_LIMIT, q.limit === undefined ? DEFAULT_LIMIT : Math.max(1, Number(q.limit)));
  const offset = q.cursor ? 0 : Number(q.offset ?? 0);
  let rows = filterCharges(account.recent, q).reverse();
  const total = rows.length;
  if (q.cursor) {
    const after = decodeCursor(q.cursor);
    rows = rows.filter((c) => c.id < after);
  }
  const page = rows.slice(offset, offset + limit);
  const body: UsageHistoryBody = { object: 'list', currency: account.currency, data: page.map(logEntry), limit, offset };
  if (!q.cursor && q.include_total !== 'false') body.total = total;
  if (offset + limit < rows.length) body.next_cursor = encodeCursor(page[page.length - 1]!.id);
  return body;
}

/** One row per (day, model), or per (day, model, trust tier) with dimensions=trust_mode; oldest day first. */
function dailyUsage(account: Account, q: DailyUsageQueryParams): DailyUsageEntryBody[] {
  const byTrust = q.dimensions === 'trust_mode';
  const rows = new Map<string, DailyUsageEntryBody>();
  for (const c of filterCharges(account.recent, q)) {
    const date = dayOf(c.atMs);
    const key = `${date} ${c.model} ${byTrust ? c.trustMode : ''}`;
    let row = rows.get(key);
    if (!row) {
      row = { date, model_id: c.model, canonical_id: c.model, request_count: 0, ...NO_TOKENS, cost: '0' };
      if (byTrust) row.trust_mode = c.trustMode;
      rows.set(key, row);
    }
    row.request_count++;
    row.cost = (BigInt(row.cost) + c.amount).toString();
  }
  return [...rows.values()].sort(
    (a, b) => a.date.localeCompare(b.date) || a.model_id.localeCompare(b.model_id) || (a.trust_mode ?? '').localeCompare(b.trust_mode ?? ''),
  );
}

/** Unfiltered, the account's lifetime totals; filtered, over the charges the ledger still lists. */
function usageStats(account: Account, q: UsageStatsQueryParams): { total_requests: number; total_cost: string } {
  const filtered = Object.values(q).some((v) => v !== undefined && v !== '');
  if (!filtered) return { total_requests: account.chargeCount, total_cost: account.spent.toString() };
  const charges = filterCharges(account.recent, q);
  return { total_requests: charges.length, total_cost: charges.reduce((s, c) => s + c.amount, 0n).toString() };
}

/**
 * `/account/funds`: the emulator's ledger is the Router deposit; a balance
 * driven below zero by a large charge shows as `pending_charge` (owed to the
 * Router), and there is no Payment Layer vault (its balance is 0).
 */
function funds(account: Account, address: string, nowMs: number): FundsBody {
  const current = account.balance;
  const deposit = current > 0n ? current : 0n;
  const pending = current < 0n ? -current : 0n;
  const subtotal = deposit - pending;
  return {
    address,
    currency: account.currency,
    router: { deposit: deposit.toString(), credit: '0', pending_charge: pending.toString(), subtotal: subtotal.toString() },
    payment_layer: { balance: '0', queried_at: isoMs(nowMs), shared_across_products: true },
    total: subtotal.toString(),
  };
}

/** The account API of one managed account, read from its ledger account. */
export class AccountApi {
  constructor(
    private readonly ledger: LedgerService,
    private readonly nowMs: () => number,
  ) {}

  #account(managed: ManagedAccount): Promise<Account> {
    return this.ledger.record(managed.id);
  }

  async history(managed: ManagedAccount, q: UsageHistoryQueryParams): Promise<UsageHistoryBody> {
    return usageHistory(await this.#account(managed), q);
  }

  async daily(managed: ManagedAccount, q: DailyUsageQueryParams) {
    return { object: 'list' as const, currency: managed.currency, data: dailyUsage(await this.#account(managed), q) };
  }

  async stats(managed: ManagedAccount, q: UsageStatsQueryParams) {
    return { ...usageStats(await this.#account(managed), q), prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, currency: managed.currency };
  }

  async funds(managed: ManagedAccount): Promise<FundsBody> {
    return funds(await this.#account(managed), managed.address, this.nowMs());
  }

  /** `/account/balance`: the ledger alone, floored at 0 (an overdraft shows only in /funds). */
  async balance(managed: ManagedAccount): Promise<BalanceBody> {
    const current = (await this.#account(managed)).balance;
    const deposit = (current > 0n ? current : 0n).toString();
    return { address: managed.address, deposit_balance: deposit, credit_balance: '0', total_balance: deposit, balance: deposit };
  }
}
