import { LEDGER_ARGS, LUA_LEDGER } from './ledger-lua.js';
import { LuaScript } from './link.js';

/**
 * The job store's scripts. Keys (under `<prefix>jobs:`):
 *   job:<id>      hash doc (the job's JSON without polls and outcome), polls, outcome (JSON, absent while live),
 *                 acct (the owner), bytes (thumbnail bytes, for the sourceBytes count)
 *   live          zset id -> completion time (createdMs + doneAfterMs), jobs without an outcome: due, nextDueMs
 *   settled       zset id -> completion time, jobs with one: expire
 *   all           zset id -> createdMs: list, dump, reset
 *   acct:<id>     zset id -> createdMs, one account's jobs
 *   meta          hash sourceBytes
 * Every job is in `all`, its account's set, and exactly one of live/settled.
 * As with the ledger, keys are derived from the prefix inside the scripts
 * (a single Redis node, not Redis Cluster).
 */
const luaJobs = (prefixArg: number) => `
local JP = ARGV[${prefixArg}]
local J_LIVE, J_SETTLED, J_ALL, J_META = JP .. 'live', JP .. 'settled', JP .. 'all', JP .. 'meta'
local JOB_FIELDS = {'doc', 'polls', 'outcome'}
local function k_job(id) return JP .. 'job:' .. id end
local function k_owned(account) return JP .. 'acct:' .. account end

local function remove_job(id)
  local k = k_job(id)
  local a = redis.call('HMGET', k, 'acct', 'bytes')
  if not a[1] then return 0 end
  redis.call('DEL', k)
  redis.call('ZREM', J_LIVE, id)
  redis.call('ZREM', J_SETTLED, id)
  redis.call('ZREM', J_ALL, id)
  redis.call('ZREM', k_owned(a[1]), id)
  redis.call('HINCRBY', J_META, 'sourceBytes', 0 - tonumber(a[2]))
  return 1
end

-- '' for every job, else one account's: ids, oldest first.
local function job_ids(account)
  return redis.call('ZRANGE', account == '' and J_ALL or k_owned(account), 0, -1)
end
`;

const jobScript = (body: string) => new LuaScript(`${luaJobs(1)}\n${body}`);

/** (prefix, id, accountId, doc, polls, outcome or '', bytes, doneAtMs, createdMs): creates or replaces a job. */
export const PUT = jobScript(`
local id, account, outcome = ARGV[2], ARGV[3], ARGV[6]
remove_job(id)
redis.call('HSET', k_job(id), 'doc', ARGV[4], 'polls', ARGV[5], 'acct', account, 'bytes', ARGV[7])
if outcome ~= '' then redis.call('HSET', k_job(id), 'outcome', outcome) end
redis.call('ZADD', outcome == '' and J_LIVE or J_SETTLED, ARGV[8], id)
redis.call('ZADD', J_ALL, ARGV[9], id)
redis.call('ZADD', k_owned(account), ARGV[9], id)
redis.call('HINCRBY', J_META, 'sourceBytes', ARGV[7])`);

/**
 * (ledger config, prefix, id, status, outcome JSON, '1' if booking, booking args...):
 * the outcome is written only if there is none yet, and a completed job's
 * booking is made in the same script, so racing settlements book once.
 */
export const SETTLE = new LuaScript(`${LUA_LEDGER}\n${luaJobs(LEDGER_ARGS + 1)}
local id = ARGV[${LEDGER_ARGS + 2}]
local k = k_job(id)
if redis.call('EXISTS', k) == 0 then return false end
if redis.call('HEXISTS', k, 'outcome') == 0 then
  local outcome = ARGV[${LEDGER_ARGS + 4}]
  if ARGV[${LEDGER_ARGS + 3}] == 'completed' and ARGV[${LEDGER_ARGS + 5}] == '1' then
    -- The outcome names the currency actually booked in.
    local booked = book(unpack(ARGV, ${LEDGER_ARGS + 6}, ${LEDGER_ARGS + 13}))
    outcome = '{"status":"completed","currency":"' .. booked[2] .. '"}'
  end
  redis.call('HSET', k, 'outcome', outcome)
  local done_ms = redis.call('ZSCORE', J_LIVE, id)
  redis.call('ZREM', J_LIVE, id)
  redis.call('ZADD', J_SETTLED, done_ms, id)
end
return redis.call('HMGET', k, unpack(JOB_FIELDS))`);

/** (prefix, id) -> the new poll count, 0 if the job is gone. */
export const COUNT_POLL = jobScript(`
if redis.call('EXISTS', k_job(ARGV[2])) == 0 then return 0 end
return redis.call('HINCRBY', k_job(ARGV[2]), 'polls', 1)`);

/** (prefix) -> the earliest completion time of a live job, as a string, or nil. A script, so the reply is the same in RESP2 and RESP3. */
export const NEXT_DUE = jobScript(`return redis.call('ZRANGE', J_LIVE, 0, 0, 'WITHSCORES')[2]`);

/** (prefix, completedBeforeMs, batch) -> how many settled jobs were removed. */
export const EXPIRE = jobScript(`
local ids = redis.call('ZRANGE', J_SETTLED, '-inf', '(' .. ARGV[2], 'BYSCORE', 'LIMIT', 0, ARGV[3])
for _, id in ipairs(ids) do remove_job(id) end
return #ids`);

/** (prefix, id) */
export const DELETE = jobScript(`return remove_job(ARGV[2])`);

/** (prefix, accountId or '', limit or -1) -> {{id, JOB_FIELDS}...}, newest first. */
export const LIST = jobScript(`
local ids = redis.call('ZRANGE', ARGV[2] == '' and J_ALL or k_owned(ARGV[2]), '+inf', '-inf', 'BYSCORE', 'REV', 'LIMIT', 0, ARGV[3])
local out = {}
for i, id in ipairs(ids) do out[i] = {id, redis.call('HMGET', k_job(id), unpack(JOB_FIELDS))} end
return out`);

/** (prefix, accountId or '') -> {{id, JOB_FIELDS}...}, oldest first. */
export const DUMP = jobScript(`
local out = {}
for i, id in ipairs(job_ids(ARGV[2])) do out[i] = {id, redis.call('HMGET', k_job(id), unpack(JOB_FIELDS))} end
return out`);

export const COUNTS = jobScript(`return {redis.call('ZCARD', J_ALL), redis.call('ZCARD', J_LIVE), redis.call('HGET', J_META, 'sourceBytes') or '0'}`);

/** (prefix, accountId or '') */
export const RESET = jobScript(`
for _, id in ipairs(job_ids(ARGV[2])) do remove_job(id) end`);
