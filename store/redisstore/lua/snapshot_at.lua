-- snapshot_at.lua: the newest snapshot at or below a revision, read
-- atomically from the index and the texts.
--
-- KEYS[1]  the pad's snapshot index (sorted set, score = rev)
-- KEYS[2]  the pad's snapshot texts (hash rev -> text)
-- ARGV[1]  the highest revision wanted ("+inf" for the newest)
--
-- Returns {rev, text}, or {0, ""} when there is none.
local found = redis.call('ZREVRANGEBYSCORE', KEYS[1], ARGV[1], '-inf', 'LIMIT', 0, 1)
if #found == 0 then
  return {0, ''}
end
local text = redis.call('HGET', KEYS[2], found[1])
if not text then
  return {0, ''}
end
return {tonumber(found[1]), text}
