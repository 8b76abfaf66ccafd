import { RateWindowsDump } from '../../schemas/state-dumps.js';
import { checkDump, sortedBy } from '../dump-check.js';
import type { Json, RateWindowStore } from '../types.js';
import { ARGS_SLICE, scanKeys, slices } from './commands.js';
import { LuaScript, type RedisLink } from './link.js';

/*
 * One hash per account, `rate:<accountId>` = { start, windowMs, count }: the
 * account's current window, replaced when a take names another start, as the
 * memory store does. So there is never more than one key per account, and
 * each expires EXPIRY_SLACK_MS after the window's length has passed since its
 * last take: a window is gone a little after it ends in wall time, so keys
 * live only for accounts active in about the last window (the accounts
 * themselves are bounded by the ledger). No index to maintain: one key, one
 * script per request.
 *
 * The expiry runs on Redis's wall time, not the emulator clock: with a manual
 * clock standing still for longer than windowMs + EXPIRY_SLACK_MS between two
 * requests of an account, its window vanishes and restarts early (the
 * account gets a fresh `limit`). A test that holds the clock still that long
 * without traffic is not testing the rate limit.
 */
const EXPIRY_SLACK_MS = 5_000;
const expiryMs = (windowMs: number) => Math.ceil(windowMs) + EXPIRY_SLACK_MS;

// KEYS: the account's window. ARGV: window start, window length, limit, expiry ms.
// Counts only while below the limit, so refused requests do not use up the next ones.
const TAKE = new LuaScript(`
local start = redis.call('HGET', KEYS[1], 'start')
local count = 0
if start == ARGV[1] then count = tonumber(redis.call('HGET', KEYS[1], 'count')) end
local allowed = count < tonumber(ARGV[3])
if allowed then count = count + 1 end
if allowed or start ~= ARGV[1] then redis.call('HSET', KEYS[1], 'start', ARGV[1], 'windowMs', ARGV[2], 'count', count) end
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return { count, allowed and 1 or 0 }`);

// KEYS: windows. ARGV: (start, window length, count, expiry ms) per key.
const LOAD = new LuaScript(`
for i, key in ipairs(KEYS) do
  local a = (i - 1) * 4
  redis.call('HSET', key, 'start', ARGV[a + 1], 'windowMs', ARGV[a + 2], 'count', ARGV[a + 3])
  redis.call('PEXPIRE', key, ARGV[a + 4])
end`);

export class RedisRateWindowStore implements RateWindowStore {
  constructor(private readonly link: RedisLink) {}

  async take(accountId: string, windowStartMs: number, windowMs: number, limit: number): Promise<{ count: number; allowed: boolean }> {
    const [count, allowed] = await this.link.script<[number, number]>(TAKE, [this.#key(accountId)], [windowStartMs, windowMs, limit, expiryMs(windowMs)]);
    return { count, allowed: allowed === 1 };
  }

  async reset(accountId?: string): Promise<void> {
    const keys = accountId === undefined ? await scanKeys(this.link, 'rate') : [this.#key(accountId)];
    for (const batch of slices(keys)) await this.link.send(['UNLINK', ...batch]);
  }

  async dump(accountId?: string): Promise<Json> {
    const keys = accountId === undefined ? await scanKeys(this.link, 'rate') : [this.#key(accountId)];
    const skip = this.#key('').length;
    const rows = await Promise.all(keys.map(async (key) => ({ key, fields: await this.link.send<string[]>(['HMGET', key, 'start', 'windowMs', 'count']) })));
    const windows = rows
      // A key that expired between SCAN and HMGET answers nils.
      .filter(({ fields }) => fields[0] != null)
      .map(({ key, fields: [start, windowMs, count] }) => ({ accountId: key.slice(skip), windowStartMs: Number(start), windowMs: Number(windowMs), count: Number(count) }));
    return { windows: sortedBy(windows, 'accountId') } satisfies RateWindowsDump;
  }

  async load(dump: Json): Promise<void> {
    const windows = checkDump<RateWindowsDump>(RateWindowsDump, dump, 'rate windows').windows;
    for (const batch of slices(windows, ARGS_SLICE / 4)) {
      const keys = batch.map((w) => this.#key(w.accountId));
      await this.link.script(LOAD, keys, batch.flatMap((w) => [w.windowStartMs, w.windowMs, w.count, expiryMs(w.windowMs)]));
    }
  }

  #key(accountId: string): string {
    return this.link.key('rate', accountId);
  }
}
