import t from 'tap';
import { ClientTracker, type Observation } from '../../src/domain/client-report.js';
import { MemoryReportStore } from '../../src/state/memory/reports.js';
import type { ReportBounds } from '../../src/state/observations.js';
import { RedisReportStore } from '../../src/state/redis/reports.js';
import type { Json, ReportStore } from '../../src/state/types.js';
import { eachBackend } from '../helpers/backends.js';
import { oneStore, twoHandles } from '../helpers/state-stores.js';

const T0 = 1_800_000_000_000;
const HASH = '/v1/images/async submit-hash';

/** Two keys' traffic, interleaved: an early poll, a retried submit, an abandoned and an expired job, deprecated fields, an SDK retry. */
const traffic: Observation[] = [
  { keyId: 'key_a', kind: 'submit', atMs: T0, requestId: 'r1', status: 202, jobId: 'j1', retryAfterS: 5, bodyHash: HASH, startedRealMs: 0, endedRealMs: 10 },
  { keyId: 'key_b', kind: 'submit', atMs: T0, requestId: 'b1', status: 202, jobId: 'jb', retryAfterS: 5, bodyHash: HASH, usedDeprecatedProvider: true },
  { keyId: 'key_a', kind: 'poll', atMs: T0 + 1000, requestId: 'r2', status: 200, jobId: 'j1', jobStatus: 'in_progress', retryAfterS: 5 },
  { keyId: 'key_b', kind: 'poll', atMs: T0 + 1000, requestId: 'b2', status: 200, jobId: 'j1', jobStatus: 'completed' },
  { keyId: 'key_a', kind: 'poll', atMs: T0 + 7000, requestId: 'r3', status: 200, jobId: 'j1', jobStatus: 'completed' },
  { keyId: 'key_a', kind: 'submit', atMs: T0 + 8000, requestId: 'r4', status: 202, jobId: 'j2', retryAfterS: 5, bodyHash: HASH, startedRealMs: 20, endedRealMs: 30, stainlessRetry: 1 },
  { keyId: 'key_a', kind: 'sync', atMs: T0 + 9000, requestId: 'r5', status: 200, bodyHash: 'sync-hash', usedDeprecatedProvider: true },
  { keyId: 'key_a', kind: 'submit', atMs: T0 + 9000, requestId: 'r6', status: 202, jobId: 'j3', bodyHash: 'other' },
  { keyId: 'key_a', kind: 'poll', atMs: T0 + 99_000, requestId: 'r7', status: 404, jobId: 'j3' },
];
const jobStatus = (id: string) => ({ j1: 'completed', j2: 'completed', jb: 'in_progress' })[id];
const costOf = (requestId: string) => (['r1', 'r4', 'b1'].includes(requestId) ? 5n : 0n);

