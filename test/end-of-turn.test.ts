import { stat } from 'node:fs';
import t from 'tap';
import { EndOfTurn } from '../src/lib/end-of-turn.js';

const ioCallback = () => new Promise<void>((resolve) => stat('.', () => resolve()));

t.test('deferred calls run in order once the turn has handled its I/O: after microtasks, before the next timers', async (t) => {
  const seen: string[] = [];
  const turn = new EndOfTurn(() => t.fail('nothing throws'));
  await new Promise<void>((resolve) =>
    // Inside an I/O callback, as the app's answers are: a timeout set here fires in the next turn.
    stat('.', () => {
      setTimeout(() => {
        seen.push('timeout');
        resolve();
      }, 0);
      turn.defer(() => seen.push('first'));
      turn.defer(() => seen.push('second'));
      void Promise.resolve().then(() => seen.push('microtask'));
      seen.push('sync');
    }),
  );
  t.same(seen, ['sync', 'microtask', 'first', 'second', 'timeout']);
});

t.test('a call that throws is reported, and the calls after it still run', async (t) => {
  const errors: unknown[] = [];
  const seen: number[] = [];
  const turn = new EndOfTurn((err) => errors.push(err));
  turn.defer(() => seen.push(1));
  turn.defer(() => {
    throw new Error('boom');
  });
  turn.defer(() => seen.push(3));
  await new Promise((resolve) => setImmediate(resolve));
  t.same(seen, [1, 3]);
  t.equal(errors.length, 1);
  t.match(errors[0], { message: 'boom' });
});

t.test('a call deferred while a batch runs goes to the next turn, and every turn after still releases', async (t) => {
  const seen: string[] = [];
  const turn = new EndOfTurn(() => t.fail('nothing throws'));
  turn.defer(() => {
    seen.push('a');
    turn.defer(() => seen.push('c'));
  });
  turn.defer(() => seen.push('b'));
  await new Promise((resolve) => setImmediate(resolve));
  t.same(seen, ['a', 'b'], 'c waits for the next turn');
  await ioCallback();
  await new Promise((resolve) => setImmediate(resolve));
  t.same(seen, ['a', 'b', 'c']);
  for (let round = 0; round < 3; round++) {
    turn.defer(() => seen.push(`r${round}`));
    await new Promise((resolve) => setImmediate(resolve));
  }
  t.same(seen.slice(3), ['r0', 'r1', 'r2'], 'the arrays that take turns are emptied and reused');
});
