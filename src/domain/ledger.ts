import { ApiError } from '../errors.js';
import type { AccountRecord, AccountState, BalanceChange, Booked, ChargeInput, LedgerStore, Opening, SpendInput } from '../state/types.js';
import { MIN_COST_NEURON, neuronToMicroUsd, type Currency } from './billing.js';

export interface LedgerOptions {
  defaultBalanceNeuron: bigint;
  defaultBalanceMicroUsd: bigint;
  usdPer0g: number;
  /** A managed account's currency and starting balance; a plain key's currency (USD_API_KEYS). */
  accountDefaults(accountId: string): { currency: Currency; balance?: bigint | undefined };
  /** Where a charge made with `apiKeyId` counts toward a managed key's credit limit, if it does. */
  spendOf(accountId: string, apiKeyId: string, atMs: number): SpendInput | undefined;
}

/** A charge as the request knows it: the store books it in the account's currency. */
export type ChargeRequest = Omit<ChargeInput, 'amountMicroUsd'>;

/**
 * Billing rules over the ledger store: what an account opens with, the
 * admission floor, and currency conversion. A charge is booked once, when a
 * sync request succeeds or an async job completes (polled or not).
 */
export class LedgerService {
  constructor(
    readonly store: LedgerStore,
    private readonly options: LedgerOptions,
  ) {}

  currencyOf(accountId: string): Currency {
    return this.options.accountDefaults(accountId).currency;
  }

  /** The starting balance of a new account without one of its own. */
  defaultBalance(currency: Currency): bigint {
    return currency === 'usd' ? this.options.defaultBalanceMicroUsd : this.options.defaultBalanceNeuron;
  }

  opening(accountId: string): Opening {
    const defaults = this.options.accountDefaults(accountId);
    return { currency: defaults.currency, balance: defaults.balance ?? this.defaultBalance(defaults.currency) };
  }

  open(accountId: string): Promise<AccountState> {
    return this.store.open(accountId, this.opening(accountId));
  }

  /** The account with its listed charges, opened if it was not (what the control plane and account API show). */
  async record(accountId: string): Promise<AccountRecord> {
    await this.open(accountId);
    const account = await this.store.get(accountId);
    if (!account) throw new Error(`account ${accountId} vanished as it was opened`);
    return account;
  }

  /** Admission: the balance must cover min_cost (0.01 0G, or its USD value). */
  async admit(accountId: string): Promise<AccountState> {
    const account = await this.open(accountId);
    if (account.balance < this.minCost(account.currency)) throw new ApiError('insufficient_balance');
    return account;
  }

  /** min_cost in a currency's base unit. */
  minCost(currency: Currency): bigint {
    return this.amountIn(currency, MIN_COST_NEURON);
  }

  /** A neuron price in a currency's base unit, as a booking converts it. */
  amountIn(currency: Currency, amountNeuron: bigint): bigint {
    return currency === 'usd' ? neuronToMicroUsd(amountNeuron, this.options.usdPer0g) : amountNeuron;
  }

  /** What booking `charge` takes: the input a store (or a job settlement) books atomically. */
  booking(accountId: string, charge: ChargeRequest): { opening: Opening; charge: ChargeInput; spend: SpendInput | undefined } {
    return {
      opening: this.opening(accountId),
      // Field by field: an object spread with an added field is V8's slow copy, on every sync request and settlement.
      charge: {
        apiKeyId: charge.apiKeyId,
        trustMode: charge.trustMode,
        requestId: charge.requestId,
        jobId: charge.jobId,
        model: charge.model,
        provider: charge.provider,
        images: charge.images,
        amountNeuron: charge.amountNeuron,
        atMs: charge.atMs,
        amountMicroUsd: neuronToMicroUsd(charge.amountNeuron, this.options.usdPer0g),
      },
      spend: this.options.spendOf(accountId, charge.apiKeyId, charge.atMs),
    };
  }

  book(accountId: string, charge: ChargeRequest): Promise<Booked> {
    const b = this.booking(accountId, charge);
    return this.store.book(accountId, b.opening, b.charge, b.spend);
  }

  change(accountId: string, change: BalanceChange): Promise<AccountState> {
    return this.store.change(accountId, this.opening(accountId), change);
  }
}