eachBackend(t, 'client report', async (t, backend) => {
  const store = (bounds?: ReportBounds) => oneStore<ReportStore>(t, backend, () => new MemoryReportStore(bounds), (l) => new RedisReportStore(l, bounds));
  const keysOf = async (s: ReportStore) => ((await s.dump()) as { keys: { keyId: string; observations: { requestId: string }[] }[] }).keys;

  t.test('the report is what one tracker fed all traffic reports, per key', async (t) => {
    const s = await store();
    const live = new ClientTracker();
    for (const o of traffic) {
      live.observe(o);
      await s.observe(o);
    }
    for (const key of ['key_a', 'key_b', 'key_none']) t.strictSame(await s.report(key, jobStatus, costOf), live.report(key, jobStatus, costOf), key);
    const a = await s.report('key_a', jobStatus, costOf);
    // The scenario is not vacuous: every finding has something in it.
    t.match(a, { early_polls: { count: 1 }, jobs_never_polled_to_terminal: { count: 2 }, retried_submits: { count: 1, repeat_cost: '5' }, deprecated_fields: { count: 1 }, expired_job_polls: { count: 1 } });
  });

  t.test('observations are stored JSON-safe: unknown, undefined and non-finite fields are left out', async (t) => {
    const s = await store();
    const odd = { keyId: 'k', kind: 'poll', atMs: T0, requestId: 'r', status: 200, jobId: undefined, retryAfterS: NaN, stainlessRetry: Infinity, secret: 'x' };
    await s.observe(odd as unknown as Observation);
    t.strictSame(await s.dump(), { keys: [{ keyId: 'k', observations: [{ keyId: 'k', kind: 'poll', requestId: 'r', atMs: T0, status: 200 }] }] });
    t.strictSame((await s.report('k', jobStatus, costOf)).retried_submits.sdk_retries, []);
  });

  t.test('bounds: newest perKeyMax per key, at most keysMax keys and totalMax observations, least recently active forgotten', async (t) => {
    const s = await store({ perKeyMax: 3, keysMax: 2, totalMax: 5 });
    const obs = (keyId: string, n: number): Observation => ({ keyId, kind: 'other', atMs: T0 + n, requestId: `${keyId}-${n}`, status: 200 });
    for (let n = 1; n <= 5; n++) await s.observe(obs('a', n));
    t.strictSame((await keysOf(s)).map((k) => k.observations.map((o) => o.requestId)), [['a-3', 'a-4', 'a-5']]);
    await s.observe(obs('b', 1));
    await s.observe(obs('a', 6));
    await s.observe(obs('c', 1));
    t.strictSame((await keysOf(s)).map((k) => k.keyId), ['a', 'c'], 'b was the least recently active of three keys');
    await s.observe(obs('c', 2));
    await s.observe(obs('c', 3));
    t.strictSame((await keysOf(s)).map((k) => k.keyId), ['c'], 'six observations are past totalMax: a goes');
    for (const [keyId, n] of [['a', 7], ['c', 4], ['c', 5], ['d', 1]] as const) await s.observe(obs(keyId, n));
    t.strictSame((await keysOf(s)).map((k) => k.keyId), ['c', 'd'], 'a, then c twice, then d: a was the least recently active');
    t.equal((await s.report('a', jobStatus, costOf)).expired_job_polls.count, 0);
  });

  t.test('bounds that could not hold a whole key are refused', async (t) => {
    await t.rejects(store({ perKeyMax: 10, keysMax: 5, totalMax: 9 }), /invalid report bounds/);
  });

  t.test('two processes observing at once keep the bounds', async (t) => {
    const bounds = { perKeyMax: 10, keysMax: 2, totalMax: 15 };
    const [a, b] = await twoHandles<ReportStore>(t, backend, () => new MemoryReportStore(bounds), (l) => new RedisReportStore(l, bounds));
    await Promise.all(Array.from({ length: 90 }, (_, n) => (n % 2 ? a : b).observe({ keyId: `k${n % 3}`, kind: 'other', atMs: n, requestId: `r${n}`, status: 200 })));
    const keys = await keysOf(a);
    t.ok(keys.length <= 2 && keys.every((k) => k.observations.length <= 10), JSON.stringify(keys.map((k) => k.observations.length)));
    t.ok(keys.reduce((n, k) => n + k.observations.length, 0) <= 15);
    t.ok(keys.some((k) => k.observations.some((o) => o.requestId === 'r89')), 'the newest observation is kept');
  });

  t.test('reset forgets one key or all', async (t) => {
    const s = await store();
    for (const o of traffic) await s.observe(o);
    await s.reset('key_a');
    t.strictSame((await keysOf(s)).map((k) => k.keyId), ['key_b']);
    t.equal((await s.report('key_a', jobStatus, costOf)).early_polls.count, 0);
    await s.reset();
    t.strictSame(await s.dump(), { keys: [] });
  });

  t.test('dump narrows to one key; load replaces keys and makes them the most recently active', async (t) => {
    const s = await store({ perKeyMax: 4, keysMax: 3, totalMax: 100 });
    for (const o of traffic) await s.observe(o);
    const b = (await s.dump('key_b')) as unknown as { keys: { keyId: string; observations: Observation[] }[] };
    t.strictSame(b.keys.map((k) => [k.keyId, k.observations.length]), [['key_b', 2]]);
    await s.observe({ keyId: 'key_c', kind: 'other', atMs: T0, requestId: 'c1', status: 200 });
    await s.load({ keys: [{ keyId: 'key_b', observations: b.keys[0]!.observations.slice(0, 1) }, { keyId: 'key_a', observations: [] }] } as unknown as Json);
    t.strictSame((await keysOf(s)).map((k) => [k.keyId, k.observations.length]), [['key_c', 1], ['key_b', 1]], 'an empty list forgets the key');
    await t.rejects(s.load({ keys: [{ keyId: 'key_x', observations: [traffic[0]] }] } as never), /invalid client report dump: \/keys\/0\/observations\/0\/keyId/);
    await t.rejects(s.load({ keys: [{ keyId: 'key_x', observations: [{ keyId: 'key_x' }] }] }), /invalid client report dump/);
  });

  t.test('a dump of the memory backend loads here, dumps the same and reports the same', async (t) => {
    const memory = new MemoryReportStore();
    for (const o of traffic) await memory.observe(o);
    const s = await store();
    await s.load(await memory.dump());
    t.strictSame(await s.dump(), await memory.dump());
    t.strictSame(await s.report('key_a', jobStatus, costOf), await memory.report('key_a', jobStatus, costOf));
  });
});
