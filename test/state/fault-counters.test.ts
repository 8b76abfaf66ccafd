import fc from 'fast-check';
import t from 'tap';
import { seededDraw } from '../../src/lib/seeded-draw.js';
import { seededRandom } from '../../src/lib/random.js';
import { MemoryFaultCounterStore } from '../../src/state/memory/fault-counters.js';
import { RedisFaultCounterStore } from '../../src/state/redis/fault-counters.js';
import type { FaultCounterStore } from '../../src/state/types.js';
import { eachBackend } from '../helpers/backends.js';
import { oneStore, twoHandles } from '../helpers/state-stores.js';

t.test('seededDraw(seed, n) is the n-th value of seededRandom(seed)', async (t) => {
  fc.assert(
    fc.property(fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), fc.integer({ min: 1, max: 300 }), (seed, n) => {
      const next = seededRandom(seed);
      let nth = 0;
      for (let i = 0; i < n; i++) nth = next();
      return seededDraw(seed, n) === nth;
    }),
    { numRuns: 300 },
  );
  // The state wraps at 2^32 steps: a draw number past it is still exact.
  t.equal(seededDraw(7, 2 ** 32 + 5), seededDraw(7, 5));
});

eachBackend(t, 'fault counters', async (t, backend) => {
  const store = (): Promise<FaultCounterStore> => oneStore<FaultCounterStore>(t, backend, () => new MemoryFaultCounterStore(), (l) => new RedisFaultCounterStore(l));

  t.test('a limited rule fires `remaining` times, then neither fires nor draws', async (t) => {
    const s = await store();
    await s.init('r1', 2);
    t.equal(await s.draw('r1'), 1);
    t.equal(await s.fire('r1'), true);
    t.equal(await s.draw('r1'), 2);
    t.equal(await s.fire('r1'), true);
    t.equal(await s.fire('r1'), false);
    t.equal(await s.draw('r1'), undefined);
    t.strictSame(await s.counts(['r1', 'unknown']), new Map([['r1', { fired: 2, remaining: 0 }]]));
  });

  t.test('an unlimited rule always fires; a draw that does not fire still uses a number', async (t) => {
    const s = await store();
    await s.init('u', undefined);
    for (let i = 1; i <= 5; i++) t.equal(await s.draw('u'), i);
    for (let i = 0; i < 3; i++) t.equal(await s.fire('u'), true);
    t.strictSame(await s.counts(['u']), new Map([['u', { fired: 3, remaining: undefined }]]));
  });

  t.test('unknown and deleted rules neither draw nor fire; init starts a rule afresh', async (t) => {
    const s = await store();
    t.equal(await s.draw('nope'), undefined);
    t.equal(await s.fire('nope'), false);
    await s.init('a', 1);
    await s.init('b', undefined);
    await s.fire('a');
    await s.init('a', 3);
    t.strictSame(await s.counts(['a']), new Map([['a', { fired: 0, remaining: 3 }]]));
    await s.delete(['a']);
    t.equal(await s.fire('a'), false);
    t.strictSame([...(await s.counts(['a', 'b'])).keys()], ['b']);
    await s.reset();
    t.strictSame(await s.counts(['b']), new Map());
    await s.delete([]);
  });

  t.test('two processes racing for the last firing: exactly one gets it', async (t) => {
    const [a, b] = await twoHandles<FaultCounterStore>(t, backend, () => new MemoryFaultCounterStore(), (l) => new RedisFaultCounterStore(l));
    for (let round = 0; round < 20; round++) {
      await a.init(`last-${round}`, 1);
      const won = await Promise.all([a.fire(`last-${round}`), b.fire(`last-${round}`), a.fire(`last-${round}`), b.fire(`last-${round}`)]);
      t.equal(won.filter(Boolean).length, 1, `round ${round}`);
    }
  });

  t.test('100 concurrent draws from two processes are numbered 1..100, each once', async (t) => {
    const [a, b] = await twoHandles<FaultCounterStore>(t, backend, () => new MemoryFaultCounterStore(), (l) => new RedisFaultCounterStore(l));
    await a.init('p', undefined);
    const draws = await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 2 ? a : b).draw('p')));
    t.strictSame(
      draws.sort((x, y) => x! - y!),
      Array.from({ length: 100 }, (_, i) => i + 1),
    );
  });

  t.test('dump and load: sorted by rule id, unlimited as null, loads replace counters', async (t) => {
    const s = await store();
    await s.init('z', undefined);
    await s.init('a', 2);
    await s.draw('a');
    await s.fire('a');
    const dump = { rules: [{ ruleId: 'a', fired: 1, remaining: 1, draws: 1 }, { ruleId: 'z', fired: 0, remaining: null, draws: 0 }] };
    t.strictSame(await s.dump(), dump);
    const other = await store();
    await other.init('a', 9);
    await other.init('keep', 4);
    await other.load(dump);
    t.strictSame(await other.dump(), { rules: [dump.rules[0], { ruleId: 'keep', fired: 0, remaining: 4, draws: 0 }, dump.rules[1]] });
    t.equal(await other.draw('a'), 2, 'the sequence goes on where the dump left it');
    await t.rejects(other.load({ rules: [{ ruleId: 'x', fired: -1, remaining: null, draws: 0 }] }), /invalid fault counters dump: \/rules\/0\/fired/);
  });

  t.test('a dump of the memory backend loads here and dumps the same', async (t) => {
    const memory = new MemoryFaultCounterStore();
    await memory.init('a', 3);
    await memory.init('b', undefined);
    await memory.fire('a');
    await memory.draw('b');
    const s = await store();
    await s.load(await memory.dump());
    t.strictSame(await s.dump(), await memory.dump());
  });
});
