import type { Currency } from '../domain/billing.js';
import { arr, dec, int, obj, oneOf, optStr, str, type Obj } from './dump-read.js';
import type { AccountRecord, AccountState, Charge, Json, LedgerBounds } from './types.js';

/*
 * What both ledger stores share: their bounds and their dump format. A dump is
 * the same JSON whichever backend wrote it, so state moves between them.
 */

/** Key spends kept (one per managed key that booked), the least recently charged forgotten first. */
export const KEY_SPENDS_MAX = 100_000;

export function ledgerBounds(b: LedgerBounds = {}): Required<LedgerBounds> {
  return {
    recentMax: b.recentMax ?? 1000,
    accountsMax: b.accountsMax ?? 10_000,
    chargesMax: b.chargesMax ?? 100_000,
    keySpendsMax: b.keySpendsMax ?? KEY_SPENDS_MAX,
  };
}

/** A key's spend as stored: with the account it was booked on, so a dump of that account carries it. */
export interface KeySpendEntry {
  keyId: string;
  accountId: string;
  used: bigint;
  periodStartMs: number;
}

export interface LedgerContent {
  /** Least recently active first. */
  accounts: AccountRecord[];
  /** Least recently charged first. */
  keySpends: KeySpendEntry[];
}

const CURRENCIES: readonly Currency[] = ['0g', 'usd'];

export function chargeToJson(c: Charge): Obj {
  return {
    id: c.id,
    apiKeyId: c.apiKeyId,
    trustMode: c.trustMode,
    requestId: c.requestId,
    ...(c.jobId === undefined ? {} : { jobId: c.jobId }),
    model: c.model,
    provider: c.provider,
    images: c.images,
    amountNeuron: c.amountNeuron.toString(),
    amount: c.amount.toString(),
    atMs: c.atMs,
  };
}

export function chargeFromJson(v: unknown, path: string): Charge {
  const o = obj(v, path);
  return {
    id: int(o, 'id', path, 1),
    apiKeyId: str(o, 'apiKeyId', path),
    trustMode: str(o, 'trustMode', path),
    requestId: str(o, 'requestId', path),
    jobId: optStr(o, 'jobId', path),
    model: str(o, 'model', path),
    provider: str(o, 'provider', path),
    images: int(o, 'images', path),
    amountNeuron: dec(o, 'amountNeuron', path),
    amount: dec(o, 'amount', path),
    atMs: int(o, 'atMs', path, Number.MIN_SAFE_INTEGER),
  };
}

export function stateOf(a: AccountState): AccountState {
  const { accountId, currency, balance, spent, chargeCount, droppedCharges, startBalance } = a;
  return { accountId, currency, balance, spent, chargeCount, droppedCharges, startBalance };
}

export function isPristine(a: AccountState): boolean {
  return a.chargeCount === 0 && a.balance === a.startBalance;
}

export function ledgerToJson(content: LedgerContent): Json {
  return {
    accounts: content.accounts.map((a) => ({
      ...stateOf(a),
      balance: a.balance.toString(),
      spent: a.spent.toString(),
      startBalance: a.startBalance.toString(),
      recent: a.recent.map(chargeToJson),
    })) as Json,
    keySpends: content.keySpends.map((s) => ({ ...s, used: s.used.toString() })),
  };
}

export function ledgerFromJson(json: Json): LedgerContent {
  const root = obj(json, 'ledger');
  const accounts = arr(root.accounts ?? [], 'ledger.accounts').map((v, i): AccountRecord => {
    const path = `ledger.accounts[${i}]`;
    const o = obj(v, path);
    return {
      accountId: str(o, 'accountId', path),
      currency: oneOf(o, 'currency', path, CURRENCIES),
      balance: dec(o, 'balance', path),
      spent: dec(o, 'spent', path),
      chargeCount: int(o, 'chargeCount', path),
      droppedCharges: int(o, 'droppedCharges', path),
      startBalance: dec(o, 'startBalance', path),
      recent: arr(o.recent ?? [], `${path}.recent`).map((c, j) => chargeFromJson(c, `${path}.recent[${j}]`)),
    };
  });
  const keySpends = arr(root.keySpends ?? [], 'ledger.keySpends').map((v, i): KeySpendEntry => {
    const path = `ledger.keySpends[${i}]`;
    const o = obj(v, path);
    return {
      keyId: str(o, 'keyId', path),
      accountId: str(o, 'accountId', path),
      used: dec(o, 'used', path),
      periodStartMs: int(o, 'periodStartMs', path, Number.MIN_SAFE_INTEGER),
    };
  });
  return { accounts, keySpends };
}
