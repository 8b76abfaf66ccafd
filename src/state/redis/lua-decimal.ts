/**
 * Lua for exact arithmetic on signed integer decimal strings ("-12", "0",
 * "340282366920938463463374607431768211456"). Balances in neuron pass 2^63,
 * and Redis's Lua numbers are doubles (exact only below 2^53), so ledger
 * scripts never turn an amount into a number: they add, subtract and compare
 * the strings in 7-digit chunks, each small enough for a double to hold
 * exactly (chunk sums stay below 2 * 10^7).
 *
 * Meant to be prepended to a script: it defines locals only (Redis forbids
 * globals in scripts). Results are canonical (no leading zeros, no "-0");
 * inputs that are not integers raise a script error rather than corrupt a
 * balance.
 */
export const LUA_DECIMAL = `
local DEC_CHUNK = 7
local DEC_BASE = 10000000

local function dec_split(s)
  if type(s) ~= 'string' or not string.find(s, '^%-?%d+$') then
    error('not an integer decimal: ' .. tostring(s))
  end
  local neg = string.sub(s, 1, 1) == '-'
  local m = string.gsub(neg and string.sub(s, 2) or s, '^0+', '')
  if m == '' then return false, '0' end
  return neg, m
end

-- Magnitudes (no sign, no leading zeros): -1, 0 or 1.
local function mag_cmp(a, b)
  if #a ~= #b then return #a < #b and -1 or 1 end
  for i = 1, #a, 15 do
    local x, y = tonumber(string.sub(a, i, i + 14)), tonumber(string.sub(b, i, i + 14))
    if x ~= y then return x < y and -1 or 1 end
  end
  return 0
end

local function mag_join(chunks)
  local s = string.gsub(table.concat(chunks), '^0+', '')
  return s == '' and '0' or s
end

-- Chunk k (1 = lowest) of a magnitude, as a number.
local function mag_chunk(m, k)
  local hi = #m - (k - 1) * DEC_CHUNK
  if hi < 1 then return 0 end
  return tonumber(string.sub(m, math.max(1, hi - DEC_CHUNK + 1), hi))
end

local function mag_add(a, b)
  local n = math.ceil(math.max(#a, #b) / DEC_CHUNK)
  local out, carry = {}, 0
  for k = 1, n do
    local s = mag_chunk(a, k) + mag_chunk(b, k) + carry
    carry = s >= DEC_BASE and 1 or 0
    out[n - k + 2] = string.format('%07d', s - carry * DEC_BASE)
  end
  out[1] = tostring(carry)
  return mag_join(out)
end

-- a - b for magnitudes with a >= b.
local function mag_sub(a, b)
  local n = math.ceil(#a / DEC_CHUNK)
  local out, borrow = {}, 0
  for k = 1, n do
    local s = mag_chunk(a, k) - mag_chunk(b, k) - borrow
    borrow = s < 0 and 1 or 0
    out[n - k + 1] = string.format('%07d', s + borrow * DEC_BASE)
  end
  return mag_join(out)
end

local function dec_signed(neg, m)
  if neg and m ~= '0' then return '-' .. m end
  return m
end

local function dec_add(a, b)
  local an, am = dec_split(a)
  local bn, bm = dec_split(b)
  if an == bn then return dec_signed(an, mag_add(am, bm)) end
  local c = mag_cmp(am, bm)
  if c == 0 then return '0' end
  if c > 0 then return dec_signed(an, mag_sub(am, bm)) end
  return dec_signed(bn, mag_sub(bm, am))
end

local function dec_neg(a)
  local an, am = dec_split(a)
  return dec_signed(not an, am)
end

local function dec_sub(a, b)
  return dec_add(a, dec_neg(b))
end

local function dec_cmp(a, b)
  local an, am = dec_split(a)
  local bn, bm = dec_split(b)
  if an ~= bn then return an and -1 or 1 end
  local c = mag_cmp(am, bm)
  return an and -c or c
end
`;
