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
local outcomes, windows, order, watermarks = {}, {}, {}, {}
-- Each touched window is read once, merged in memory, and written once at the end.
local function window(loc, ws, wkey)
  local w = windows[wkey]
  if not w then
    local flat = redis.call('HGETALL', wkey)
    local f = {}
    for i = 1, #flat, 2 do f[flat[i]] = flat[i + 1] end
    w = { loc = loc, ws = ws, f = f, dirty = false }
    windows[wkey] = w
    order[#order + 1] = wkey
  end
  return w
end
local function add(f, field, delta)
  f[field] = tostring((tonumber(f[field]) or 0) + delta)
end
for i = 1, #readings do
  local r = readings[i]
  local loc, eventText, rkey = r[1], r[2], r[3]
  local eventMs = tonumber(eventText)
  local ws = string.format('%d', math.floor(eventMs / windowMs) * windowMs)
  local wkey = prefix .. 'w:' .. loc .. ':' .. ws
  local wmkey = prefix .. 'wm:' .. loc
  local outcome
  if redis.call('SADD', wkey .. ':r', rkey) == 0 then
    outcome = 'd'
  else
    local seen = watermarks[wmkey]
    if not seen then
      local stored = redis.call('GET', wmkey)
      seen = { text = stored or '-1', ms = tonumber(stored or '-1'), dirty = false }
      watermarks[wmkey] = seen
    end
    if seen.ms >= 0 and tonumber(ws) + windowMs + latenessMs <= seen.ms then
      redis.call('SREM', wkey .. ':r', rkey)
      outcome = 'l' .. ws .. ':' .. seen.text
    else
      local f = window(loc, ws, wkey).f
      windows[wkey].dirty = true
      add(f, 'n', 1)
      for j = 1, 5 do
        local v = r[3 + j]
        if v ~= '' then
          add(f, names[j] .. ':s', tonumber(v))
          add(f, names[j] .. ':n', 1)
        end
      end
      if r[9] ~= '' and ((not f.fmin) or tonumber(r[9]) < tonumber(f.fmin)) then f.fmin = r[9] end
      if tonumber(r[10]) > (tonumber(f.sr) or 0) then f.sr = r[10] end
      if eventMs > seen.ms then watermarks[wmkey] = { text = eventText, ms = eventMs, dirty = true } end
      outcome = 'm'
    end
  end
  if outcome == 'd' then window(loc, ws, wkey) end
  outcomes[#outcomes + 1] = outcome
end
for key, w in pairs(watermarks) do
  if w.dirty then redis.call('SET', key, w.text, 'EX', ttl) end
end
local touched = {}
for _, wkey in ipairs(order) do
  local w = windows[wkey]
  local flat = {}
  for k, v in pairs(w.f) do
    flat[#flat + 1] = k
    flat[#flat + 1] = v
  end
  if w.dirty then redis.call('HSET', wkey, unpack(flat)) end
  redis.call('EXPIRE', wkey, ttl)
  redis.call('EXPIRE', wkey .. ':r', ttl)
  touched[#touched + 1] = { w.loc, w.ws, flat }
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
return { outcomes, touched, incidents, sent }
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
