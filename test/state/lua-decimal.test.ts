import fc from 'fast-check';
import t from 'tap';
import { LuaScript, RedisLink, RedisReplyError } from '../../src/state/redis/link.js';
import { LUA_DECIMAL } from '../../src/state/redis/lua-decimal.js';
import { startRedis, uniquePrefix } from '../helpers/redis.js';

// One EVAL per batch of pairs: each pair answers a + b, a - b, cmp(a, b) and -a.
const batch = new LuaScript(`${LUA_DECIMAL}
local out = {}
for i = 1, #ARGV, 2 do
  local a, b = ARGV[i], ARGV[i + 1]
  out[#out + 1] = {dec_add(a, b), dec_sub(a, b), dec_cmp(a, b), dec_neg(a)}
end
return out`);

const chunkEdge = fc
  .tuple(fc.integer({ min: 0, max: 6 }), fc.bigInt({ min: -10n, max: 10n }), fc.boolean())
  .map(([k, d, neg]) => (neg ? -1n : 1n) * (10n ** BigInt(7 * k) + d));
const decimal = fc.oneof(
  fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }),
  fc.bigInt({ min: -(10n ** 16n), max: 10n ** 16n }),
  chunkEdge,
  fc.constantFrom(0n, 1n, -1n, 2n ** 53n + 1n, 2n ** 63n, -(2n ** 63n), 10n ** 30n),
);

t.test('decimal add, sub, cmp and neg agree with BigInt', async (t) => {
  const redis = await startRedis(t);
  const link = await RedisLink.open({ url: redis.url, prefix: uniquePrefix('decimal'), commandTimeoutMs: 2000 });
  await link.connect();
  t.teardown(() => link.close());
  const run = (pairs: [string, string][]) => link.script<[string, string, number, string][]>(batch, [], pairs.flat());

  let checked = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(fc.tuple(decimal, decimal), { minLength: 1, maxLength: 40 }), async (pairs) => {
      const got = await run(pairs.map(([a, b]) => [a.toString(), b.toString()]));
      pairs.forEach(([a, b], i) => {
        const cmp = a < b ? -1 : a > b ? 1 : 0;
        const want = [(a + b).toString(), (a - b).toString(), cmp, (-a).toString()];
        if (JSON.stringify(got[i]) !== JSON.stringify(want)) throw new Error(`${a}, ${b}: got ${JSON.stringify(got[i])}, want ${JSON.stringify(want)}`);
        checked++;
      });
    }),
    { seed: 16, numRuns: 300 },
  );
  t.ok(checked > 1000, `${checked} pairs checked`);

  // Non-canonical inputs are read as the integers they spell; results are canonical.
  t.same(await run([['-0', '007'], ['-000', '0'], ['0010', '-10']]), [
    ['7', '-7', -1, '0'],
    ['0', '0', 0, '0'],
    ['0', '20', 1, '-10'],
  ]);
  for (const bad of ['', '-', '1.5', '1e3', ' 1', 'abc', '+1']) {
    await t.rejects(run([[bad, '1']]), RedisReplyError, `${JSON.stringify(bad)} is refused`);
  }
});
