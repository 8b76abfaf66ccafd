import { ApiError } from '../errors.js';
import { MIN_COST_NEURON, neuronToMicroUsd, type Currency } from '../domain/billing.js';

/**
 * Per-key accounts: a balance in the account's currency (neuron for 0G,
 * micro-USD for USD accounts) and the charges booked against it. A charge is
 * booked once, when a sync request succeeds or an async job completes (polled
 * or not); its trace billing is returned so responses show the booked figure.
 */
export interface Charge {
  /** 1, 2, 3… per account: the usage-history row id. */
  id: number;
  /** The key the request was made with (`key_…`). */
  apiKeyId: string;
  /** The serving provider's trust tier, for usage filters. */
  trustMode: string;
  /** The request id the charge is booked under (`async-…` for jobs). */
  requestId: string;
  jobId?: string;
  model: string;
  provider: string;
  images: number;
  amountNeuron: bigint;
  /** In the account's currency. */
  amount: bigint;
  atMs: number;
}

/** What a booking charged: trace billing is derived from it (imageBilling). */
export interface Booked {
  amount: bigint;
  currency: Currency;
}

export interface Account {
  keyId: string;
  currency: Currency;
  balance: bigint;
  spent: bigint;
  chargeCount: number;
  /** The newest charges, oldest first; at most `recentMax`. */
  recent: Charge[];
  droppedCharges: number;
}

export interface LedgerOptions {
  defaultBalanceNeuron: bigint;
  defaultBalanceMicroUsd: bigint;
  usdPer0g: number;
  /** An account's currency and starting balance when it is not open: a charge booked after its account was pruned keeps them. */
  accountDefaults?: (accountId: string) => { currency: Currency; balance?: bigint | undefined };
  recentMax?: number;
  accountsMax?: number;
  chargesMax?: number;
  /** Told of every booking (API keys count it toward their credit limit). */
  onBooked?: (accountId: string, charge: Charge) => void;
}

/*
 * Bounds, whatever the number of keys: an account still at its default
 * balance with no charges carries no information and is pruned first; past
 * `accountsMax` the least recently active accounts are forgotten (their next
 * request starts from the default balance), and past `chargesMax` listed
 * charges the least recently active accounts lose their oldest ones (counted
 * in `droppedCharges`). The Map's order is the activity order.
 */
const ACCOUNTS_MAX = 10_000;
const CHARGES_MAX = 100_000;

export class Ledger {
  readonly #accounts = new Map<string, Account>();
  readonly #recentMax: number;
  readonly #accountsMax: number;
  readonly #chargesMax: number;
  #listedCharges = 0;

  constructor(private readonly options: LedgerOptions) {
    this.#recentMax = options.recentMax ?? 1000;
    this.#accountsMax = options.accountsMax ?? ACCOUNTS_MAX;
    this.#chargesMax = options.chargesMax ?? CHARGES_MAX;
  }

  get size(): number {
    return this.#accounts.size;
  }

  account(keyId: string): Account | undefined {
    return this.#accounts.get(keyId);
  }

  /** Every account, least recently active first. */
  accounts(): IterableIterator<Account> {
    return this.#accounts.values();
  }

  /** The starting balance of a new account without one of its own. */
  defaultBalance(currency: Currency): bigint {
    return currency === 'usd' ? this.options.defaultBalanceMicroUsd : this.options.defaultBalanceNeuron;
  }

  /** An account's currency, known whether or not it is open (accountDefaults). */
  currencyOf(keyId: string): Currency {
    return this.#accounts.get(keyId)?.currency ?? this.options.accountDefaults?.(keyId).currency ?? '0g';
  }

