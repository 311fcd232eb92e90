-- snapshot_save.lua: store a snapshot and keep only the newest few besides
-- the checkpoints, which are kept for good.
--
-- KEYS[1]  the pad's snapshot index: a sorted set of revisions (score = rev)
-- KEYS[2]  the pad's snapshot texts: a hash from revision to text
-- KEYS[3]  the pad's log (a snapshot may not be ahead of its head)
-- KEYS[4]  the pad's snapshot attributions: a hash from revision to JSON
-- KEYS[5]  the pad's snapshot sums: a hash from revision to the text's sum
-- ARGV[1]  the snapshot's revision
-- ARGV[2]  the snapshot's text
-- ARGV[3]  how many snapshots to keep (the newest by revision)
-- ARGV[4]  the distance between checkpoints: snapshots at its multiples
--          are never dropped
-- ARGV[5]  the snapshot's attribution as JSON, or "" for none
-- ARGV[6]  the snapshot's sum, or "" for none
--
-- Returns the pad's head, or -1 when the snapshot is ahead of it (nothing is
-- stored then).
local head = redis.call('LLEN', KEYS[3])
if tonumber(ARGV[1]) > head then
  return -1
end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
for i, key in ipairs({KEYS[4], KEYS[5]}) do
  local value = ARGV[4 + i]
  if value == '' then
    redis.call('HDEL', key, ARGV[1])
  else
    redis.call('HSET', key, ARGV[1], value)
  end
end
local every = tonumber(ARGV[4])
local old = redis.call('ZRANGE', KEYS[1], 0, -(tonumber(ARGV[3]) + 1))
for _, rev in ipairs(old) do
  if tonumber(rev) % every ~= 0 then
    redis.call('ZREM', KEYS[1], rev)
    redis.call('HDEL', KEYS[2], rev)
    redis.call('HDEL', KEYS[4], rev)
    redis.call('HDEL', KEYS[5], rev)
  end
end
return head
