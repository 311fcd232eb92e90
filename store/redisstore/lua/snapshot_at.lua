-- snapshot_at.lua: the newest snapshot at or below a revision, read
-- atomically from the index, the texts, the attributions and the sums.
--
-- KEYS[1]  the pad's snapshot index (sorted set, score = rev)
-- KEYS[2]  the pad's snapshot texts (hash rev -> text)
-- KEYS[3]  the pad's snapshot attributions (hash rev -> JSON runs; a
--          snapshot stored before attributions were kept has none)
-- KEYS[4]  the pad's snapshot sums (hash rev -> sum; a snapshot saved
--          without one has none)
-- ARGV[1]  the highest revision wanted ("+inf" for the newest)
--
-- Returns {rev, text, attribution or false, sum or false}, or
-- {0, "", false, false} when there is none.
local found = redis.call('ZREVRANGEBYSCORE', KEYS[1], ARGV[1], '-inf', 'LIMIT', 0, 1)
if #found == 0 then
  return {0, '', false, false}
end
local text = redis.call('HGET', KEYS[2], found[1])
if not text then
  return {0, '', false, false}
end
return {tonumber(found[1]), text, redis.call('HGET', KEYS[3], found[1]), redis.call('HGET', KEYS[4], found[1])}
