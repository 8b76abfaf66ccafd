import { seededRandom } from './random.js';

/** mulberry32's state increment (src/lib/random.ts). */
const STEP = 0x6d2b79f5;

/**
 * The n-th value (1-based) of `seededRandom(seed)`'s sequence, without
 * drawing the n-1 before it: mulberry32's state after k steps is
 * seed + k * STEP (mod 2^32), so a generator seeded with the state after
 * n-1 steps yields the n-th value on its first call. This is what lets
 * several processes share one replayable sequence per fault rule: a shared
 * counter hands out n, each process computes the value itself.
 */
export function seededDraw(seed: number, n: number): number {
  // Math.imul keeps the product's low 32 bits, exact for any integer n below 2^53.
  return seededRandom(((seed >>> 0) + Math.imul(n - 1, STEP)) >>> 0)();
}
