import type { Currency } from '../../domain/billing.js';
import { chargeFromJson, chargeToJson, ledgerBounds, ledgerFromJson, ledgerToJson, type KeySpendEntry } from '../ledger-records.js';
import type {
  AccountRecord,
  AccountState,
  BalanceChange,
  Booked,
  ChargeInput,
  Json,
  KeySpendState,
  LedgerBounds,
  LedgerStore,
  LedgerTotals,
  Opening,
  SpendInput,
} from '../types.js';
import type { Arg, LuaScript, RedisLink } from './link.js';
import * as S from './ledger-scripts.js';

/** HMGET of FIELDS in ledger-lua.ts. */
type Fields = [string, string, string, string, string, string];

function stateOf(accountId: string, f: Fields): AccountState {
  return {
    accountId,
    currency: f[0] as Currency,
    balance: BigInt(f[1]),
    spent: BigInt(f[2]),
    chargeCount: Number(f[3]),
    droppedCharges: Number(f[4]),
    startBalance: BigInt(f[5]),
  };
}

function recordOf(accountId: string, f: Fields, charges: string[]): AccountRecord {
  return { ...stateOf(accountId, f), recent: charges.map((c, i) => chargeFromJson(JSON.parse(c), `charges:${accountId}[${i}]`)) };
}

/** "<used> <periodStartMs> <accountId>" (ledger-lua.ts put_spend). */
function spendOf(keyId: string, v: string): KeySpendEntry {
  const [used, startMs] = v.split(' ', 2) as [string, string];
  return { keyId, used: BigInt(used), periodStartMs: Number(startMs), accountId: v.slice(used.length + startMs.length + 2) };
}

/**
 * The ledger in Redis (key layout in ledger-lua.ts): every change is one Lua
 * script, so replicas sharing a Redis book as one emulator, and the bounds
 * are enforced inside the same scripts.
 */
export class RedisLedgerStore implements LedgerStore {
  /** ARGV[1..LEDGER_ARGS] of every ledger script. */
  readonly configArgs: readonly Arg[];

  constructor(
    private readonly link: RedisLink,
    bounds?: LedgerBounds,
  ) {
    const b = ledgerBounds(bounds);
    this.configArgs = [link.key('ledger', ''), b.recentMax, b.accountsMax, b.chargesMax, b.keySpendsMax];
  }

  /** The arguments of Lua `book(...)`, shared with the job store's settle script. */
  bookingArgs(accountId: string, opening: Opening, charge: ChargeInput, spend?: SpendInput): Arg[] {
    const { id: _id, amount: _amount, ...body } = chargeToJson({ ...charge, id: 1, amount: 0n });
    const spendArgs = spend ? [spend.keyId, String(spend.periodStartMs)] : ['', ''];
    const { currency, balance } = opening;
    return [accountId, currency, balance.toString(), charge.amountNeuron.toString(), charge.amountMicroUsd.toString(), JSON.stringify(body), ...spendArgs];
  }

  async open(accountId: string, opening: Opening): Promise<AccountState> {
    return stateOf(accountId, await this.#run<Fields>(S.OPEN, [accountId, opening.currency, opening.balance.toString()]));
  }

  async get(accountId: string): Promise<AccountRecord | undefined> {
    const got = await this.#run<[Fields, string[]] | null>(S.GET, [accountId]);
    return got ? recordOf(accountId, ...got) : undefined;
  }

  async list(limit?: number): Promise<AccountState[]> {
    if (limit !== undefined && limit <= 0) return [];
    const rows = await this.#run<[string, Fields][]>(S.LIST, [limit ?? -1]);
    return rows.map(([id, f]) => stateOf(id, f));
  }

  async book(accountId: string, opening: Opening, charge: ChargeInput, spend?: SpendInput): Promise<Booked> {
    const [amount, currency] = await this.#run<[string, Currency]>(S.BOOK, this.bookingArgs(accountId, opening, charge, spend));
    return { amount: BigInt(amount), currency };
  }

  async change(accountId: string, opening: Opening, change: BalanceChange): Promise<AccountState> {
    const amount = change.kind === 'drain' ? '0' : change.amount.toString();
    const args = [accountId, opening.currency, opening.balance.toString(), change.kind, amount];
    return stateOf(accountId, await this.#run<Fields>(S.CHANGE, args));
  }

  async totals(): Promise<LedgerTotals> {
    const [[spent0g, spentUsd, charges], accounts] = await this.#run<[(string | null)[], number]>(S.TOTALS, []);
    return { spentNeuron: BigInt(spent0g ?? 0), spentMicroUsd: BigInt(spentUsd ?? 0), charges: Number(charges ?? 0), accounts };
  }

  async keySpend(keyId: string): Promise<KeySpendState | undefined> {
    const v = await this.link.send<string | null>(['HGET', this.link.key('ledger', 'spend'), keyId]);
    if (v === null) return undefined;
    const { used, periodStartMs } = spendOf(keyId, v);
    return { used, periodStartMs };
  }

  async reset(accountId?: string, keyIds: readonly string[] = []): Promise<void> {
    await (accountId === undefined ? this.#run(S.RESET_ALL, []) : this.#run(S.RESET_ONE, [accountId, ...keyIds]));
  }

  async dump(accountId?: string): Promise<Json> {
    const args = accountId === undefined ? ['0'] : ['1', accountId];
    const [accounts, spends] = await this.#run<[[string, Fields, string[]][], string[]]>(S.DUMP, args);
    const keySpends: KeySpendEntry[] = [];
    for (let i = 0; i < spends.length; i += 2) keySpends.push(spendOf(spends[i]!, spends[i + 1]!));
    return ledgerToJson({ accounts: accounts.map((a) => recordOf(...a)), keySpends });
  }

  async load(dump: Json): Promise<void> {
    const { accounts, keySpends } = ledgerFromJson(dump);
    for (const a of accounts) {
      const fields = [a.currency, a.balance, a.spent, a.chargeCount, a.droppedCharges, a.startBalance].map(String);
      await this.#run(S.PUT_ACCOUNT, [a.accountId, ...fields, ...a.recent.map((c) => JSON.stringify(chargeToJson(c)))]);
    }
    const spendArgs = keySpends.flatMap((s) => [s.keyId, s.used.toString(), String(s.periodStartMs), s.accountId]);
    for (let i = 0; i < spendArgs.length; i += 4000) await this.#run(S.PUT_SPENDS, spendArgs.slice(i, i + 4000));
  }

  #run<T>(script: LuaScript, args: readonly Arg[]): Promise<T> {
    return this.link.script<T>(script, [], [...this.configArgs, ...args]);
  }
}
