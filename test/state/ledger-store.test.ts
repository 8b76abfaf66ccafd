import t, { type Test } from 'tap';
import { ApiError } from '../../src/errors.js';
import { MemoryLedgerStore } from '../../src/state/memory/ledger.js';
import { RedisLink } from '../../src/state/redis/link.js';
import { RedisLedgerStore } from '../../src/state/redis/ledger.js';
import type { ChargeInput, Json, LedgerBounds, LedgerStore, Opening } from '../../src/state/types.js';
import { eachBackend, type BackendCase } from '../helpers/backends.js';

const OG: Opening = { currency: '0g', balance: 10n ** 18n };
const USD: Opening = { currency: 'usd', balance: 5_000_000n };

const charge = (over: Partial<ChargeInput> = {}): ChargeInput => ({
  apiKeyId: 'key_a',
  trustMode: 'TeeML',
  requestId: 'req-1',
  jobId: undefined,
  model: 'flux',
  provider: '0xprovider',
  images: 1,
  amountNeuron: 1_000n,
  amountMicroUsd: 7n,
  atMs: 1_000,
  ...over,
});

/** A store of the backend under test; `twin` is a second client of the same state (a second process, for Redis). */
async function stores(t: Test, backend: BackendCase, bounds?: LedgerBounds): Promise<{ store: LedgerStore; twin: LedgerStore }> {
  if (backend.name === 'memory') {
    const store = new MemoryLedgerStore(bounds);
    return { store, twin: store };
  }
  const link = await backend.link(t);
  const other = await RedisLink.open({ url: backend.redis!.url, prefix: link.prefix, commandTimeoutMs: 2000 });
  await other.connect();
  t.teardown(() => other.close());
  return { store: new RedisLedgerStore(link, bounds), twin: new RedisLedgerStore(other, bounds) };
}

const ids = async (store: LedgerStore, limit?: number) => (await store.list(limit)).map((a) => a.accountId);

