import { isoMs } from '../../lib/clock.js';
import { JournalDump } from '../../schemas/state-dumps.js';
import type { JournalEntry, JournalQuery, JournalRecord } from '../../store/journal.js';
import { checkDump } from '../dump-check.js';
import { matches, newest, type JournalState, type Numbered } from '../journal-merge.js';
import type { Json, JournalStore } from '../types.js';
import { LuaScript, type RedisLink } from './link.js';

/*
 * `journal:entries`, a list of at most `capacity` entries, oldest first;
 * `journal:seq`, the last sequence number given; `journal:dropped`. An entry
 * is the text `<seq>\n<key tag>\n<record JSON>`, the key tag being the key id
 * as JSON (empty without one): scripts read the seq and the key without
 * decoding the record, and JSON text never holds a raw newline.
 */

// KEYS: entries, seq, dropped. ARGV: capacity, key tag, record JSON.
const ADD = new LuaScript(`
local cap = tonumber(ARGV[1])
if cap == 0 then redis.call('INCR', KEYS[3]) return end
local seq = redis.call('INCR', KEYS[2])
local n = redis.call('RPUSH', KEYS[1], seq .. '\\n' .. ARGV[2] .. '\\n' .. ARGV[3])
if n > cap then
  redis.call('LTRIM', KEYS[1], n - cap, -1)
  redis.call('INCRBY', KEYS[3], n - cap)
end`);

// Shared by the scripts that rewrite the list: the seq and key tag of an entry, and a list refilled in slices.
const LIB = `
local function parts(item)
  local i = string.find(item, '\\n', 1, true)
  local j = string.find(item, '\\n', i + 1, true)
  return tonumber(string.sub(item, 1, i - 1)), string.sub(item, i + 1, j - 1)
end
local function refill(key, items, from)
  redis.call('DEL', key)
  for i = from, #items, 1000 do redis.call('RPUSH', key, unpack(items, i, math.min(i + 999, #items))) end
end`;

// KEYS: entries. ARGV: key tag. Keeps the entries of other keys, in order.
const CLEAR_KEY = new LuaScript(`${LIB}
local kept = {}
for _, item in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do
  local _, tag = parts(item)
  if tag ~= ARGV[1] then kept[#kept + 1] = item end
end
refill(KEYS[1], kept, 1)`);

// KEYS: entries, seq, dropped. ARGV: capacity, dump seq, dump dropped, then the dump's entries by seq.
// Merges by seq (the dump's entry wins) and keeps the newest capacity: journal-merge.ts's mergeJournal, in Lua.
const LOAD = new LuaScript(`${LIB}
local have = redis.call('LRANGE', KEYS[1], 0, -1)
local merged, i, j = {}, 1, 4
while i <= #have or j <= #ARGV do
  local a = i <= #have and parts(have[i]) or math.huge
  local b = j <= #ARGV and parts(ARGV[j]) or math.huge
  if a < b then merged[#merged + 1] = have[i]; i = i + 1
  else
    merged[#merged + 1] = ARGV[j]; j = j + 1
    if a == b then i = i + 1 end
  end
end
local excess = math.max(0, #merged - tonumber(ARGV[1]))
refill(KEYS[1], merged, excess + 1)
local last = #merged > 0 and parts(merged[#merged]) or 0
-- %d: Lua would write a large number as 1e+15, which INCR cannot read.
redis.call('SET', KEYS[2], string.format('%d', math.max(tonumber(redis.call('GET', KEYS[2]) or '0'), tonumber(ARGV[2]), last)))
redis.call('SET', KEYS[3], string.format('%d', math.max(tonumber(redis.call('GET', KEYS[3]) or '0'), tonumber(ARGV[3])) + excess))`);

const SNAPSHOT = new LuaScript(`return { redis.call('GET', KEYS[2]) or '0', redis.call('GET', KEYS[3]) or '0', redis.call('LRANGE', KEYS[1], 0, -1) }`);

const keyTag = (keyId: string | undefined) => (keyId === undefined ? '' : JSON.stringify(keyId));

export class RedisJournalStore implements JournalStore {
  readonly #keys: [entries: string, seq: string, dropped: string];

  constructor(
    private readonly link: RedisLink,
    readonly capacity: number,
  ) {
    this.#keys = [link.key('journal', 'entries'), link.key('journal', 'seq'), link.key('journal', 'dropped')];
  }

  async add(record: JournalRecord): Promise<void> {
    await this.link.script(ADD, this.#keys, [this.capacity, keyTag(record.keyId), JSON.stringify(record)]);
  }

  async query(q: JournalQuery = {}): Promise<JournalEntry[]> {
    const filtered = q.keyId !== undefined || q.route !== undefined || q.jobId !== undefined || q.sinceMs !== undefined;
    if (q.limit === 0) return [];
    // Unfiltered, only the newest `limit` need to travel.
    const from = !filtered && q.limit !== undefined ? -q.limit : 0;
    const items = await this.link.send<string[]>(['LRANGE', this.#keys[0], from, -1]);
    const out = items
      .map(parse)
      .filter((n) => matches(n.record, q))
      .map((n) => ({ seq: n.seq, at: isoMs(n.record.atMs), ...n.record }));
    return newest(out, q.limit);
  }

  async dropped(): Promise<number> {
    return Number((await this.link.send<string | null>(['GET', this.#keys[2]])) ?? 0);
  }

  async clear(keyId?: string): Promise<void> {
    if (keyId === undefined) await this.link.send(['DEL', this.#keys[0], this.#keys[2]]);
    else await this.link.script(CLEAR_KEY, [this.#keys[0]], [keyTag(keyId)]);
  }

  async dump(keyId?: string): Promise<Json> {
    const [seq, dropped, items] = await this.link.script<[string, string, string[]]>(SNAPSHOT, this.#keys, []);
    const entries = items.map(parse).filter((n) => keyId === undefined || n.record.keyId === keyId);
    return { seq: Number(seq), dropped: Number(dropped), entries } satisfies JournalState as unknown as Json;
  }

  async load(dump: Json): Promise<void> {
    const d = checkDump<JournalDump>(JournalDump, dump, 'journal');
    // One entry per seq, the last given winning, as in mergeJournal.
    const bySeq = new Map(d.entries.map((e) => [e.seq, e]));
    const entries = [...bySeq.values()].sort((a, b) => a.seq - b.seq).map((e) => `${e.seq}\n${keyTag(e.record.keyId)}\n${JSON.stringify(e.record)}`);
    await this.link.script(LOAD, this.#keys, [this.capacity, d.seq, d.dropped, ...entries]);
  }
}

function parse(item: string): Numbered {
  const i = item.indexOf('\n');
  const j = item.indexOf('\n', i + 1);
  return { seq: Number(item.slice(0, i)), record: JSON.parse(item.slice(j + 1)) as JournalRecord };
}
