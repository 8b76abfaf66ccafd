import { FaultCountersDump } from '../../schemas/state-dumps.js';
import { checkDump, sortedBy } from '../dump-check.js';
import type { FaultCounterStore, FaultCounts, Json } from '../types.js';
import { LuaScript, type RedisLink } from './link.js';
import { ARGS_SLICE, pairs, slices } from './commands.js';

/*
 * Three hashes keyed by rule id: fired, remaining (no field: unlimited) and
 * draws. A rule exists while it has a `fired` field. Every step that must
 * happen once across processes (a draw number, the last firing) is one
 * script, so two processes never both take the same firing or draw number.
 * Their size is bounded by the rule definitions (ControlDocs), which delete
 * a rule's counters when they forget it.
 */

// KEYS: fired, remaining, draws. ARGV: rule id.
const DRAW = new LuaScript(`
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return false end
local left = redis.call('HGET', KEYS[2], ARGV[1])
if left and tonumber(left) <= 0 then return false end
return redis.call('HINCRBY', KEYS[3], ARGV[1], 1)`);

const FIRE = new LuaScript(`
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
local left = redis.call('HGET', KEYS[2], ARGV[1])
if left then
  if tonumber(left) <= 0 then return 0 end
  redis.call('HINCRBY', KEYS[2], ARGV[1], -1)
end
redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
return 1`);

// ARGV: (rule id, fired, remaining or '' for unlimited, draws)…; replaces each rule's counters.
const SET = new LuaScript(`
for i = 1, #ARGV, 4 do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
  if ARGV[i + 2] == '' then redis.call('HDEL', KEYS[2], ARGV[i]) else redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 2]) end
  redis.call('HSET', KEYS[3], ARGV[i], ARGV[i + 3])
end`);

// ARGV: rule ids. One snapshot of fired and remaining for them.
const COUNTS = new LuaScript(`return { redis.call('HMGET', KEYS[1], unpack(ARGV)), redis.call('HMGET', KEYS[2], unpack(ARGV)) }`);

const DELETE = new LuaScript(`for i = 1, 3 do redis.call('HDEL', KEYS[i], unpack(ARGV)) end`);

const ALL = new LuaScript(`return { redis.call('HGETALL', KEYS[1]), redis.call('HGETALL', KEYS[2]), redis.call('HGETALL', KEYS[3]) }`);

export class RedisFaultCounterStore implements FaultCounterStore {
  readonly #keys: string[];

  constructor(private readonly link: RedisLink) {
    this.#keys = [link.key('fault', 'fired'), link.key('fault', 'remaining'), link.key('fault', 'draws')];
  }

  async init(ruleId: string, remaining: number | undefined): Promise<void> {
    await this.link.script(SET, this.#keys, [ruleId, 0, remaining ?? '', 0]);
  }

  async draw(ruleId: string): Promise<number | undefined> {
    return (await this.link.script<number | null>(DRAW, this.#keys, [ruleId])) ?? undefined;
  }

  async fire(ruleId: string): Promise<boolean> {
    return (await this.link.script<number>(FIRE, this.#keys, [ruleId])) === 1;
  }

  async counts(ruleIds: readonly string[]): Promise<Map<string, FaultCounts>> {
    const out = new Map<string, FaultCounts>();
    for (const ids of slices(ruleIds)) {
      const [fired, remaining] = await this.link.script<[(string | null)[], (string | null)[]]>(COUNTS, this.#keys, ids);
      ids.forEach((id, i) => {
        const f = fired[i];
        const r = remaining[i];
        if (f != null) out.set(id, { fired: Number(f), remaining: r == null ? undefined : Number(r) });
      });
    }
    return out;
  }

  async delete(ruleIds: readonly string[]): Promise<void> {
    for (const ids of slices(ruleIds)) await this.link.script(DELETE, this.#keys, ids);
  }

  async reset(): Promise<void> {
    await this.link.send(['DEL', ...this.#keys]);
  }

  async dump(): Promise<Json> {
    const [fired, remaining, draws] = (await this.link.script<string[][]>(ALL, this.#keys, [])).map(pairs);
    const rules = [...fired!].map(([ruleId, f]) => {
      const left = remaining!.get(ruleId);
      return { ruleId, fired: Number(f), remaining: left === undefined ? null : Number(left), draws: Number(draws!.get(ruleId) ?? 0) };
    });
    return { rules: sortedBy(rules, 'ruleId') } satisfies FaultCountersDump;
  }

  async load(dump: Json): Promise<void> {
    const rules = checkDump<FaultCountersDump>(FaultCountersDump, dump, 'fault counters').rules;
    for (const rows of slices(rules, ARGS_SLICE / 4)) {
      await this.link.script(SET, this.#keys, rows.flatMap((r) => [r.ruleId, r.fired, r.remaining ?? '', r.draws]));
    }
  }
}
