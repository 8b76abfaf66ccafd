import { LUA_DECIMAL } from './lua-decimal.js';

/**
 * The ledger in Lua, shared by the ledger's scripts and the job store's
 * settle script (a job's outcome and its booking are one atomic step). The
 * library reads its configuration from ARGV[1..LEDGER_ARGS]: the key prefix
 * and the bounds; a script's own arguments follow.
 *
 * Keys (under `<prefix>ledger:`):
 *   acct:<id>     hash currency, balance, spent, chargeCount, droppedCharges, startBalance
 *   charges:<id>  list of charge JSON, oldest first (at most recentMax)
 *   activity      zset account id -> activity sequence (open, book, change)
 *   pristine      set of accounts with no charges still at their starting balance
 *   seq           the activity sequence (INCR)
 *   meta          hash listed (charges listed in all accounts), charges, spent0g, spentUsd
 *   spend         hash key id -> "<used> <periodStartMs> <accountId>"
 *   spendorder    zset key id -> sequence of its last charge
 *
 * Pruning reaches accounts no caller named, so the scripts derive keys from
 * the prefix instead of declaring them: this needs a single Redis node, not
 * Redis Cluster. Amounts stay decimal strings (see lua-decimal.ts).
 */
export const LEDGER_ARGS = 5;

export const LUA_LEDGER = `${LUA_DECIMAL}
local P = ARGV[1]
local RECENT_MAX, ACCOUNTS_MAX = tonumber(ARGV[2]), tonumber(ARGV[3])
local CHARGES_MAX, SPENDS_MAX = tonumber(ARGV[4]), tonumber(ARGV[5])
local K_ACTIVITY, K_PRISTINE, K_SEQ, K_META = P .. 'activity', P .. 'pristine', P .. 'seq', P .. 'meta'
local K_SPEND, K_SPEND_ORDER = P .. 'spend', P .. 'spendorder'
local FIELDS = {'currency', 'balance', 'spent', 'chargeCount', 'droppedCharges', 'startBalance'}

local function k_acct(id) return P .. 'acct:' .. id end
local function k_charges(id) return P .. 'charges:' .. id end

local function add_spent(currency, amount)
  local f = currency == 'usd' and 'spentUsd' or 'spent0g'
  redis.call('HSET', K_META, f, dec_add(redis.call('HGET', K_META, f) or '0', amount))
end

local function mark_pristine(id)
  local a = redis.call('HMGET', k_acct(id), 'chargeCount', 'balance', 'startBalance')
  if a[1] == '0' and dec_cmp(a[2], a[3]) == 0 then
    redis.call('SADD', K_PRISTINE, id)
  else
    redis.call('SREM', K_PRISTINE, id)
  end
end

local function forget(id)
  local a = redis.call('HMGET', k_acct(id), 'currency', 'spent', 'chargeCount')
  if not a[1] then return end
  -- 0 - n, not -n: Lua writes -0 as "-0", which HINCRBY refuses.
  redis.call('HINCRBY', K_META, 'listed', 0 - redis.call('LLEN', k_charges(id)))
  redis.call('HINCRBY', K_META, 'charges', 0 - tonumber(a[3]))
  add_spent(a[1], dec_neg(a[2]))
  redis.call('DEL', k_acct(id), k_charges(id))
  redis.call('ZREM', K_ACTIVITY, id)
  redis.call('SREM', K_PRISTINE, id)
end

-- Pristine accounts first, then the least recently active, down to 90% so the work is amortised.
local function prune()
  for _, id in ipairs(redis.call('SMEMBERS', K_PRISTINE)) do forget(id) end
  while redis.call('ZCARD', K_ACTIVITY) >= ACCOUNTS_MAX * 0.9 do
    forget(redis.call('ZRANGE', K_ACTIVITY, 0, 0)[1])
  end
end

-- The account's hash key, opened with (currency, balance) if absent, made the most recently active.
local function touch(id, currency, balance)
  local k = k_acct(id)
  if redis.call('EXISTS', k) == 0 then
    if redis.call('ZCARD', K_ACTIVITY) >= ACCOUNTS_MAX then prune() end
    balance = dec_add(balance, '0')
    redis.call('HSET', k, 'currency', currency, 'balance', balance, 'spent', '0', 'chargeCount', 0,
      'droppedCharges', 0, 'startBalance', balance)
    redis.call('SADD', K_PRISTINE, id)
  end
  redis.call('ZADD', K_ACTIVITY, redis.call('INCR', K_SEQ), id)
  return k
end

-- The least recently active accounts lose their oldest listed charges, down to 90% of the bound.
local function trim_charges()
  local listed = tonumber(redis.call('HGET', K_META, 'listed'))
  local target = math.floor(CHARGES_MAX * 0.9)
  local rank = 0
  while listed > target do
    local id = redis.call('ZRANGE', K_ACTIVITY, rank, rank)[1]
    if not id then break end
    local drop = math.min(redis.call('LLEN', k_charges(id)), listed - target)
    if drop > 0 then
      redis.call('LTRIM', k_charges(id), drop, -1)
      redis.call('HINCRBY', k_acct(id), 'droppedCharges', drop)
      listed = listed - drop
    end
    rank = rank + 1
  end
  redis.call('HSET', K_META, 'listed', listed)
end

local function add_listed(n)
  if redis.call('HINCRBY', K_META, 'listed', n) > CHARGES_MAX then trim_charges() end
end

local function put_spend(key_id, used, start_ms, account_id)
  redis.call('HSET', K_SPEND, key_id, used .. ' ' .. start_ms .. ' ' .. account_id)
  redis.call('ZADD', K_SPEND_ORDER, redis.call('INCR', K_SEQ), key_id)
  if redis.call('ZCARD', K_SPEND_ORDER) > SPENDS_MAX then
    redis.call('HDEL', K_SPEND, redis.call('ZPOPMIN', K_SPEND_ORDER)[1])
  end
end

-- Spend restarts at zero when the charge falls in a later period than the one counted.
local function add_spend(key_id, amount, start_ms, account_id)
  local used, start = '0', start_ms
  local v = redis.call('HGET', K_SPEND, key_id)
  if v then
    local u, s = string.match(v, '^(%S+) (%S+) ')
    if tonumber(start_ms) <= tonumber(s) then used, start = u, s end
  end
  put_spend(key_id, dec_add(used, amount), start, account_id)
end

-- body: the charge's JSON without id and amount, which are decided here.
local function book(id, currency, balance, amount_neuron, amount_usd, body, key_id, start_ms)
  local k = touch(id, currency, balance)
  local a = redis.call('HMGET', k, 'currency', 'balance', 'spent')
  local amount = a[1] == 'usd' and amount_usd or amount_neuron
  local n = redis.call('HINCRBY', k, 'chargeCount', 1)
  redis.call('HSET', k, 'balance', dec_sub(a[2], amount), 'spent', dec_add(a[3], amount))
  redis.call('SREM', K_PRISTINE, id)
  redis.call('HINCRBY', K_META, 'charges', 1)
  add_spent(a[1], amount)
  local kc = k_charges(id)
  if redis.call('RPUSH', kc, '{"id":' .. n .. ',"amount":"' .. amount .. '",' .. string.sub(body, 2)) > RECENT_MAX then
    redis.call('LPOP', kc)
    redis.call('HINCRBY', k, 'droppedCharges', 1)
  else
    add_listed(1)
  end
  if key_id ~= '' then add_spend(key_id, amount, start_ms, id) end
  return {amount, a[1]}
end
`;
