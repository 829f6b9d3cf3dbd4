/**
 * The two Lua scripts behind ingest's state, one round trip each per batch.
 * Keys live under the configured prefix (single Redis; a cluster would need
 * hash tags per location). Numbers that are milliseconds travel as strings
 * and are formatted with %d, since Lua 5.1 prints large numbers as floats.
 */

/**
 * ARGV: prefix, windowMs, latenessMs, ttlS, then three JSON arrays (one
 * argument each, so a batch is a handful of arguments, not thousands):
 *   readings [location, eventMs, readingKey, speed, flow, occupancy,
 *   pedestrianDensity, surfaceTemperature, friction, surfaceRank] ('' = absent, all strings),
 *   incidents [id, orderMs, fingerprint], dead-letter keys.
 * Returns { outcomes ('m' merged, 'd' duplicate, 'l<windowStart>:<watermark>' late),
 *   windows ([location, windowStart, HGETALL]), incident flags (1 emit), dead-letter flags (1 already sent) }.
 */
export const PREPARE_LUA = `
local prefix = ARGV[1]
local windowMs = tonumber(ARGV[2])
local latenessMs = tonumber(ARGV[3])
local ttl = tonumber(ARGV[4])
local names = {'speedKmh', 'flowVph', 'occupancyPct', 'pedestrianDensity', 'surfaceTemperatureC'}
local readings = cjson.decode(ARGV[5])
local outcomes, touched, order, watermarks = {}, {}, {}, {}
for i = 1, #readings do
  local r = readings[i]
  local loc, eventText, rkey = r[1], r[2], r[3]
  local eventMs = tonumber(eventText)
  local ws = string.format('%d', math.floor(eventMs / windowMs) * windowMs)
  local wkey = prefix .. 'w:' .. loc .. ':' .. ws
  local wmkey = prefix .. 'wm:' .. loc
  local outcome
  if redis.call('SISMEMBER', wkey .. ':r', rkey) == 1 then
    outcome = 'd'
  else
    local seen = watermarks[wmkey]
    if not seen then
      local stored = redis.call('GET', wmkey)
      seen = { text = stored or '-1', ms = tonumber(stored or '-1'), dirty = false }
      watermarks[wmkey] = seen
    end
    local wmText, wm = seen.text, seen.ms
    if wm >= 0 and tonumber(ws) + windowMs + latenessMs <= wm then
      outcome = 'l' .. ws .. ':' .. wmText
    else
      redis.call('SADD', wkey .. ':r', rkey)
      redis.call('HINCRBY', wkey, 'n', 1)
      for j = 1, 5 do
        local v = r[3 + j]
        if v ~= '' then
          redis.call('HINCRBYFLOAT', wkey, names[j] .. ':s', v)
          redis.call('HINCRBY', wkey, names[j] .. ':n', 1)
        end
      end
      local f = r[9]
      if f ~= '' then
        local cur = redis.call('HGET', wkey, 'fmin')
        if (not cur) or tonumber(f) < tonumber(cur) then redis.call('HSET', wkey, 'fmin', f) end
      end
      local rank = tonumber(r[10])
      if rank > 0 and rank > tonumber(redis.call('HGET', wkey, 'sr') or '0') then redis.call('HSET', wkey, 'sr', rank) end
      if eventMs > wm then watermarks[wmkey] = { text = eventText, ms = eventMs, dirty = true } end
      outcome = 'm'
    end
  end
  outcomes[#outcomes + 1] = outcome
  if string.sub(outcome, 1, 1) ~= 'l' and not touched[wkey] then
    touched[wkey] = true
    order[#order + 1] = { loc, ws, wkey }
  end
end
for key, w in pairs(watermarks) do
  if w.dirty then redis.call('SET', key, w.text, 'EX', ttl) end
end
local windows = {}
for _, w in ipairs(order) do
  redis.call('EXPIRE', w[3], ttl)
  redis.call('EXPIRE', w[3] .. ':r', ttl)
  windows[#windows + 1] = { w[1], w[2], redis.call('HGETALL', w[3]) }
end
local marks = cjson.decode(ARGV[6])
local incidents = {}
for i = 1, #marks do
  local stored = redis.call('GET', prefix .. 'inc:' .. marks[i][1])
  local emit = 1
  if stored then
    local sep = string.find(stored, '|', 1, true)
    local storedOrder = tonumber(string.sub(stored, 1, sep - 1))
    local incoming = tonumber(marks[i][2])
    if incoming < storedOrder or (incoming == storedOrder and string.sub(stored, sep + 1) == marks[i][3]) then emit = 0 end
  end
  incidents[#incidents + 1] = emit
end
local keys = cjson.decode(ARGV[7])
local sent = {}
for i = 1, #keys do sent[#sent + 1] = redis.call('EXISTS', prefix .. 'dlq:' .. keys[i]) end
return { outcomes, windows, incidents, sent }
`;

/**
 * ARGV: prefix, ttlS, ledgerTtlS, then four JSON arrays: windows [location,
 * windowStart, sampleCount], incidents [id, orderMs, fingerprint], dead-letter
 * keys, feeds [feed, seenAtMs, eventMs] (numbers as strings).
 * Only ever moves marks forward, so two replicas committing out of order agree.
 */
export const COMMIT_LUA = `
local prefix = ARGV[1]
local ttl = tonumber(ARGV[2])
local ledgerTtl = tonumber(ARGV[3])
local windows = cjson.decode(ARGV[4])
for i = 1, #windows do
  local w = windows[i]
  local wkey = prefix .. 'w:' .. w[1] .. ':' .. w[2]
  if tonumber(w[3]) > tonumber(redis.call('HGET', wkey, 'e') or '0') then
    redis.call('HSET', wkey, 'e', w[3])
    redis.call('EXPIRE', wkey, ttl)
  end
end
local incidents = cjson.decode(ARGV[5])
for i = 1, #incidents do
  local m = incidents[i]
  local key = prefix .. 'inc:' .. m[1]
  local stored = redis.call('GET', key)
  local storedOrder = -1
  if stored then storedOrder = tonumber(string.sub(stored, 1, string.find(stored, '|', 1, true) - 1)) end
  if tonumber(m[2]) >= storedOrder then redis.call('SET', key, m[2] .. '|' .. m[3], 'EX', ledgerTtl) end
end
local dead = cjson.decode(ARGV[6])
for i = 1, #dead do redis.call('SET', prefix .. 'dlq:' .. dead[i], '1', 'EX', ttl) end
local feeds = cjson.decode(ARGV[7])
for i = 1, #feeds do
  local f = feeds[i]
  if tonumber(f[2]) > tonumber(redis.call('HGET', prefix .. 'feeds:seen', f[1]) or '0') then redis.call('HSET', prefix .. 'feeds:seen', f[1], f[2]) end
  if tonumber(f[3]) > tonumber(redis.call('HGET', prefix .. 'feeds:event', f[1]) or '0') then redis.call('HSET', prefix .. 'feeds:event', f[1], f[3]) end
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
