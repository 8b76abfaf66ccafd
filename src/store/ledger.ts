/**
 * Per-key record of what was booked, in neuron. A charge is booked once, when
 * a sync request succeeds or an async job completes (polled or not); the trace
 * of every later poll reads the booked figure back from here.
 */
export interface Charge {
  /** The request id the charge is booked under (`async-…` for jobs). */
  requestId: string;
  jobId?: string;
  model: string;
  provider: string;
  images: number;
  amountNeuron: bigint;
  atMs: number;
}

export interface AccountLedger {
  keyId: string;
  totalNeuron: bigint;
  chargeCount: number;
  /** The newest charges, oldest first; at most `recentMax`. */
  recent: Charge[];
  droppedCharges: number;
}

export class Ledger {
  readonly #accounts = new Map<string, AccountLedger>();

  constructor(readonly recentMax = 1000) {}

  book(keyId: string, charge: Charge): void {
    const account = this.#account(keyId);
    account.totalNeuron += charge.amountNeuron;
    account.chargeCount++;
    account.recent.push(charge);
    if (account.recent.length > this.recentMax) {
      account.recent.shift();
      account.droppedCharges++;
    }
  }

  account(keyId: string): AccountLedger | undefined {
    return this.#accounts.get(keyId);
  }

  #account(keyId: string): AccountLedger {
    let account = this.#accounts.get(keyId);
    if (!account) {
      account = { keyId, totalNeuron: 0n, chargeCount: 0, recent: [], droppedCharges: 0 };
      this.#accounts.set(keyId, account);
    }
    return account;
  }
}
