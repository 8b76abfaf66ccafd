import { isPristine, ledgerBounds, ledgerFromJson, ledgerToJson, stateOf, type KeySpendEntry } from '../ledger-records.js';
import type {
  AccountRecord,
  AccountState,
  BalanceChange,
  Booked,
  Charge,
  ChargeInput,
  Json,
  KeySpendState,
  LedgerBounds,
  LedgerStore,
  LedgerTotals,
  Opening,
  SpendInput,
} from '../types.js';

/*
 * Bounds, whatever the number of keys: an account still at its starting
 * balance with no charges carries no information and is pruned first; past
 * `accountsMax` the least recently active accounts are forgotten (down to 90%,
 * so the scan is amortised; their next request starts from the opening), and
 * past `chargesMax` listed charges the least recently active accounts lose
 * their oldest ones (counted in droppedCharges). Map order is activity order.
 */
export class MemoryLedgerStore implements LedgerStore {
  readonly #accounts = new Map<string, AccountRecord>();
  /** The last account #touch put at the end of #accounts (only #touch appends). */
  #lastTouched: string | undefined;
  readonly #spends = new Map<string, KeySpendEntry>();
  readonly #bounds: Required<LedgerBounds>;
  #listedCharges = 0;

  constructor(bounds?: LedgerBounds) {
    this.#bounds = ledgerBounds(bounds);
  }

