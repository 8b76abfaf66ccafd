import t from 'tap';
import { MemoryRateWindowStore } from '../../src/state/memory/rate-windows.js';
import { RedisRateWindowStore } from '../../src/state/redis/rate-windows.js';
import type { RateWindowStore } from '../../src/state/types.js';
import { eachBackend } from '../helpers/backends.js';
import { oneStore, twoHandles } from '../helpers/state-stores.js';

const MINUTE_MS = 60_000;
const T0 = 1_700_000_040_000;

eachBackend(t, 'rate windows', async (t, backend) => {
  const store = (): Promise<RateWindowStore> => oneStore<RateWindowStore>(t, backend, () => new MemoryRateWindowStore(), (l) => new RedisRateWindowStore(l));

  t.test('counts up to the limit; refused requests are not counted', async (t) => {
    const s = await store();
    const takes = [];
    for (let i = 0; i < 5; i++) takes.push(await s.take('acc', T0, MINUTE_MS, 3));
    t.strictSame(takes, [
      { count: 1, allowed: true },
      { count: 2, allowed: true },
      { count: 3, allowed: true },
      { count: 3, allowed: false },
      { count: 3, allowed: false },
    ]);
    t.strictSame(await s.take('other', T0, MINUTE_MS, 3), { count: 1, allowed: true }, 'accounts are counted apart');
    t.strictSame(await s.take('zero', T0, MINUTE_MS, 0), { count: 0, allowed: false }, 'a limit of 0 refuses all');
  });

  t.test('another window start begins afresh, also when the clock was set back', async (t) => {
    const s = await store();
    await s.take('acc', T0, MINUTE_MS, 1);
    t.strictSame(await s.take('acc', T0, MINUTE_MS, 1), { count: 1, allowed: false });
    t.strictSame(await s.take('acc', T0 + MINUTE_MS, MINUTE_MS, 1), { count: 1, allowed: true });
    t.strictSame(await s.take('acc', T0, MINUTE_MS, 1), { count: 1, allowed: true });
  });

  t.test('reset forgets one account or all', async (t) => {
    const s = await store();
    for (const id of ['a', 'b', 'c']) await s.take(id, T0, MINUTE_MS, 1);
    await s.reset('a');
    t.strictSame(await s.take('a', T0, MINUTE_MS, 1), { count: 1, allowed: true });
    t.strictSame(await s.take('b', T0, MINUTE_MS, 1), { count: 1, allowed: false });
    await s.reset();
    t.strictSame(await s.dump(), { windows: [] });
    t.strictSame(await s.take('b', T0, MINUTE_MS, 1), { count: 1, allowed: true });
  });

  t.test('two processes taking at once never let more than the limit through', async (t) => {
    const [a, b] = await twoHandles<RateWindowStore>(t, backend, () => new MemoryRateWindowStore(), (l) => new RedisRateWindowStore(l));
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? a : b).take('acc', T0, MINUTE_MS, 25)));
    const allowed = results.filter((r) => r.allowed);
    t.equal(allowed.length, 25);
    t.strictSame(
      allowed.map((r) => r.count).sort((x, y) => x - y),
      Array.from({ length: 25 }, (_, i) => i + 1),
      'each admitted request has its own count',
    );
  });

  t.test('dump: each account’s window by account id, narrowed to one; load replaces', async (t) => {
    const s = await store();
    await s.take('b', T0, MINUTE_MS, 5);
    await s.take('a', T0, MINUTE_MS, 5);
    await s.take('a', T0, MINUTE_MS, 5);
    const a = { accountId: 'a', windowStartMs: T0, windowMs: MINUTE_MS, count: 2 };
    const b = { accountId: 'b', windowStartMs: T0, windowMs: MINUTE_MS, count: 1 };
    t.strictSame(await s.dump(), { windows: [a, b] });
    t.strictSame(await s.dump('b'), { windows: [b] });
    t.strictSame(await s.dump('nobody'), { windows: [] });
    const other = await store();
    await other.take('a', T0, MINUTE_MS, 5);
    await other.take('c', T0, MINUTE_MS, 5);
    await other.load({ windows: [{ ...a, count: 5 }, b] });
    t.strictSame(await other.take('a', T0, MINUTE_MS, 5), { count: 5, allowed: false }, 'the loaded count holds');
    t.equal(((await other.dump()) as { windows: unknown[] }).windows.length, 3);
    await t.rejects(other.load({ windows: [{ ...a, windowMs: 0 }] }), /invalid rate windows dump: \/windows\/0\/windowMs/);
  });

  t.test('a dump of the memory backend loads here and dumps the same', async (t) => {
    const memory = new MemoryRateWindowStore();
    await memory.take('x', T0, MINUTE_MS, 9);
    await memory.take('y', T0 + MINUTE_MS, MINUTE_MS, 9);
    const s = await store();
    await s.load(await memory.dump());
    t.strictSame(await s.dump(), await memory.dump());
  });

  if (backend.name === 'memory') {
    t.test('bound: past windowsMax, stale windows go first, then the oldest of the current one', async (t) => {
      const s = new MemoryRateWindowStore(10);
      for (let i = 0; i < 4; i++) await s.take(`old-${i}`, T0, MINUTE_MS, 9);
      for (let i = 0; i < 30; i++) await s.take(`new-${i}`, T0 + MINUTE_MS, MINUTE_MS, 9);
      const ids = ((await s.dump()) as { windows: { accountId: string }[] }).windows.map((w) => w.accountId);
      t.ok(ids.length <= 10, `${ids.length} windows kept`);
      t.notOk(ids.some((id) => id.startsWith('old-')), 'stale windows are gone');
      t.ok(ids.includes('new-29'), 'the newest window is kept');
    });
  } else {
    t.test('bound: one key per account, expiring a little after its window', async (t) => {
      const link = await backend.link(t);
      const s = new RedisRateWindowStore(link);
      for (let i = 0; i < 3; i++) await s.take('acc', T0 + i * MINUTE_MS, MINUTE_MS, 9);
      const keys = await link.send<string[]>(['KEYS', `${link.prefix}*`]);
      t.strictSame(keys, [link.key('rate', 'acc')]);
      const ttlMs = await link.send<number>(['PTTL', keys[0]!]);
      t.ok(ttlMs > MINUTE_MS && ttlMs <= MINUTE_MS + 5_000, `expires in ${ttlMs} ms`);
    });
  }
});