eachBackend(t, 'ledger store', async (t, backend) => {
  const make = async (tt: Test, bounds?: LedgerBounds) => (await stores(tt, backend, bounds)).store;

  t.test('open creates once; get is not activity; list is activity order', async (t) => {
    const store = await make(t);
    t.equal(await store.get('a'), undefined);
    const a = await store.open('a', OG);
    t.same(a, { accountId: 'a', currency: '0g', balance: 10n ** 18n, spent: 0n, chargeCount: 0, droppedCharges: 0, startBalance: 10n ** 18n });
    t.same(await store.open('a', USD), a, 'an open account keeps its currency and balance');
    await store.open('b', USD);
    await store.change('c', OG, { kind: 'top_up', amount: 1n });
    t.same(await ids(store), ['a', 'b', 'c']);
    await store.get('a');
    t.same(await ids(store), ['a', 'b', 'c'], 'get does not move an account');
    await store.open('a', OG);
    t.same(await ids(store), ['b', 'c', 'a'], 'open does');
    await store.book('b', OG, charge());
    t.same(await ids(store), ['c', 'a', 'b'], 'book does');
    t.same(await ids(store, 2), ['a', 'b'], 'a limit keeps the newest');
    t.same(await ids(store, 0), []);
    t.same(await ids(store, 10), ['c', 'a', 'b']);
    await store.book('b', OG, charge());
    t.same(await ids(store), ['c', 'a', 'b'], 'the most recent account stays the newest');
    await store.reset('b');
    await store.open('a', OG);
    await store.open('b', OG);
    await store.open('c', OG);
    t.same(await ids(store), ['a', 'b', 'c'], 'a forgotten account comes back as the newest');
    await store.book('b', OG, charge());
    t.same(await ids(store), ['a', 'c', 'b']);
  });

  t.test('book charges the account in its currency; balances may go negative', async (t) => {
    const store = await make(t);
    t.same(await store.book('g', { currency: '0g', balance: 1_500n }, charge({ jobId: 'job1' })), { amount: 1_000n, currency: '0g' });
    t.same(await store.book('g', OG, charge({ requestId: 'req-2', atMs: 2_000 })), { amount: 1_000n, currency: '0g' });
    const g = (await store.get('g'))!;
    t.match(g, { currency: '0g', balance: -500n, spent: 2_000n, chargeCount: 2, startBalance: 1_500n, droppedCharges: 0 });
    t.same(g.recent, [
      { id: 1, apiKeyId: 'key_a', trustMode: 'TeeML', requestId: 'req-1', jobId: 'job1', model: 'flux', provider: '0xprovider', images: 1, amountNeuron: 1_000n, amount: 1_000n, atMs: 1_000 },
      { id: 2, apiKeyId: 'key_a', trustMode: 'TeeML', requestId: 'req-2', jobId: undefined, model: 'flux', provider: '0xprovider', images: 1, amountNeuron: 1_000n, amount: 1_000n, atMs: 2_000 },
    ]);
    t.same(await store.book('u', USD, charge({ images: 3 })), { amount: 7n, currency: 'usd' }, 'a USD account is charged amountMicroUsd');
    t.match(await store.get('u'), { currency: 'usd', balance: 4_999_993n, spent: 7n, recent: [{ amount: 7n, amountNeuron: 1_000n, images: 3 }] });
    t.same(await store.totals(), { spentNeuron: 2_000n, spentMicroUsd: 7n, charges: 3, accounts: 2 });
  });

  t.test('change tops up, sets and drains', async (t) => {
    const store = await make(t);
    t.match(await store.change('a', USD, { kind: 'top_up', amount: 5n }), { currency: 'usd', balance: 5_000_005n, startBalance: 5_000_000n });
    t.match(await store.change('a', OG, { kind: 'set', amount: -42n }), { currency: 'usd', balance: -42n });
    t.match(await store.change('a', OG, { kind: 'drain' }), { balance: 0n });
    t.match(await store.change('b', OG, { kind: 'drain' }), { currency: '0g', balance: 0n, startBalance: 10n ** 18n });
  });

  t.test('huge neuron balances stay exact', async (t) => {
    const store = await make(t);
    const big = 10n ** 30n;
    await store.open('a', { currency: '0g', balance: big });
    await store.book('a', OG, charge({ amountNeuron: 10n ** 20n + 1n }));
    await store.book('a', OG, charge({ amountNeuron: 2n ** 64n + 3n }));
    t.match(await store.get('a'), { balance: big - 10n ** 20n - 1n - 2n ** 64n - 3n, spent: 10n ** 20n + 2n ** 64n + 4n });
    t.match(await store.change('a', OG, { kind: 'top_up', amount: 2n ** 70n }), { balance: big - 10n ** 20n - 2n ** 64n - 4n + 2n ** 70n });
    t.match(await store.change('a', OG, { kind: 'set', amount: -(10n ** 33n) }), { balance: -(10n ** 33n) });
    t.equal((await store.totals()).spentNeuron, 10n ** 20n + 2n ** 64n + 4n);
  });

  t.test('key spend accumulates per period and restarts in a later one', async (t) => {
    const store = await make(t);
    t.equal(await store.keySpend('key_m'), undefined);
    await store.book('a', OG, charge({ amountNeuron: 10n }), { keyId: 'key_m', periodStartMs: 1_000 });
    await store.book('a', OG, charge({ amountNeuron: 5n }), { keyId: 'key_m', periodStartMs: 1_000 });
    t.same(await store.keySpend('key_m'), { used: 15n, periodStartMs: 1_000 });
    await store.book('a', OG, charge({ amountNeuron: 3n }), { keyId: 'key_m', periodStartMs: 2_000 });
    t.same(await store.keySpend('key_m'), { used: 3n, periodStartMs: 2_000 }, 'a later period starts from zero');
    await store.book('a', OG, charge({ amountNeuron: 4n }), { keyId: 'key_m', periodStartMs: 1_000 });
    t.same(await store.keySpend('key_m'), { used: 7n, periodStartMs: 2_000 }, 'a late charge of an earlier period counts in the current one');
    await store.book('u', USD, charge({ amountNeuron: 10n ** 25n }), { keyId: 'key_u', periodStartMs: 0 });
    t.same(await store.keySpend('key_u'), { used: 7n, periodStartMs: 0 }, 'spend is in the account currency');
  });

  t.test('reset forgets one account with its keys’ spend, or everything', async (t) => {
    const store = await make(t);
    await store.book('a', OG, charge(), { keyId: 'key_a', periodStartMs: 0 });
    await store.book('b', USD, charge(), { keyId: 'key_b', periodStartMs: 0 });
    await store.reset('a', ['key_a']);
    t.equal(await store.get('a'), undefined);
    t.equal(await store.keySpend('key_a'), undefined);
    t.same(await store.keySpend('key_b'), { used: 7n, periodStartMs: 0 });
    t.same(await store.totals(), { spentNeuron: 0n, spentMicroUsd: 7n, charges: 1, accounts: 1 });
    t.match(await store.book('a', OG, charge()), { amount: 1_000n }, 'a reset account reopens from its opening');
    t.match(await store.get('a'), { balance: 10n ** 18n - 1_000n, chargeCount: 1, recent: [{ id: 1 }] });
    await store.reset();
    t.same(await store.list(), []);
    t.equal(await store.keySpend('key_b'), undefined);
    t.same(await store.totals(), { spentNeuron: 0n, spentMicroUsd: 0n, charges: 0, accounts: 0 });
  });

  t.test('accounts: pristine ones are pruned first, then the least recently active down to 90%', async (t) => {
    const store = await make(t, { accountsMax: 50 });
    for (let i = 0; i < 10; i++) await store.book(`used${i}`, OG, charge());
    await store.change('topped', OG, { kind: 'top_up', amount: 1n });
    await store.change('back', OG, { kind: 'set', amount: OG.balance }); // at its start with no charge: pristine again
    for (let i = 0; i < 38; i++) await store.open(`p${i}`, OG);
    t.equal((await store.list()).length, 50);
    await store.open('new', USD);
    const kept = [...Array.from({ length: 10 }, (_, i) => `used${i}`), 'topped', 'new'];
    t.same(await ids(store), kept, 'only pristine accounts went');

    const full = await make(t, { accountsMax: 50 });
    for (let i = 0; i < 51; i++) await full.book(`b${i}`, OG, charge());
    t.same(await ids(full), Array.from({ length: 45 }, (_, i) => `b${i + 6}`), '50 -> 44 before the 51st opens');
    t.equal((await full.totals()).charges, 45, 'forgotten accounts leave the totals');
  });

  t.test('listed charges: per account and across accounts', async (t) => {
    const store = await make(t, { recentMax: 3, chargesMax: 1000 });
    for (let i = 1; i <= 5; i++) await store.book('a', OG, charge({ atMs: i }));
    t.match(await store.get('a'), { chargeCount: 5, droppedCharges: 2, spent: 5_000n });
    t.same((await store.get('a'))!.recent.map((c) => c.id), [3, 4, 5]);

    const global = await make(t, { chargesMax: 20 });
    for (const [account, n] of [['a', 8], ['b', 8], ['c', 4]] as const) {
      for (let i = 0; i < n; i++) await global.book(account, OG, charge());
    }
    const before = (await global.get('a'))!;
    t.equal(before.recent.length, 8, 'at the bound nothing is dropped');
    await global.book('c', OG, charge());
    const listed = await Promise.all(['a', 'b', 'c'].map(async (id) => (await global.get(id))!));
    t.same(listed.map((a) => a.recent.length), [5, 8, 5], '21 listed -> 18, from the least recently active');
    t.same(listed.map((a) => a.droppedCharges), [3, 0, 0]);
    t.same(listed[0]!.recent.map((c) => c.id), [4, 5, 6, 7, 8]);
    t.equal((await global.totals()).charges, 21, 'dropped charges still count');
  });

  t.test('key spends are bounded, the least recently charged forgotten', async (t) => {
    const store = await make(t, { keySpendsMax: 5 });
    for (let i = 0; i < 5; i++) await store.book('a', OG, charge({ amountNeuron: 1n }), { keyId: `k${i}`, periodStartMs: 0 });
    await store.book('a', OG, charge({ amountNeuron: 1n }), { keyId: 'k0', periodStartMs: 0 });
    await store.book('a', OG, charge({ amountNeuron: 1n }), { keyId: 'k5', periodStartMs: 0 });
    const spends = await Promise.all(['k0', 'k1', 'k2', 'k5'].map((k) => store.keySpend(k)));
    t.same(spends, [{ used: 2n, periodStartMs: 0 }, undefined, { used: 1n, periodStartMs: 0 }, { used: 1n, periodStartMs: 0 }]);
    for (let i = 6; i < 40; i++) await store.book('a', OG, charge({ amountNeuron: 1n }), { keyId: `k${i}`, periodStartMs: 0 });
    const left = await Promise.all(Array.from({ length: 40 }, (_, i) => store.keySpend(`k${i}`)));
    t.equal(left.filter(Boolean).length, 5);
  });

  t.test('concurrent bookings from two clients all count', async (t) => {
    const { store, twin } = await stores(t, backend, { recentMax: 50 });
    await Promise.all(
      Array.from({ length: 60 }, (_, i) => (i % 2 ? store : twin).book('a', OG, charge({ amountNeuron: 10n ** 19n + BigInt(i) }), { keyId: 'k', periodStartMs: 0 })),
    );
    const sum = 60n * 10n ** 19n + 1770n;
    const a = (await store.get('a'))!;
    t.match(a, { chargeCount: 60, droppedCharges: 10, spent: sum, balance: OG.balance - sum });
    t.same(a.recent.map((c) => c.id), Array.from({ length: 50 }, (_, i) => i + 11), 'ids are unique and consecutive');
    t.same(await twin.keySpend('k'), { used: sum, periodStartMs: 0 });
  });

  t.test('dump and load: one format, narrowed by account, loaded on top', async (t) => {
    const source = new MemoryLedgerStore();
    await source.book('a', OG, charge({ jobId: 'j1', amountNeuron: 10n ** 30n }), { keyId: 'key_a', periodStartMs: 86_400_000 });
    await source.book('u', USD, charge({ apiKeyId: 'key_u' }), { keyId: 'key_u', periodStartMs: 0 });
    await source.change('z', OG, { kind: 'set', amount: -3n });
    const dump = await source.dump();
    t.same(JSON.parse(JSON.stringify(dump)), dump, 'the dump is plain JSON');

    const fresh = await make(t);
    await fresh.load(dump);
    t.same(await fresh.dump(), dump, 'a round trip through the backend changes nothing');

    const store = await make(t);
    await store.book('a', USD, charge()); // replaced by the load
    await store.open('other', OG); // kept
    await store.load(dump);
    t.same(await ids(store), ['other', 'a', 'u', 'z']);
    const other = { accountId: 'other', currency: '0g', balance: '1000000000000000000', spent: '0', chargeCount: 0, droppedCharges: 0, startBalance: '1000000000000000000', recent: [] };
    t.same(await store.dump('other'), { accounts: [other], keySpends: [] });
    const whole = dump as { accounts: Json[]; keySpends: Json[] };
    t.same(await store.dump(), { accounts: [other, ...whole.accounts], keySpends: whole.keySpends });
    t.same(await store.dump('u'), await source.dump('u'), 'a narrowed dump carries the account’s key spends');
    t.same(await store.keySpend('key_a'), { used: 10n ** 30n, periodStartMs: 86_400_000 });
    t.same(await store.totals(), { spentNeuron: 10n ** 30n, spentMicroUsd: 7n, charges: 2, accounts: 4 });
    await store.book('a', OG, charge());
    t.match(await store.get('a'), { chargeCount: 2, recent: [{ id: 1, jobId: 'j1' }, { id: 2 }] });

    const small = await make(t, { recentMax: 2, accountsMax: 3 });
    const many = new MemoryLedgerStore();
    for (let i = 0; i < 5; i++) await many.book(`m${i}`, OG, charge());
    for (let i = 0; i < 4; i++) await many.book('m4', OG, charge());
    await small.load(await many.dump());
    t.ok((await small.list()).length <= 3, 'a load keeps the account bound');
    t.match(await small.get('m4'), { chargeCount: 5, droppedCharges: 3, recent: [{ id: 4 }, { id: 5 }] });
    await t.rejects(store.load({ accounts: [{ accountId: 'x', currency: 'eur' }] }), ApiError);
    await t.rejects(store.load({ accounts: [{ ...(whole.accounts[0] as object), balance: '1.5' }] }), /balance/);
  });
});
