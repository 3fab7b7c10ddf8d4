--[[
  One atomic checkpoint of input partition p (DESIGN.md, "The checkpoint protocol").

  KEYS[1]  ts:{T:p}:meta     HASH  generation, token, checkpoint, watermark, flushed_at, events, src:<topic>:<partition>
  KEYS[2]  ts:{T:p}:states   HASH  <tab>\0<client> -> state bytes
  KEYS[3]  ts:{T:p}:types    HASH  tab -> type
  KEYS[4]  ts:{T:p}:dedup    ZSET  live dedup buckets (member = score = bucket start ms)
  KEYS[5]  ts:{T:p}:clients  HASH  tab -> how many client states it has stored
  Dedup bucket sets are KEYS[4] .. ':' .. <bucketStart>; they share the hash tag,
  so they live in the same Redis Cluster slot as the declared keys. They have no
  key expiry: a bucket goes only when the partition's event time leaves it behind
  (ARGV[5]), however long the partition stays unowned.

  ARGV[1]  token (of the writer's claim)   ARGV[2]  watermark       ARGV[3]  flushed_at (ms)
  ARGV[4]  events delta   ARGV[5]  dedup buckets starting before this are dropped
  ARGV[6]  #states  ARGV[7]  #deleted  ARGV[8]  #types  ARGV[9]  #buckets  ARGV[10]  #sources
  ARGV[11] checkpoint id (unique per write): a write applied already is not applied again
  ARGV[12] the watermark the writer's previous write (or its claim) left
  ARGV[13] #counts, or -1: this write rebuilt no Tab record
  ARGV[14] #records: how many of the #states are Tab records (field <tab>\0*, or its delta <tab>\0*+), sent first
  ARGV[15] #runs: the client states after them, in runs of one Tab each
  then, in order:
    records  #records x (field, bytes)
    runs     #runs    x (tab, n, n x (field, bytes))   the other #states - #records states
    deleted  #deleted x field
    types    #types   x (tab, type)
    buckets  #buckets x (bucketStart, #ids, id...)
    sources  #sources x (name, watermark)     stored as field src:<name>
    counts   #counts  x (tab, clients)        every Tab's client count as a rebuild of
             the records counted them: they replace the hash (before this write's
             own states are counted)

  Client counts follow the states hash: a client state (field <tab>\0<client>,
  client not the record's `*` nor its delta's `*+`) this write creates adds one to its Tab, one it
  deletes takes one off; a Tab at 0 leaves the hash. A run's HSET answers how
  many of its fields it created: the writer sends a Tab's client states
  together so that no field is asked for one by one (an HEXISTS per state
  was over half of this script's time at Taba's full shape). Every write sets the
  meta's `records_at` to its watermark: the Tab records and counts agree with
  the states as of that watermark (a writer of an older version leaves it
  behind, and the next claimer rebuilds them).

  Returns 1 when applied, 0 when this checkpoint id was applied already (a
  retry of a write whose reply was lost: nothing is written twice).
  Errors: "TSFENCED <stored> <attempted>"  a newer claim's token (another owner took over)
          "TSLOST <stored> <expected>"  Redis no longer holds what this writer's claim or
            previous write left (a restart from an older AOF, a failover to a lagging
            replica): the writer must take the partition up again from what Redis holds
          "TSREGRESSION <stored> <attempted>"  watermark backwards (bug guard)
]]

-- Redis' Lua refuses unpack() beyond a few thousand values: send in chunks.
local CHUNK = 1000

local meta, states, types, dedupIndex, clients = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]

local token = tonumber(ARGV[1])
local watermark = tonumber(ARGV[2])
local expireBefore = tonumber(ARGV[5])
local nStates, nDeleted, nTypes = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
local nBuckets, nSources, nCounts = tonumber(ARGV[9]), tonumber(ARGV[10]), tonumber(ARGV[13])
local nRecords, nRuns = tonumber(ARGV[14]), tonumber(ARGV[15])

-- (1) idempotence, (2) fencing, (3) lost writes, (4) regression guard: nothing is
-- written when any refuses.
local current = redis.call('HMGET', meta, 'token', 'watermark', 'checkpoint')
local storedToken, storedWatermark = tonumber(current[1]), tonumber(current[2]) or -1
if current[3] == ARGV[11] then
  return 0
end
if storedToken ~= nil and storedToken > token then
  return redis.error_reply('TSFENCED ' .. storedToken .. ' ' .. token)
end
if storedToken == nil or storedToken < token then
  return redis.error_reply('TSLOST ' .. (storedToken or -1) .. ' ' .. token)
end
if storedWatermark ~= tonumber(ARGV[12]) then
  return redis.error_reply('TSLOST ' .. storedWatermark .. ' ' .. ARGV[12])
