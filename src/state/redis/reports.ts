import type { Observation, ReportBody } from '../../domain/client-report.js';
import type { ReportDump } from '../../schemas/state-dumps.js';
import { checkBounds, checkReportDump, replayReport, REPORT_BOUNDS, storedObservation, type ReportBounds } from '../observations.js';
import type { Json, ReportStore } from '../types.js';
import { LuaScript, type RedisLink } from './link.js';

/*
 * `report:obs:<keyId>`, a list of the key's newest observations (JSON);
 * `report:active`, a sorted set of key ids scored by `report:tick` (a counter
 * moved by every observation: an order all processes agree on, which the
 * emulator clock and the hosts' clocks are not); `report:total`, the
 * observations held across keys. The scripts that forget a key build its
 * list's name from the prefix they are given: fine on the single-node Redis
 * this emulator supports, not on a cluster.
 */

// Forgets least recently active keys while past the bounds. KEYS: active, total. ARGV[1..3]: keysMax, totalMax, list prefix.
const EVICT = `
local function evict()
  while redis.call('ZCARD', KEYS[1]) > tonumber(ARGV[1]) or tonumber(redis.call('GET', KEYS[2]) or '0') > tonumber(ARGV[2]) do
    local oldest = redis.call('ZPOPMIN', KEYS[1])[1]
    if not oldest then return end
    local list = ARGV[3] .. oldest
    redis.call('DECRBY', KEYS[2], redis.call('LLEN', list))
    redis.call('DEL', list)
  end
end`;

// KEYS: active, total, tick, the key's list. ARGV: bounds (3), key id, perKeyMax, replace (1: the list is replaced), JSON….
const APPEND = new LuaScript(`${EVICT}
if ARGV[6] == '1' then
  redis.call('DECRBY', KEYS[2], redis.call('LLEN', KEYS[4]))
  redis.call('DEL', KEYS[4])
end
local n = redis.call('RPUSH', KEYS[4], unpack(ARGV, 7))
local over = n - tonumber(ARGV[5])
if over > 0 then redis.call('LTRIM', KEYS[4], over, -1) end
redis.call('INCRBY', KEYS[2], #ARGV - 6 - math.max(over, 0))
redis.call('ZADD', KEYS[1], redis.call('INCR', KEYS[3]), ARGV[4])
evict()`);

// KEYS: active, total. ARGV: list prefix, key id or '' for all.
const RESET = new LuaScript(`
local ids = ARGV[2] == '' and redis.call('ZRANGE', KEYS[1], 0, -1) or { ARGV[2] }
for _, id in ipairs(ids) do
  redis.call('DECRBY', KEYS[2], redis.call('LLEN', ARGV[1] .. id))
  redis.call('DEL', ARGV[1] .. id)
  redis.call('ZREM', KEYS[1], id)
end`);

// KEYS: active. ARGV: list prefix, key id or '' for all. Key ids least recently active first, each followed by its list.
const DUMP = new LuaScript(`
local out = {}
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  if ARGV[2] == '' or ARGV[2] == id then
    out[#out + 1] = id
    out[#out + 1] = redis.call('LRANGE', ARGV[1] .. id, 0, -1)
  end
end
return out`);

/** Lua's unpack() takes a few thousand values: a loaded list longer than this goes in several appends. */
const APPEND_SLICE = 1000;

export class RedisReportStore implements ReportStore {
  readonly #bounds: ReportBounds;
  readonly #active: string;
  readonly #total: string;
  readonly #tick: string;
  readonly #listPrefix: string;

  constructor(
    private readonly link: RedisLink,
    bounds: ReportBounds = REPORT_BOUNDS,
  ) {
    this.#bounds = checkBounds(bounds);
    this.#active = link.key('report', 'active');
    this.#total = link.key('report', 'total');
    this.#tick = link.key('report', 'tick');
    this.#listPrefix = link.key('report', 'obs', '');
  }

  async observe(o: Observation): Promise<void> {
    await this.#append(o.keyId, [JSON.stringify(storedObservation(o))], false);
  }

  async report(keyId: string, jobStatus: (jobId: string) => string | undefined, costOf: (requestId: string, jobId?: string) => bigint): Promise<ReportBody> {
    const items = await this.link.send<string[]>(['LRANGE', this.#listPrefix + keyId, 0, -1]);
    return replayReport(keyId, items.map((s) => JSON.parse(s) as Observation), jobStatus, costOf);
  }

  async reset(keyId?: string): Promise<void> {
    await this.link.script(RESET, [this.#active, this.#total], [this.#listPrefix, keyId ?? '']);
  }

  async dump(keyId?: string): Promise<Json> {
    const flat = await this.link.script<(string | string[])[]>(DUMP, [this.#active], [this.#listPrefix, keyId ?? '']);
    const keys: ReportDump['keys'] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      keys.push({ keyId: flat[i] as string, observations: (flat[i + 1] as string[]).map((s) => JSON.parse(s) as ReportDump['keys'][number]['observations'][number]) });
    }
    return { keys } satisfies ReportDump as unknown as Json;
  }

  /** Each key in the dump replaces the one held, and becomes the most recently active, in dump order. */
  async load(dump: Json): Promise<void> {
    for (const k of checkReportDump(dump).keys) {
      const items = k.observations.slice(-this.#bounds.perKeyMax).map((o) => JSON.stringify(storedObservation(o as Observation)));
      if (items.length === 0) await this.reset(k.keyId);
      for (let i = 0; i < items.length; i += APPEND_SLICE) await this.#append(k.keyId, items.slice(i, i + APPEND_SLICE), i === 0);
    }
  }

  #append(keyId: string, items: string[], replace: boolean): Promise<unknown> {
    const { keysMax, totalMax, perKeyMax } = this.#bounds;
    return this.link.script(APPEND, [this.#active, this.#total, this.#tick, this.#listPrefix + keyId], [keysMax, totalMax, this.#listPrefix, keyId, perKeyMax, replace ? 1 : 0, ...items]);
  }
}
