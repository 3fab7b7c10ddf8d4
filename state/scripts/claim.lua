--[[
  Takes ownership of input partition p for one claim (a worker taking the
  partition up under assignment generation G), and issues the claim's
  fencing token: strictly greater than every token issued before, so every
  claim, even two under one generation (a worker rejoining with a fixed id),
  fences all earlier ones.

  KEYS[1]  ts:{T:p}:meta
  ARGV[1]  generation G of the assignment that gives p to the claimer
  ARGV[2]  the claimer's last token for p (0: none): the new token is above it
           too, so a Redis that lost writes (restored from an older AOF) never
           issues a token again that this claimer already used

  Refuses with "TSFENCED <stored generation> <G>" when a newer generation
  claimed p (a paused worker applying an assignment it read long ago).
  Returns { token, watermark }: the watermark is where the claimer starts
  (Redis's watermark is the truth; -1 = nothing folded yet).

  Layout v1 (before tokens) kept the generation as `epoch`: read as both.
]]
local meta = KEYS[1]
local attempted = tonumber(ARGV[1])
local current = redis.call('HMGET', meta, 'generation', 'token', 'epoch', 'watermark')
local legacy = tonumber(current[3])
local stored = tonumber(current[1]) or legacy
if stored ~= nil and stored > attempted then
  return redis.error_reply('TSFENCED ' .. stored .. ' ' .. attempted)
end
local token = math.max(tonumber(current[2]) or legacy or 0, tonumber(ARGV[2]) or 0) + 1
redis.call('HSET', meta, 'generation', attempted, 'token', token)
if legacy ~= nil then redis.call('HDEL', meta, 'epoch') end
return { token, tonumber(current[4]) or -1 }
