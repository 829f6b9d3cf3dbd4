/**
 * The two Lua scripts behind ingest's state, one round trip each per batch.
 * Keys live under the configured prefix (single Redis; a cluster would need
 * hash tags per location). Numbers that are milliseconds travel as strings
 * and are formatted with %d, since Lua 5.1 prints large numbers as floats.
 */

/**
 * ARGV: prefix, windowMs, latenessMs, ttlS,
 *   nReadings, then per reading: location, eventMs, readingKey, speed, flow,
 *   occupancy, pedestrianDensity, surfaceTemperature, friction, surfaceRank ('' = absent),
 *   nIncidents, then per incident: id, orderMs, fingerprint,
 *   nDeadLetters, then their keys.
 * Returns { outcomes ('m' merged, 'd' duplicate, 'l<windowStart>:<watermark>' late),
 *   windows ([location, windowStart, HGETALL]), incident flags (1 emit), dead-letter flags (1 already sent) }.
 */
export const PREPARE_LUA = `
local prefix = ARGV[1]
local windowMs = tonumber(ARGV[2])
local latenessMs = tonumber(ARGV[3])
local ttl = tonumber(ARGV[4])
local names = {'speedKmh', 'flowVph', 'occupancyPct', 'pedestrianDensity', 'surfaceTemperatureC'}
local at = 5
local n = tonumber(ARGV[at])
local outcomes, touched, order = {}, {}, {}
for i = 0, n - 1 do
  local b = at + i * 10
  local loc, eventText, rkey = ARGV[b + 1], ARGV[b + 2], ARGV[b + 3]
  local eventMs = tonumber(eventText)
  local ws = string.format('%d', math.floor(eventMs / windowMs) * windowMs)
  local wkey = prefix .. 'w:' .. loc .. ':' .. ws
  local wmkey = prefix .. 'wm:' .. loc
  local outcome
  if redis.call('SISMEMBER', wkey .. ':r', rkey) == 1 then
    outcome = 'd'
  else
    local wmText = redis.call('GET', wmkey)
    local wm = tonumber(wmText or '-1')
    if wm >= 0 and tonumber(ws) + windowMs + latenessMs <= wm then
      outcome = 'l' .. ws .. ':' .. wmText
    else
      redis.call('SADD', wkey .. ':r', rkey)
      redis.call('EXPIRE', wkey .. ':r', ttl)
      redis.call('HINCRBY', wkey, 'n', 1)
      for j = 1, 5 do
        local v = ARGV[b + 3 + j]
        if v ~= '' then
          redis.call('HINCRBYFLOAT', wkey, names[j] .. ':s', v)
          redis.call('HINCRBY', wkey, names[j] .. ':n', 1)
        end
      end
      local f = ARGV[b + 9]
      if f ~= '' then
        local cur = redis.call('HGET', wkey, 'fmin')
        if (not cur) or tonumber(f) < tonumber(cur) then redis.call('HSET', wkey, 'fmin', f) end
      end
      local rank = tonumber(ARGV[b + 10])
      if rank > tonumber(redis.call('HGET', wkey, 'sr') or '0') then redis.call('HSET', wkey, 'sr', rank) end
      redis.call('EXPIRE', wkey, ttl)
      if eventMs > wm then redis.call('SET', wmkey, eventText, 'EX', ttl) end
      outcome = 'm'
    end
  end
  outcomes[#outcomes + 1] = outcome
  if string.sub(outcome, 1, 1) ~= 'l' and not touched[wkey] then
    touched[wkey] = true
    order[#order + 1] = { loc, ws, wkey }
  end
end
local windows = {}
for _, w in ipairs(order) do windows[#windows + 1] = { w[1], w[2], redis.call('HGETALL', w[3]) } end
at = at + 1 + n * 10
local ni = tonumber(ARGV[at])
local incidents = {}
for i = 0, ni - 1 do
  local b = at + i * 3
  local stored = redis.call('GET', prefix .. 'inc:' .. ARGV[b + 1])
  local emit = 1
  if stored then
    local sep = string.find(stored, '|', 1, true)
    local storedOrder = tonumber(string.sub(stored, 1, sep - 1))
    local incoming = tonumber(ARGV[b + 2])
    if incoming < storedOrder or (incoming == storedOrder and string.sub(stored, sep + 1) == ARGV[b + 3]) then emit = 0 end
  end
  incidents[#incidents + 1] = emit
end
at = at + 1 + ni * 3
local nd = tonumber(ARGV[at])
local sent = {}
for i = 1, nd do sent[#sent + 1] = redis.call('EXISTS', prefix .. 'dlq:' .. ARGV[at + i]) end
return { outcomes, windows, incidents, sent }
`;

/**
 * ARGV: prefix, ttlS, ledgerTtlS,
 *   nWindows, then per window: location, windowStart, sampleCount,
 *   nIncidents, then per incident: id, orderMs, fingerprint,
 *   nDeadLetters, then their keys,
 *   nFeeds, then per feed: feed, seenAtMs, eventMs.
 * Only ever moves marks forward, so two replicas committing out of order agree.
 */
export const COMMIT_LUA = `
local prefix = ARGV[1]
local ttl = tonumber(ARGV[2])
local ledgerTtl = tonumber(ARGV[3])
local at = 4
local n = tonumber(ARGV[at])
for i = 0, n - 1 do
  local b = at + i * 3
  local wkey = prefix .. 'w:' .. ARGV[b + 1] .. ':' .. ARGV[b + 2]
  if tonumber(ARGV[b + 3]) > tonumber(redis.call('HGET', wkey, 'e') or '0') then
    redis.call('HSET', wkey, 'e', ARGV[b + 3])
    redis.call('EXPIRE', wkey, ttl)
  end
end
at = at + 1 + n * 3
n = tonumber(ARGV[at])
for i = 0, n - 1 do
  local b = at + i * 3
  local key = prefix .. 'inc:' .. ARGV[b + 1]
  local stored = redis.call('GET', key)
  local storedOrder = -1
  if stored then storedOrder = tonumber(string.sub(stored, 1, string.find(stored, '|', 1, true) - 1)) end
  if tonumber(ARGV[b + 2]) >= storedOrder then redis.call('SET', key, ARGV[b + 2] .. '|' .. ARGV[b + 3], 'EX', ledgerTtl) end
end
at = at + 1 + n * 3
n = tonumber(ARGV[at])
for i = 1, n do redis.call('SET', prefix .. 'dlq:' .. ARGV[at + i], '1', 'EX', ttl) end
at = at + 1 + n
n = tonumber(ARGV[at])
for i = 0, n - 1 do
  local b = at + i * 3
  local feed = ARGV[b + 1]
  if tonumber(ARGV[b + 2]) > tonumber(redis.call('HGET', prefix .. 'feeds:seen', feed) or '0') then redis.call('HSET', prefix .. 'feeds:seen', feed, ARGV[b + 2]) end
  if tonumber(ARGV[b + 3]) > tonumber(redis.call('HGET', prefix .. 'feeds:event', feed) or '0') then redis.call('HSET', prefix .. 'feeds:event', feed, ARGV[b + 3]) end
end
return 1
`;

/** ARGV: prefix, feed, desired state. Sets it and returns the previous state only when it changed, else ''. */
export const TRANSITION_LUA = `
local key = ARGV[1] .. 'feeds:state'
local previous = redis.call('HGET', key, ARGV[2]) or 'unknown'
if previous == ARGV[3] then return '' end
redis.call('HSET', key, ARGV[2], ARGV[3])
return previous
`;
