import t from 'tap';
import { bodyHash, ClientTracker } from '../src/domain/client-report.js';
import { newHexId, newRequestId, uuidFromHex } from '../src/lib/ids.js';

// Memory must not grow with traffic: what the report remembers is bounded across keys.
t.test('the client tracker forgets its oldest jobs and bodies past its bounds', async (t) => {
  const tracker = new ClientTracker();
  const submits = 20_050;
  for (let i = 0; i < submits; i++) {
    tracker.observe({ keyId: 'key_a', kind: 'submit', atMs: i, requestId: `r${i}`, status: 202, jobId: `j${i}`, bodyHash: `b${i % 30_000}` });
  }
  // Same body again: a retry is still found while its first sighting is remembered.
  tracker.observe({ keyId: 'key_a', kind: 'submit', atMs: 1, requestId: 'again', status: 202, jobId: 'j-again', bodyHash: `b${submits - 1}` });
  const report = tracker.report('key_a', () => 'completed', () => 1n);
  t.equal(report.jobs_never_polled_to_terminal.count, 20_000, 'the oldest tracked jobs were forgotten');
  t.equal(report.jobs_never_polled_to_terminal.jobs.length, 100, 'the report lists a bounded sample');
  t.notOk(report.jobs_never_polled_to_terminal.jobs.some((j) => j.jobId === 'j0'));
  t.same(report.retried_submits.groups.map((g) => g.requestIds), [[`r${submits - 1}`, 'again']]);

  // The oldest body is forgotten, so its repeat is no longer counted as a retry.
  tracker.observe({ keyId: 'key_a', kind: 'submit', atMs: 2, requestId: 'old', status: 202, jobId: 'j-old', bodyHash: 'b0' });
  t.equal(tracker.report('key_a', () => 'completed', () => 1n).retried_submits.count, 1);
});

t.test('the client tracker keeps findings for at most 1000 keys', async (t) => {
  const tracker = new ClientTracker();
  const deprecated = (keyId: string) => tracker.observe({ keyId, kind: 'sync', atMs: 0, requestId: 'r', status: 200, usedDeprecatedProvider: true });
  deprecated('key_first');
  t.equal(tracker.report('key_first', () => undefined, () => 0n).deprecated_fields.count, 1);
  for (let i = 0; i < 1000; i++) deprecated(`key_${i}`);
  t.equal(tracker.report('key_first', () => undefined, () => 0n).deprecated_fields.count, 0, 'the oldest key was forgotten');
  t.equal(tracker.report('key_999', () => undefined, () => 0n).deprecated_fields.count, 1);
});

t.test('a poll of another key’s job is not that job’s client', async (t) => {
  const tracker = new ClientTracker();
  tracker.observe({ keyId: 'key_a', kind: 'submit', atMs: 0, requestId: 'r', status: 202, jobId: 'j', retryAfterS: 5 });
  tracker.observe({ keyId: 'key_b', kind: 'poll', atMs: 1, requestId: 'p', status: 403, jobId: 'j' });
  tracker.observe({ keyId: 'key_a', kind: 'poll', atMs: 2, requestId: 'p2', status: 200, jobId: 'j', jobStatus: 'pending', retryAfterS: 5 });
  t.equal(tracker.report('key_b', () => 'pending', () => 0n).early_polls.count, 0);
  t.equal(tracker.report('key_a', () => 'pending', () => 0n).early_polls.count, 1);
});

t.test('ids: v4 UUID request ids and 32-hex job ids, unique', async (t) => {
  const requestIds = new Set(Array.from({ length: 5000 }, newRequestId));
  const jobIds = new Set(Array.from({ length: 5000 }, newHexId));
  t.equal(requestIds.size, 5000);
  t.equal(jobIds.size, 5000);
  for (const id of requestIds) if (!/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(id)) t.fail(`not a v4 UUID: ${id}`);
  for (const id of jobIds) if (!/^[0-9a-f]{32}$/.test(id)) t.fail(`not 32 hex: ${id}`);
  t.equal(uuidFromHex('0123456789abcdef0123456789abcdef' + 'ff'.repeat(16)), '01234567-89ab-4def-8123-456789abcdef', 'extra digits are ignored');
});

t.test('a retried body is the same body whatever the order of its fields', async (t) => {
  const a = { model: 'z-image', prompt: 'p', n: 2, extra: { b: [1, { y: 2, x: null }], a: true } };
  const b = { extra: { a: true, b: [1, { x: null, y: 2 }] }, n: 2, prompt: 'p', model: 'z-image' };
  t.equal(bodyHash(a), bodyHash(b));
  t.not(bodyHash(a), bodyHash({ ...a, n: 3 }));
  t.not(bodyHash({ p: '1' }), bodyHash({ p: 1 }));
  t.equal(bodyHash(undefined), undefined);
  t.match(bodyHash(a), /^[0-9a-f]{16}$/);
});
