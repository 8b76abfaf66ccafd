import t, { type Test } from 'tap';
import { ApiError } from '../../src/errors.js';
import { doneAtMs } from '../../src/domain/job-state.js';
import { MemoryJobStore } from '../../src/state/memory/jobs.js';
import { MemoryLedgerStore } from '../../src/state/memory/ledger.js';
import { RedisJobStore } from '../../src/state/redis/jobs.js';
import { RedisLedgerStore } from '../../src/state/redis/ledger.js';
import { RedisLink } from '../../src/state/redis/link.js';
import type { JobBooking, JobStore, Json, LedgerStore, Opening } from '../../src/state/types.js';
import type { Job } from '../../src/store/job-store.js';
import { eachBackend, type BackendCase } from '../helpers/backends.js';

const OG: Opening = { currency: '0g', balance: 10n ** 30n };
const USD: Opening = { currency: 'usd', balance: 5_000_000n };

let seq = 0;
const job = (over: Partial<Job> = {}): Job => ({
  id: `j${String(++seq).padStart(5, '0')}`,
  keyId: 'key_a',
  accountId: 'acct_a',
  providerAddress: '0xprovider0001',
  model: 'flux',
  prompt: 'a cat',
  n: 2,
  width: 256,
  height: 256,
  responseFormat: 'b64_json',
  verifyTee: false,
  source: undefined,
  priceNeuron: 10n ** 21n + 1n,
  createdMs: 1_000,
  processingAfterMs: 100,
  doneAfterMs: 500,
  polls: 0,
  outcome: undefined,
  failWith: undefined,
  retryAfterS: undefined,
  ...over,
});

const bookingOf = (j: Job, opening = OG): JobBooking => ({
  accountId: j.accountId,
  opening,
  charge: {
    apiKeyId: j.keyId,
    trustMode: 'TeeML',
    requestId: `async-${j.providerAddress.slice(0, 8)}-${j.id}`,
    jobId: j.id,
    model: j.model,
    provider: j.providerAddress,
    images: j.n,
    amountNeuron: j.priceNeuron * BigInt(j.n),
    amountMicroUsd: 20n,
    atMs: doneAtMs(j),
  },
  spend: { keyId: j.keyId, periodStartMs: 0 },
});

const COMPLETED = { status: 'completed', currency: '0g' } as const;
const FAILED = { status: 'failed', errorMessage: 'provider request failed' } as const;

interface Stores {
  jobs: JobStore;
  ledger: LedgerStore;
  /** A second client of the same state: another process, for Redis. */
  twin: JobStore;
}

async function stores(t: Test, backend: BackendCase): Promise<Stores> {
  if (backend.name === 'memory') {
    const ledger = new MemoryLedgerStore();
    const jobs = new MemoryJobStore(ledger);
    return { jobs, ledger, twin: jobs };
  }
  const link = await backend.link(t);
  const other = await RedisLink.open({ url: backend.redis!.url, prefix: link.prefix, commandTimeoutMs: 2000 });
  await other.connect();
  t.teardown(() => other.close());
  const ledger = new RedisLedgerStore(link);
  return { jobs: new RedisJobStore(link, ledger), ledger, twin: new RedisJobStore(other, new RedisLedgerStore(other)) };
}

const idsOf = (jobs: Job[]) => jobs.map((j) => j.id);

