--[[
  Takes partition ownership for an epoch (a worker taking the partition up).

  KEYS[1]  ts:{T:p}:meta
  ARGV[1]  epoch

  Refuses with "TSFENCED <stored> <attempted>" when the stored epoch is newer;
  an equal epoch is accepted, so a retried claim is harmless.
]]
local stored = tonumber(redis.call('HGET', KEYS[1], 'epoch'))
local epoch = tonumber(ARGV[1])
if stored ~= nil and stored > epoch then
  return redis.error_reply('TSFENCED ' .. stored .. ' ' .. epoch)
end
redis.call('HSET', KEYS[1], 'epoch', ARGV[1])
return 1
