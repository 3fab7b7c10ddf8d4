--[[
  An operator's move of input partition p's position (`topology offsets <T>
  --execute`), in one atomic step. The topology is inactive and no worker
  holds p; bumping the token fences any write still on its way from a former
  owner, and the next claim issues a token above this one.

  KEYS[1]  ts:{T:p}:meta     KEYS[2]  ts:{T:p}:states
  KEYS[3]  ts:{T:p}:types    KEYS[4]  ts:{T:p}:dedup (index of the dedup bucket sets
           KEYS[4] .. ':' .. <bucketStart>, which share the hash tag)
  KEYS[5]  ts:{T:p}:clients

  ARGV[1]  the watermark the plan was computed from (-1: none): refused when Redis
           holds another (a write landed since), "TSCHANGED <stored> <expected>"
  ARGV[2]  the new watermark (the target offset - 1)
  ARGV[3]  moved_at (epoch ms)
  ARGV[4]  1: reset the state (delete states, types, the dedup window, every
           src:* field, events = 0), 0: keep it
  ARGV[5]  #sources, then #sources x (name, watermark), stored as src:<name>
           (with a reset: where each repartition input starts again)

  Records in the meta hash: watermark, token + 1, moved_at, moved_from and
  moved_to (positions: watermark + 1 before and after), moved_reset (0/1).
  The states do not change but for a reset, which deletes the Tab records and
  client counts with them: `records_at` follows the watermark when the records
  agreed with the states before the move, or after a reset.
  Returns { token, states deleted, dedup buckets deleted }.
]]
local meta, states, types, dedupIndex, clients = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local expected = tonumber(ARGV[1])
local watermark = tonumber(ARGV[2])
local reset = ARGV[4] == '1'

local current = redis.call('HMGET', meta, 'watermark', 'token', 'epoch', 'records_at')
local stored = tonumber(current[1]) or -1
if stored ~= expected then
  return redis.error_reply('TSCHANGED ' .. stored .. ' ' .. expected)
end
local token = (tonumber(current[2]) or tonumber(current[3]) or 0) + 1

local statesDeleted, bucketsDeleted = 0, 0
if reset then
  statesDeleted = redis.call('HLEN', states)
  local buckets = redis.call('ZRANGE', dedupIndex, 0, -1)
  for i = 1, #buckets do
    redis.call('UNLINK', dedupIndex .. ':' .. buckets[i])
  end
  bucketsDeleted = #buckets
  redis.call('UNLINK', states, types, dedupIndex, clients)
  local fields = redis.call('HKEYS', meta)
  for i = 1, #fields do
    if string.sub(fields[i], 1, 4) == 'src:' then redis.call('HDEL', meta, fields[i]) end
  end
  redis.call('HSET', meta, 'events', 0)
end
local nSources = tonumber(ARGV[5])
for i = 0, nSources - 1 do
  redis.call('HSET', meta, 'src:' .. ARGV[6 + 2 * i], ARGV[7 + 2 * i])
end

redis.call('HSET', meta,
  'watermark', watermark,
  'token', token,
  'moved_at', ARGV[3],
  'moved_from', expected + 1,
  'moved_to', watermark + 1,
  'moved_reset', reset and 1 or 0)
if reset or tonumber(current[4]) == stored then
  redis.call('HSET', meta, 'records_at', watermark)
end
return { token, statesDeleted, bucketsDeleted }
