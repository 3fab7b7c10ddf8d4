-- HSCAN that answers field names only, for Redis before 7.4 (which has
-- HSCAN ... NOVALUES): listings read the names of a partition's states, never
-- their bytes. One page per call (COUNT bounds the work), read only.
-- KEYS[1] the hash; ARGV[1] cursor, ARGV[2] MATCH pattern, ARGV[3] COUNT.
local reply = redis.call('HSCAN', KEYS[1], ARGV[1], 'MATCH', ARGV[2], 'COUNT', ARGV[3])
local flat = reply[2]
local fields = {}
for i = 1, #flat, 2 do fields[#fields + 1] = flat[i] end
return { reply[1], fields }