  async open(accountId: string, opening: Opening): Promise<AccountState> {
    return stateOf(this.#touch(accountId, opening));
  }

  async get(accountId: string): Promise<AccountRecord | undefined> {
    const a = this.#accounts.get(accountId);
    return a && { ...a, recent: a.recent.map((c) => ({ ...c })) };
  }

  async list(limit?: number): Promise<AccountState[]> {
    const all = [...this.#accounts.values()];
    return (limit === undefined ? all : limit > 0 ? all.slice(-limit) : []).map(stateOf);
  }

  async book(accountId: string, opening: Opening, charge: ChargeInput, spend?: SpendInput): Promise<Booked> {
    return this.bookNow(accountId, opening, charge, spend);
  }

  /** Synchronous, so the memory job store settles and books in one step. */
  bookNow(accountId: string, opening: Opening, charge: ChargeInput, spend?: SpendInput): Booked {
    const account = this.#touch(accountId, opening);
    const amount = account.currency === 'usd' ? charge.amountMicroUsd : charge.amountNeuron;
    // A balance may go below zero: admission checks a floor, not the price.
    account.balance -= amount;
    account.spent += amount;
    account.chargeCount++;
    // One literal shape for every charge: a spread gave each retained charge its own hidden class.
    const booked: Charge = {
      id: account.chargeCount,
      apiKeyId: charge.apiKeyId,
      trustMode: charge.trustMode,
      requestId: charge.requestId,
      jobId: charge.jobId,
      model: charge.model,
      provider: charge.provider,
      images: charge.images,
      amountNeuron: charge.amountNeuron,
      amount,
      atMs: charge.atMs,
    };
    account.recent.push(booked);
    this.#listedCharges++;
    if (account.recent.length > this.#bounds.recentMax) {
      account.recent.shift();
      account.droppedCharges++;
      this.#listedCharges--;
    }
    if (this.#listedCharges > this.#bounds.chargesMax) this.#trimCharges();
    if (spend) this.#addSpend(spend, amount, accountId);
    return { amount, currency: account.currency };
  }

  async change(accountId: string, opening: Opening, change: BalanceChange): Promise<AccountState> {
    const account = this.#touch(accountId, opening);
    if (change.kind === 'top_up') account.balance += change.amount;
    else account.balance = change.kind === 'set' ? change.amount : 0n;
    return stateOf(account);
  }

  async totals(): Promise<LedgerTotals> {
    const totals: LedgerTotals = { spentNeuron: 0n, spentMicroUsd: 0n, charges: 0, accounts: this.#accounts.size };
    for (const a of this.#accounts.values()) {
      if (a.currency === 'usd') totals.spentMicroUsd += a.spent;
      else totals.spentNeuron += a.spent;
      totals.charges += a.chargeCount;
    }
    return totals;
  }

  async keySpend(keyId: string): Promise<KeySpendState | undefined> {
    const s = this.#spends.get(keyId);
    return s && { used: s.used, periodStartMs: s.periodStartMs };
  }

  async reset(accountId?: string, keyIds: readonly string[] = []): Promise<void> {
    if (accountId === undefined) {
      this.#accounts.clear();
      this.#spends.clear();
      this.#listedCharges = 0;
      return;
    }
    this.#forget(accountId);
    for (const keyId of keyIds) this.#spends.delete(keyId);
  }

  async dump(accountId?: string): Promise<Json> {
    const accounts = [...this.#accounts.values()].filter((a) => accountId === undefined || a.accountId === accountId);
    const keySpends = [...this.#spends.values()].filter((s) => accountId === undefined || s.accountId === accountId);
    return ledgerToJson({ accounts, keySpends });
  }

  async load(dump: Json): Promise<void> {
    const { accounts, keySpends } = ledgerFromJson(dump);
    for (const record of accounts) {
      this.#forget(record.accountId);
      const account = this.#touch(record.accountId, record);
      Object.assign(account, record, { recent: record.recent.slice(-this.#bounds.recentMax) });
      account.droppedCharges += record.recent.length - account.recent.length;
      this.#listedCharges += account.recent.length;
      if (this.#listedCharges > this.#bounds.chargesMax) this.#trimCharges();
    }
    for (const s of keySpends) this.#putSpend(s);
  }

  /** The account, opened if absent, made the most recently active. */
  #touch(accountId: string, opening: Opening): AccountRecord {
    let account = this.#accounts.get(accountId);
    // Already the most recent (one busy key): no reordering. A delete and re-insert per booking left the
    // map's table full of deleted entries to compact.
    if (account && accountId === this.#lastTouched) return account;
    if (account) {
      this.#accounts.delete(accountId);
    } else {
      if (this.#accounts.size >= this.#bounds.accountsMax) this.#prune();
      const { currency, balance } = opening;
      account = { accountId, currency, balance, spent: 0n, chargeCount: 0, droppedCharges: 0, startBalance: balance, recent: [] };
    }
    this.#accounts.set(accountId, account);
    this.#lastTouched = accountId;
    return account;
  }

  #forget(accountId: string): void {
    this.#listedCharges -= this.#accounts.get(accountId)?.recent.length ?? 0;
    this.#accounts.delete(accountId);
  }

  #prune(): void {
    for (const a of this.#accounts.values()) if (isPristine(a)) this.#forget(a.accountId);
    for (const accountId of this.#accounts.keys()) {
      if (this.#accounts.size < this.#bounds.accountsMax * 0.9) break;
      this.#forget(accountId);
    }
  }

  #trimCharges(): void {
    const target = Math.floor(this.#bounds.chargesMax * 0.9);
    for (const account of this.#accounts.values()) {
      if (this.#listedCharges <= target) break;
      const drop = Math.min(account.recent.length, this.#listedCharges - target);
      account.recent.splice(0, drop);
      account.droppedCharges += drop;
      this.#listedCharges -= drop;
    }
  }

  /** Spend restarts at zero when the charge falls in a later period than the one counted. */
  #addSpend(spend: SpendInput, amount: bigint, accountId: string): void {
    const s = this.#spends.get(spend.keyId);
    const kept = s && spend.periodStartMs <= s.periodStartMs ? s : { used: 0n, periodStartMs: spend.periodStartMs };
    this.#putSpend({ keyId: spend.keyId, accountId, used: kept.used + amount, periodStartMs: kept.periodStartMs });
  }

  #putSpend(entry: KeySpendEntry): void {
    this.#spends.delete(entry.keyId);
    this.#spends.set(entry.keyId, entry);
    if (this.#spends.size > this.#bounds.keySpendsMax) this.#spends.delete(this.#spends.keys().next().value!);
  }
}
