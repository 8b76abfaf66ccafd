import t from 'tap';
import { MemoryJournalStore } from '../../src/state/memory/journal.js';
import { RedisJournalStore } from '../../src/state/redis/journal.js';
import type { JournalStore } from '../../src/state/types.js';
import type { JournalRecord } from '../../src/store/journal.js';
import { eachBackend } from '../helpers/backends.js';
import { oneStore, twoHandles } from '../helpers/state-stores.js';

const T0 = Date.UTC(2026, 0, 2, 3, 4, 5);

/** A record as the server writes it: every field, undefined where it has no value. */
function rec(n: number, over: Partial<JournalRecord> = {}): JournalRecord {
  return {
    atMs: T0 + n * 1000,
    requestId: `req-${n}`,
    keyId: 'key_a',
    method: 'POST',
    route: '/v1/images/generations',
    url: '/v1/images/generations',
    status: 200,
    durationMs: 1.25,
    jobId: undefined,
    jobStatus: undefined,
    provider: '0xabc',
    errorCode: undefined,
    retryAfterS: undefined,
    body: { model: 'm', prompt: 'a “cat”\n', n: 1 },
    ...over,
  } as JournalRecord;
}

const ids = (entries: { requestId: string }[]) => entries.map((e) => e.requestId);

eachBackend(t, 'journal', async (t, backend) => {
  const store = (capacity: number) => oneStore<JournalStore>(t, backend, () => new MemoryJournalStore(capacity), (l) => new RedisJournalStore(l, capacity));

  t.test('entries come back oldest first, numbered, with an ISO time, fields without a value left out', async (t) => {
    const j = await store(10);
    await j.add(rec(1));
    await j.add(rec(2, { status: 429, errorCode: 'rate_limited', retryAfterS: 3 }));
    const [first, second] = await j.query();
    t.strictSame(JSON.parse(JSON.stringify(first)), { seq: 1, at: '2026-01-02T03:04:06.000Z', ...JSON.parse(JSON.stringify(rec(1))) });
    t.match(second, { seq: 2, status: 429, errorCode: 'rate_limited', retryAfterS: 3, body: { prompt: 'a “cat”\n' } });
    t.equal(j.capacity, 10);
  });

  t.test('filters, and limit takes the newest matches', async (t) => {
    const j = await store(20);
    for (let n = 1; n <= 6; n++) await j.add(rec(n, { keyId: n % 2 ? 'key_a' : 'key_b', jobId: n === 4 ? 'job4' : undefined, route: n > 4 ? '/v1/x' : '/v1/images/generations' }));
    t.strictSame(ids(await j.query({ keyId: 'key_b' })), ['req-2', 'req-4', 'req-6']);
    t.strictSame(ids(await j.query({ route: '/v1/x' })), ['req-5', 'req-6']);
    t.strictSame(ids(await j.query({ jobId: 'job4' })), ['req-4']);
    t.strictSame(ids(await j.query({ sinceMs: T0 + 5000 })), ['req-5', 'req-6']);
    t.strictSame(ids(await j.query({ limit: 2 })), ['req-5', 'req-6']);
    t.strictSame(ids(await j.query({ keyId: 'key_a', limit: 2 })), ['req-3', 'req-5']);
    t.strictSame(await j.query({ limit: 0 }), []);
    t.strictSame(ids(await j.query({ limit: 100 })).length, 6);
  });

  t.test('bound: past capacity the oldest go and are counted as dropped', async (t) => {
    const j = await store(3);
    for (let n = 1; n <= 5; n++) await j.add(rec(n));
    t.strictSame(ids(await j.query()), ['req-3', 'req-4', 'req-5']);
    t.equal(await j.dropped(), 2);
    const none = await store(0);
    await none.add(rec(1));
    await none.add(rec(2));
    t.strictSame(await none.query(), []);
    t.equal(await none.dropped(), 2, 'capacity 0 keeps nothing and says so');
  });

  t.test('clear(key) forgets that key only, not as dropped; clear() empties and zeroes dropped', async (t) => {
    const j = await store(4);
    for (let n = 1; n <= 5; n++) await j.add(rec(n, { keyId: n % 2 ? 'key_a' : 'key_b' }));
    await j.add(rec(6, { keyId: undefined }));
    t.equal(await j.dropped(), 2);
    await j.clear('key_a');
    t.strictSame(ids(await j.query()), ['req-4', 'req-6']);
    t.equal(await j.dropped(), 2);
    await j.add(rec(7));
    await j.add(rec(8));
    t.strictSame(ids(await j.query()), ['req-4', 'req-6', 'req-7', 'req-8'], 'new entries fill the freed room first');
    t.equal(await j.dropped(), 2);
    await j.clear();
    t.strictSame(await j.query(), []);
    t.equal(await j.dropped(), 0);
    await j.add(rec(9));
    t.equal((await j.query())[0]!.seq, 9, 'numbering goes on after a clear');
  });

  t.test('two processes adding at once: every entry numbered once, the newest kept', async (t) => {
    const [a, b] = await twoHandles<JournalStore>(t, backend, () => new MemoryJournalStore(20), (l) => new RedisJournalStore(l, 20));
    await Promise.all(Array.from({ length: 50 }, (_, n) => (n % 2 ? a : b).add(rec(n))));
    const seqs = (await b.query()).map((e) => e.seq);
    t.strictSame(seqs, Array.from({ length: 20 }, (_, i) => 31 + i));
    t.equal(await a.dropped(), 30);
  });

  t.test('dump narrows to one key; load merges by seq, keeps capacity, never numbers backwards', async (t) => {
    const j = await store(5);
    for (let n = 1; n <= 3; n++) await j.add(rec(n, { keyId: n === 2 ? 'key_b' : 'key_a' }));
    const dump = (await j.dump()) as { seq: number; dropped: number; entries: { seq: number; record: { requestId: string } }[] };
    t.strictSame(dump.seq, 3);
    t.strictSame(dump.entries.map((e) => e.seq), [1, 2, 3]);
    t.strictSame(((await j.dump('key_b')) as typeof dump).entries.map((e) => e.record.requestId), ['req-2']);

    const other = await store(3);
    await other.add(rec(10));
    await other.add(rec(11));
    await other.load({ ...dump, seq: 7, dropped: 1 });
    // Merged by seq: the dump's 1 and 2 replace req-10 and req-11; its 3 joins; then 3 of 3 fit.
    t.strictSame(ids(await other.query()), ['req-1', 'req-2', 'req-3']);
    t.equal(await other.dropped(), 1);
    await other.add(rec(12));
    t.strictSame((await other.query()).map((e) => e.seq), [2, 3, 8]);
    t.equal(await other.dropped(), 2);
    await other.load({ seq: 0, dropped: 0, entries: dump.entries.concat([{ ...dump.entries[0]!, seq: 20 }]) });
    t.strictSame((await other.query()).map((e) => e.seq), [3, 8, 20], 'a full load keeps the newest capacity');
    t.equal(await other.dropped(), 4);
    await t.rejects(other.load({ seq: 1, dropped: 0, entries: [{ seq: 1, record: { requestId: 'x' } }] }), /invalid journal dump/);
  });

  t.test('a dump of the memory backend loads here and dumps the same', async (t) => {
    const memory = new MemoryJournalStore(4);
    for (let n = 1; n <= 6; n++) await memory.add(rec(n, { keyId: n === 3 ? undefined : 'key_a' }));
    await memory.clear('key_a');
    await memory.add(rec(7));
    const j = await store(4);
    await j.load(await memory.dump());
    t.strictSame(await j.dump(), await memory.dump());
    t.strictSame(await j.query(), JSON.parse(JSON.stringify(await memory.query())));
  });
});