  /** What an account starts with: its own balance (managed accounts) or the configured default. */
  #startBalance(keyId: string, currency: Currency): bigint {
    return this.options.accountDefaults?.(keyId).balance ?? this.defaultBalance(currency);
  }

  /**
   * The account, opened on first use with its currency and starting balance.
   * `keyId` is the account id: a plain `sk-` key's own id, or `acct_…`.
   */
  open(keyId: string, currency: Currency = this.currencyOf(keyId)): Account {
    let account = this.#accounts.get(keyId);
    if (!account) {
      if (this.#accounts.size >= this.#accountsMax) this.#prune();
      const balance = this.#startBalance(keyId, currency);
      account = { keyId, currency, balance, spent: 0n, chargeCount: 0, recent: [], droppedCharges: 0 };
      this.#accounts.set(keyId, account);
    }
    return account;
  }

  reset(keyId?: string): void {
    if (keyId === undefined) {
      this.#accounts.clear();
      this.#listedCharges = 0;
      return;
    }
    this.#listedCharges -= this.#accounts.get(keyId)?.recent.length ?? 0;
    this.#accounts.delete(keyId);
  }

  /** Pristine accounts (reopened identical) first, then the least recently active, down to 90% so the scan is amortised. */
  #prune(): void {
    for (const [keyId, a] of this.#accounts) {
      if (a.chargeCount === 0 && a.balance === this.#startBalance(keyId, a.currency)) this.#accounts.delete(keyId);
    }
    for (const keyId of this.#accounts.keys()) {
      if (this.#accounts.size < this.#accountsMax * 0.9) break;
      this.reset(keyId);
    }
  }

  /** Drops the oldest listed charges of the least recently active accounts, down to 90% of the bound. */
  #trimCharges(): void {
    const target = Math.floor(this.#chargesMax * 0.9);
    for (const account of this.#accounts.values()) {
      if (this.#listedCharges <= target) break;
      const drop = Math.min(account.recent.length, this.#listedCharges - target);
      account.recent.splice(0, drop);
      account.droppedCharges += drop;
      this.#listedCharges -= drop;
    }
  }

  totals(): { spentNeuron: bigint; spentMicroUsd: bigint; charges: number } {
    let spentNeuron = 0n;
    let spentMicroUsd = 0n;
    let charges = 0;
    for (const account of this.#accounts.values()) {
      if (account.currency === 'usd') spentMicroUsd += account.spent;
      else spentNeuron += account.spent;
      charges += account.chargeCount;
    }
    return { spentNeuron, spentMicroUsd, charges };
  }

  /** Admission: the balance must cover min_cost (0.01 0G, or its USD value). */
  admit(keyId: string): void {
    const account = this.#accounts.get(keyId);
    if (!account) return;
    if (account.balance < this.minCost(account.currency)) throw new ApiError('insufficient_balance');
  }

  /** min_cost in a currency's base unit. */
  minCost(currency: Currency): bigint {
    return this.amountIn(currency, MIN_COST_NEURON);
  }

  /** A neuron price in a currency's base unit, as a booking converts it. */
  amountIn(currency: Currency, amountNeuron: bigint): bigint {
    return currency === 'usd' ? neuronToMicroUsd(amountNeuron, this.options.usdPer0g) : amountNeuron;
  }

  /** Books a charge priced in neuron; returns what was charged, in the account's currency. */
  book(keyId: string, charge: Omit<Charge, 'amount' | 'id'>): Booked {
    const account = this.#accounts.get(keyId) ?? this.open(keyId);
    // Most recently active last: pruning takes from the front.
    this.#accounts.delete(keyId);
    this.#accounts.set(keyId, account);
    const amount = this.amountIn(account.currency, charge.amountNeuron);
    // Admission checks a floor, not the price: a large request may take the balance below zero.
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
    this.options.onBooked?.(keyId, booked);
    this.#listedCharges++;
    if (account.recent.length > this.#recentMax) {
      account.recent.shift();
      account.droppedCharges++;
      this.#listedCharges--;
    }
    if (this.#listedCharges > this.#chargesMax) this.#trimCharges();
    return { amount, currency: account.currency };
  }
}