eachBackend(t, 'job store', async (t, backend) => {
  t.test('create and get: what get returns is a copy', async (t) => {
    const { jobs } = await stores(t, backend);
    const source = { png: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 255]), hash: 'abc', masked: true, references: 2 };
    const created = job({ source, failWith: 'boom', retryAfterS: null, prompt: 'ünïcode ✓' });
    await jobs.create(created);
    const stored = structuredClone(created);
    created.polls = 9;
    created.source!.hash = 'changed';
    t.same(await jobs.get(created.id), stored, 'changing the created object changes nothing stored');
    const got = (await jobs.get(created.id))!;
    got.polls = 5;
    got.outcome = FAILED;
    got.source!.masked = false;
    t.same(await jobs.get(created.id), stored, 'nor does changing what get returned');
    t.equal(await jobs.get('nope'), undefined);
    const plain = job({ retryAfterS: 7 });
    await jobs.create(plain);
    t.same(await jobs.get(plain.id), plain);
  });

  t.test('settle: once, booking only a completed job', async (t) => {
    const { jobs, ledger } = await stores(t, backend);
    const failed = job({ accountId: 'acct_f' });
    await jobs.create(failed);
    t.match(await jobs.settle(failed.id, FAILED, bookingOf(failed)), { id: failed.id, outcome: FAILED });
    t.equal(await ledger.get('acct_f'), undefined, 'a failed outcome books nothing');
    t.match(await jobs.settle(failed.id, COMPLETED, bookingOf(failed)), { outcome: FAILED }, 'a second settle returns the first outcome');
    t.equal(await ledger.get('acct_f'), undefined, 'and books nothing');

    const done = job();
    await jobs.create(done);
    t.same((await jobs.settle(done.id, COMPLETED, bookingOf(done)))!.outcome, COMPLETED);
    const price = done.priceNeuron * 2n;
    t.match(await ledger.get('acct_a'), { chargeCount: 1, balance: OG.balance - price, recent: [{ id: 1, jobId: done.id, amount: price, atMs: 1_500 }] });
    t.same(await ledger.keySpend('key_a'), { used: price, periodStartMs: 0 });
    t.same((await jobs.settle(done.id, FAILED, bookingOf(done)))!.outcome, COMPLETED);
    t.same((await jobs.get(done.id))!.outcome, COMPLETED);
    t.match(await ledger.get('acct_a'), { chargeCount: 1 }, 'booked once');

    const usd = job({ accountId: 'acct_u' });
    await jobs.create(usd);
    t.same((await jobs.settle(usd.id, COMPLETED, bookingOf(usd, USD)))!.outcome, { status: 'completed', currency: 'usd' }, 'the outcome names the currency booked in');
    t.match(await ledger.get('acct_u'), { balance: 4_999_980n });

    const unbilled = job({ accountId: 'acct_n' });
    await jobs.create(unbilled);
    t.same((await jobs.settle(unbilled.id, COMPLETED))!.outcome, COMPLETED);
    t.equal(await ledger.get('acct_n'), undefined, 'no booking given, none made');
    t.equal(await jobs.settle('gone', COMPLETED, bookingOf(job())), undefined);
    t.same(await jobs.counts(), { total: 4, live: 0, sourceBytes: 0 });
  });

  t.test('concurrent settlements from two clients book each job once', async (t) => {
    const { jobs, twin, ledger } = await stores(t, backend);
    const all = Array.from({ length: 10 }, (_, i) => job({ createdMs: i }));
    for (const j of all) await jobs.create(j);
    // Jobs 0, 3, 6, 9 fail, 1, 4, 7 complete; 2, 5, 8 get both outcomes from the two clients, the race decides.
    const outcomeOf = (k: number, i: number) => ([FAILED, COMPLETED][k % 3] ?? (i % 2 ? COMPLETED : FAILED));
    const results = await Promise.all(
      all.flatMap((j, k) => Array.from({ length: 20 }, (_, i) => (i % 2 ? jobs : twin).settle(j.id, outcomeOf(k, i), bookingOf(j)))),
    );
    const completed = all.filter((j) => results.find((r) => r!.id === j.id)!.outcome!.status === 'completed');
    t.ok(completed.length > 0 && completed.length < all.length, 'both outcomes won somewhere');
    const account = (await ledger.get('acct_a'))!;
    t.equal(account.chargeCount, completed.length, 'one charge per completed job');
    t.same(account.recent.map((c) => c.jobId).sort(), idsOf(completed).sort());
    for (const j of all) {
      const outcomes = new Set(results.filter((r) => r!.id === j.id).map((r) => JSON.stringify(r!.outcome)));
      t.equal(outcomes.size, 1, `every settle of ${j.id} saw the winner's outcome`);
    }
    t.equal((await jobs.counts()).live, 0);
  });

  t.test('due and nextDueMs: live jobs by completion time, ties by id', async (t) => {
    const { jobs } = await stores(t, backend);
    t.equal(await jobs.nextDueMs(), undefined);
    const late = job({ createdMs: 0, doneAfterMs: 3_000 });
    const b = job({ createdMs: 1_000, doneAfterMs: 1_000 });
    const a = job({ id: 'a-first', createdMs: 1_500, doneAfterMs: 500 });
    const early = job({ createdMs: 0, doneAfterMs: 1_000 });
    for (const j of [late, b, a, early]) await jobs.create(j);
    t.equal(await jobs.nextDueMs(), 1_000);
    t.same(await jobs.due(999, 10), []);
    t.same(await jobs.due(2_000, 10), [early.id, a.id, b.id]);
    t.same(await jobs.due(2_000, 2), [early.id, a.id], 'at most limit');
    await jobs.settle(early.id, FAILED);
    await jobs.delete(a.id);
    t.same(await jobs.due(5_000, 10), [b.id, late.id], 'settled and deleted jobs are not due');
    t.equal(await jobs.nextDueMs(), 2_000);
    await jobs.create({ ...b, doneAfterMs: 5_000 });
    t.same(await jobs.due(4_000, 10), [late.id], 'a replaced job is due at its new time only');
    t.same(await jobs.due(6_000, 10), [late.id, b.id]);
    for (const j of [late, b]) await jobs.settle(j.id, COMPLETED);
    t.equal(await jobs.nextDueMs(), undefined);
  });

  t.test('expire removes settled jobs completed before the cutoff, never live ones', async (t) => {
    const { jobs } = await stores(t, backend);
    // More than the Redis store's expire batch, and enough settled jobs to compact the memory store's due queue.
    const settled = Array.from({ length: 1_100 }, (_, i) => job({ createdMs: i, doneAfterMs: 0 }));
    for (const j of settled) {
      await jobs.create(j);
      await jobs.settle(j.id, FAILED);
    }
    const live = job({ createdMs: 0, doneAfterMs: 1 });
    await jobs.create(live);
    t.equal(await jobs.expire(1_090), 1_090);
    t.same(await jobs.counts(), { total: 11, live: 1, sourceBytes: 0 });
    t.ok(await jobs.get(live.id), 'a live job past the cutoff stays');
    t.same(await jobs.due(10_000, 10), [live.id]);
    t.ok(await jobs.get(settled[1_090]!.id), 'completed at the cutoff: kept');
    t.equal(await jobs.expire(10_000), 10);
    t.equal(await jobs.expire(10_000), 0);
    t.same(idsOf(await jobs.list()), [live.id]);
  });

  t.test('list: newest first, by account, limited; countPoll; counts; delete', async (t) => {
    const { jobs } = await stores(t, backend);
    const png = Buffer.alloc(100, 7);
    const x1 = job({ id: 'x1', createdMs: 10, accountId: 'acct_x' });
    const y1 = job({ id: 'y1', createdMs: 20, accountId: 'acct_y', source: { png, hash: 'h', masked: false, references: 0 } });
    const x2 = job({ id: 'x2', createdMs: 30, accountId: 'acct_x' });
    const x3 = job({ id: 'x3', createdMs: 30, accountId: 'acct_x' });
    for (const j of [x1, y1, x2, x3]) await jobs.create(j);
    t.same(idsOf(await jobs.list()), ['x3', 'x2', 'y1', 'x1']);
    t.same(idsOf(await jobs.list({ accountId: 'acct_x', limit: 2 })), ['x3', 'x2']);
    t.same(idsOf(await jobs.list({ accountId: 'acct_y' })), ['y1']);
    t.same(idsOf(await jobs.list({ accountId: 'acct_z' })), []);
    t.same(idsOf(await jobs.list({ limit: 0 })), []);
    t.same(await jobs.counts(), { total: 4, live: 4, sourceBytes: 100 });
    await jobs.create({ ...y1, source: { png: Buffer.alloc(40), hash: 'h2', masked: true, references: 1 } });
    t.equal((await jobs.counts()).sourceBytes, 40, 'a replaced job’s thumbnail is not counted twice');

    t.same([await jobs.countPoll('x1'), await jobs.countPoll('x1'), await jobs.countPoll('x2')], [1, 2, 1]);
    t.equal((await jobs.get('x1'))!.polls, 2);
    t.equal(await jobs.countPoll('nope'), 0);
    t.equal(await jobs.get('nope'), undefined, 'counting a poll of a missing job creates nothing');

    await jobs.delete('y1');
    await jobs.delete('y1');
    t.same(await jobs.counts(), { total: 3, live: 3, sourceBytes: 0 });
  });

  t.test('statusCounts: every retained job in the state it has at the given time', async (t) => {
    const { jobs } = await stores(t, backend);
    // createdMs 1000: processing from 1100, due at 1500.
    const [early, late, done, failed] = [job(), job({ createdMs: 2_000 }), job(), job()];
    for (const j of [early, late, done, failed]) await jobs.create(j);
    await jobs.settle(done.id, COMPLETED, bookingOf(done));
    await jobs.settle(failed.id, FAILED);
    t.same(await jobs.statusCounts(1_050), { pending: 2, processing: 0, completed: 1, failed: 1 });
    t.same(await jobs.statusCounts(1_200), { pending: 1, processing: 1, completed: 1, failed: 1 });
    t.same(await jobs.statusCounts(2_200), { pending: 0, processing: 2, completed: 1, failed: 1 }, 'an unsettled job past its due time is still processing');
    await jobs.delete(done.id);
    t.same(await jobs.statusCounts(2_200), { pending: 0, processing: 2, completed: 0, failed: 1 });
  });

  t.test('reset forgets one account’s jobs, or all, booking nothing', async (t) => {
    const { jobs, ledger } = await stores(t, backend);
    const mine = [job({ accountId: 'acct_m' }), job({ accountId: 'acct_m' })];
    const theirs = job({ accountId: 'acct_t' });
    for (const j of [...mine, theirs]) await jobs.create(j);
    await jobs.settle(mine[0]!.id, COMPLETED, bookingOf(mine[0]!));
    await jobs.reset('acct_m');
    t.same(idsOf(await jobs.list()), [theirs.id]);
    t.same(await jobs.due(10_000, 10), [theirs.id]);
    t.match(await ledger.get('acct_m'), { chargeCount: 1 }, 'what was booked stays booked');
    await jobs.reset();
    t.same(await jobs.counts(), { total: 0, live: 0, sourceBytes: 0 });
    t.equal(await jobs.nextDueMs(), undefined);
  });

  t.test('dump and load: one format, narrowed by account, loaded on top', async (t) => {
    const source = new MemoryJobStore(new MemoryLedgerStore());
    const png = Buffer.from('thumbnail bytes');
    const js = [
      job({ id: 'd1', source: { png, hash: 'h', masked: false, references: 0 }, retryAfterS: null }),
      job({ id: 'd2', accountId: 'acct_b', failWith: 'boom', createdMs: 5 }),
      job({ id: 'd3', createdMs: 7, retryAfterS: 3 }),
    ];
    for (const j of js) await source.create(j);
    await source.settle('d1', COMPLETED);
    await source.countPoll('d3');
    const dump = await source.dump();
    t.same(JSON.parse(JSON.stringify(dump)), dump, 'the dump is plain JSON');
    const dumped = (dump as { jobs: { id: string; source?: { png: string } }[] }).jobs;
    t.same(dumped.map((j) => j.id), ['d2', 'd3', 'd1'], 'oldest first');
    t.equal(dumped[2]!.source!.png, png.toString('base64'));

    const fresh = (await stores(t, backend)).jobs;
    await fresh.load(dump);
    t.same(await fresh.dump(), dump, 'a round trip through the backend changes nothing');
    t.same(await fresh.get('d1'), await source.get('d1'));
    t.same(await fresh.dump('acct_b'), { jobs: [dumped[0] as Json] });

    const { jobs } = await stores(t, backend);
    await jobs.create(job({ id: 'd2', accountId: 'acct_b', prompt: 'replaced by the load' }));
    await jobs.create(job({ id: 'other', createdMs: 1 }));
    await jobs.load(dump);
    t.same(idsOf(await jobs.list()), ['d1', 'd3', 'd2', 'other']);
    t.same(await jobs.get('d2'), await source.get('d2'));
    t.same(await jobs.counts(), { total: 4, live: 3, sourceBytes: png.length });
    t.same(await jobs.due(10_000, 10), ['other', 'd2', 'd3'], 'loaded live jobs are due');
    await t.rejects(jobs.load({ jobs: [{ id: 'x' }] }), ApiError);
    await t.rejects(jobs.load({ jobs: [{ ...(dumped[0] as object), priceNeuron: 12 }] }), /priceNeuron/);
  });
});
