import { LuaScript } from './link.js';
import { LUA_LEDGER } from './ledger-lua.js';

/*
 * The ledger store's scripts: the library (ledger-lua.ts) plus a body reading
 * its own arguments from ARGV[6] on. Each runs atomically, so a booking or a
 * balance change from any process sees and leaves a consistent ledger.
 */
const script = (body: string) => new LuaScript(`${LUA_LEDGER}\n${body}`);

/** (accountId, currency, balance) -> the account's FIELDS. */
export const OPEN = script(`return redis.call('HMGET', touch(ARGV[6], ARGV[7], ARGV[8]), unpack(FIELDS))`);

/** The booking arguments (see RedisLedgerStore.bookingArgs) -> {amount, currency}. */
export const BOOK = script(`return book(unpack(ARGV, 6, 13))`);

/** (accountId, currency, balance, kind, amount) -> the account's FIELDS. */
export const CHANGE = script(`
local k = touch(ARGV[6], ARGV[7], ARGV[8])
local kind, amount, balance = ARGV[9], ARGV[10], '0'
if kind == 'top_up' then balance = dec_add(redis.call('HGET', k, 'balance'), amount)
elseif kind == 'set' then balance = dec_add(amount, '0') end
redis.call('HSET', k, 'balance', balance)
mark_pristine(ARGV[6])
return redis.call('HMGET', k, unpack(FIELDS))`);

/** (accountId) -> {FIELDS, charges} or nil. */
export const GET = script(`
local k = k_acct(ARGV[6])
if redis.call('EXISTS', k) == 0 then return false end
return {redis.call('HMGET', k, unpack(FIELDS)), redis.call('LRANGE', k_charges(ARGV[6]), 0, -1)}`);

/** (limit, or -1 for all) -> {{id, FIELDS}...}, least recently active first. */
export const LIST = script(`
local limit = tonumber(ARGV[6])
local ids = redis.call('ZRANGE', K_ACTIVITY, limit < 0 and 0 or -limit, -1)
local out = {}
for i, id in ipairs(ids) do out[i] = {id, redis.call('HMGET', k_acct(id), unpack(FIELDS))} end
return out`);

export const TOTALS = script(`return {redis.call('HMGET', K_META, 'spent0g', 'spentUsd', 'charges'), redis.call('ZCARD', K_ACTIVITY)}`);

/** (accountId, keyIds...) */
export const RESET_ONE = script(`
forget(ARGV[6])
for i = 7, #ARGV do
  redis.call('HDEL', K_SPEND, ARGV[i])
  redis.call('ZREM', K_SPEND_ORDER, ARGV[i])
end`);

export const RESET_ALL = script(`
for _, id in ipairs(redis.call('ZRANGE', K_ACTIVITY, 0, -1)) do redis.call('DEL', k_acct(id), k_charges(id)) end
redis.call('DEL', K_ACTIVITY, K_PRISTINE, K_SEQ, K_META, K_SPEND, K_SPEND_ORDER)`);

/** ('1', accountId) for one account, ('0') for all -> {{{id, FIELDS, charges}...}, {keyId, spend...}}. */
export const DUMP = script(`
local scoped, only = ARGV[6] == '1', ARGV[7]
local ids = scoped and {only} or redis.call('ZRANGE', K_ACTIVITY, 0, -1)
local accounts, spends = {}, {}
for _, id in ipairs(ids) do
  if redis.call('EXISTS', k_acct(id)) == 1 then
    accounts[#accounts + 1] = {id, redis.call('HMGET', k_acct(id), unpack(FIELDS)), redis.call('LRANGE', k_charges(id), 0, -1)}
  end
end
for _, key_id in ipairs(redis.call('ZRANGE', K_SPEND_ORDER, 0, -1)) do
  local v = redis.call('HGET', K_SPEND, key_id)
  if not scoped or string.match(v, '^%S+ %S+ (.*)$') == only then
    spends[#spends + 1] = key_id
    spends[#spends + 1] = v
  end
end
return {accounts, spends}`);

/** Replaces one account: (accountId, currency, balance, spent, chargeCount, droppedCharges, startBalance, charge JSON...). */
export const PUT_ACCOUNT = script(`
local id = ARGV[6]
forget(id)
local k = touch(id, ARGV[7], ARGV[8])
local charges = #ARGV - 12
local keep = math.min(charges, RECENT_MAX)
redis.call('HSET', k, 'spent', dec_add(ARGV[9], '0'), 'chargeCount', ARGV[10],
  'droppedCharges', tonumber(ARGV[11]) + charges - keep, 'startBalance', dec_add(ARGV[12], '0'))
redis.call('HINCRBY', K_META, 'charges', ARGV[10])
add_spent(ARGV[7], ARGV[9])
for i = #ARGV - keep + 1, #ARGV, 500 do
  redis.call('RPUSH', k_charges(id), unpack(ARGV, i, math.min(i + 499, #ARGV)))
end
mark_pristine(id)
add_listed(keep)`);

/** (keyId, used, periodStartMs, accountId)... in order, least recently charged first. */
export const PUT_SPENDS = script(`
for i = 6, #ARGV, 4 do put_spend(ARGV[i], dec_add(ARGV[i + 1], '0'), ARGV[i + 2], ARGV[i + 3]) end`);
