import { ApiError } from '../errors.js';
import { MIN_COST_NEURON, neuronToMicroUsd, type Currency } from '../domain/billing.js';

/**
 * Per-key accounts: a balance in the account's currency (neuron for 0G,
 * micro-USD for USD accounts) and the charges booked against it. A charge is
 * booked once, when a sync request succeeds or an async job completes (polled
 * or not); its trace billing is returned so responses show the booked figure.
 */
export interface Charge {
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
  recentMax?: number;
}

export class Ledger {
  readonly #accounts = new Map<string, Account>();
  readonly #recentMax: number;

  constructor(private readonly options: LedgerOptions) {
    this.#recentMax = options.recentMax ?? 1000;
  }

  account(keyId: string): Account | undefined {
    return this.#accounts.get(keyId);
  }

  /** Every account, in the order keys were first seen. */
  accounts(): IterableIterator<Account> {
    return this.#accounts.values();
  }

  /** The key's account, opened with the default balance on first use. */
  open(keyId: string, currency: Currency): Account {
    let account = this.#accounts.get(keyId);
    if (!account) {
      const balance = currency === 'usd' ? this.options.defaultBalanceMicroUsd : this.options.defaultBalanceNeuron;
      account = { keyId, currency, balance, spent: 0n, chargeCount: 0, recent: [], droppedCharges: 0 };
      this.#accounts.set(keyId, account);
    }
    return account;
  }

  reset(keyId?: string): void {
    if (keyId === undefined) this.#accounts.clear();
    else this.#accounts.delete(keyId);
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
    const floor = account.currency === 'usd' ? neuronToMicroUsd(MIN_COST_NEURON, this.options.usdPer0g) : MIN_COST_NEURON;
    if (account.balance < floor) throw new ApiError('insufficient_balance');
  }

  /** A neuron price in a currency's base unit, as a booking converts it. */
  amountIn(currency: Currency, amountNeuron: bigint): bigint {
    return currency === 'usd' ? neuronToMicroUsd(amountNeuron, this.options.usdPer0g) : amountNeuron;
  }

  /** Books a charge priced in neuron; returns what was charged, in the account's currency. */
  book(keyId: string, charge: Omit<Charge, 'amount'>): Booked {
    const account = this.#accounts.get(keyId) ?? this.open(keyId, '0g');
    const amount = this.amountIn(account.currency, charge.amountNeuron);
    // Admission checks a floor, not the price: a large request may take the balance below zero.
    account.balance -= amount;
    account.spent += amount;
    account.chargeCount++;
    // One literal shape for every charge: a spread gave each retained charge its own hidden class.
    account.recent.push({
      requestId: charge.requestId,
      jobId: charge.jobId,
      model: charge.model,
      provider: charge.provider,
      images: charge.images,
      amountNeuron: charge.amountNeuron,
      amount,
      atMs: charge.atMs,
    });
    if (account.recent.length > this.#recentMax) {
      account.recent.shift();
      account.droppedCharges++;
    }
    return { amount, currency: account.currency };
  }
}