end
if storedWatermark > watermark then
  return redis.error_reply('TSREGRESSION ' .. storedWatermark .. ' ' .. watermark)
end

-- Calls `command key <ARGV[from .. from+count-1]>` in chunks of at most CHUNK values; the sum of the replies.
local function callChunked(command, key, from, count, width)
  local done, replies = 0, 0
  while done < count do
    local n = math.min(CHUNK - CHUNK % width, count - done)
    local args = {}
    for i = 1, n do args[i] = ARGV[from + done + i - 1] end
    replies = replies + redis.call(command, key, unpack(args))
    done = done + n
  end
  return replies
end

-- The Tab of a client state's field, nil for a Tab record's (<tab>\0*, and its delta <tab>\0*+).
local function clientTab(field)
  local sep = string.find(field, '\0', 1, true)
  if sep == nil or string.sub(field, sep + 1, sep + 1) == '*' then return nil end
  return string.sub(field, 1, sep - 1)
end

local at = 16

-- The runs must hold the states announced: checked before anything is written (a script's
-- writes are not undone when it fails halfway).
local runStates, runAt = 0, at + 2 * nRecords
for _ = 1, nRuns do
  local n = tonumber(ARGV[runAt + 1])
  runStates = runStates + n
  runAt = runAt + 2 + 2 * n
end
if nRecords + runStates ~= nStates then
  return redis.error_reply('TSARGS ' .. nStates .. ' states announced, ' .. (nRecords + runStates) .. ' sent')
end

-- (3) states, deletions, types; client counts move with them
callChunked('HSET', states, at, 2 * nRecords, 2)
at = at + 2 * nRecords
local countDelta = {}
for _ = 1, nRuns do
  local tab, n = ARGV[at], tonumber(ARGV[at + 1])
  local created = callChunked('HSET', states, at + 2, 2 * n, 2)
  if created > 0 then countDelta[tab] = (countDelta[tab] or 0) + created end
  at = at + 2 + 2 * n
end
for i = 0, nDeleted - 1 do
  local tab = clientTab(ARGV[at + i])
  if redis.call('HDEL', states, ARGV[at + i]) == 1 and tab ~= nil then
    countDelta[tab] = (countDelta[tab] or 0) - 1
  end
end
at = at + nDeleted
for i = 0, nTypes - 1 do
  -- A Tab's type is sticky: the first type stored wins.
  redis.call('HSETNX', types, ARGV[at + 2 * i], ARGV[at + 2 * i + 1])
end
at = at + 2 * nTypes

-- dedup: drop buckets that left the window (by event time), then add new ids
local expired = redis.call('ZRANGEBYSCORE', dedupIndex, '-inf', '(' .. ARGV[5])
for i = 1, #expired do
  redis.call('DEL', dedupIndex .. ':' .. expired[i])
end
if #expired > 0 then
  redis.call('ZREMRANGEBYSCORE', dedupIndex, '-inf', '(' .. ARGV[5])
end
for _ = 1, nBuckets do
  local bucketStart, nIds = ARGV[at], tonumber(ARGV[at + 1])
  at = at + 2
  if tonumber(bucketStart) >= expireBefore and nIds > 0 then
    callChunked('SADD', dedupIndex .. ':' .. bucketStart, at, nIds, 1)
    redis.call('ZADD', dedupIndex, bucketStart, bucketStart)
  end
  at = at + nIds
end
-- Live buckets never expire by wall clock; older versions gave them a PEXPIREAT: clear it.
local live = redis.call('ZRANGE', dedupIndex, 0, -1)
for i = 1, #live do
  redis.call('PERSIST', dedupIndex .. ':' .. live[i])
end

-- (4) ownership, progress and source watermarks
redis.call('HSET', meta, 'watermark', ARGV[2], 'flushed_at', ARGV[3], 'checkpoint', ARGV[11])
redis.call('HINCRBY', meta, 'events', ARGV[4])
for i = 0, nSources - 1 do
  redis.call('HSET', meta, 'src:' .. ARGV[at + 2 * i], ARGV[at + 2 * i + 1])
end
at = at + 2 * nSources

-- (5) client counts: a rebuild's, then this write's changes
if nCounts >= 0 then
  redis.call('DEL', clients)
end
for i = 0, nCounts - 1 do
  local tab, count = ARGV[at + 2 * i], tonumber(ARGV[at + 2 * i + 1])
  if count > 0 then redis.call('HSET', clients, tab, count) end
end
for tab, delta in pairs(countDelta) do
  if delta ~= 0 and redis.call('HINCRBY', clients, tab, delta) <= 0 then redis.call('HDEL', clients, tab) end
end
redis.call('HSET', meta, 'records_at', ARGV[2])
return 1
