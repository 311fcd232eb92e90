-- revision_read.lua: what an old revision's text needs, read in one
-- atomic step: the pad's head, the newest snapshot at or below the
-- revision and the log's records after it up to the revision.
--
-- KEYS[1]  the pad's log (list; element i is revision i+1)
-- KEYS[2]  the pad's snapshot index (sorted set, score = rev)
-- KEYS[3]  the pad's snapshot texts (hash rev -> text)
-- KEYS[4]  the pad's snapshot sums (hash rev -> sum)
-- ARGV[1]  the revision
-- ARGV[2]  the revision of a snapshot whose text the caller holds (0: none):
--          if it is the one found, its text is left out
--
-- Returns {head, snapshot rev, text, sum or false, {record...}}: snapshot
-- 0, "" and false when there is none at or below the revision (or its text
-- is missing), text "" and sum false when the caller holds it, and the
-- records after the snapshot up to the revision or the head.
local head = redis.call('LLEN', KEYS[1])
local rev = tonumber(ARGV[1])
local snap, text, sum = 0, '', false
local found = redis.call('ZREVRANGEBYSCORE', KEYS[2], rev, '-inf', 'LIMIT', 0, 1)
if #found > 0 then
  if tonumber(found[1]) == tonumber(ARGV[2]) then
    snap = tonumber(found[1])
  else
    local t = redis.call('HGET', KEYS[3], found[1])
    if t then
      snap, text, sum = tonumber(found[1]), t, redis.call('HGET', KEYS[4], found[1])
    end
  end
end
local recs = {}
local last = math.min(rev, head)
if last > snap then
  recs = redis.call('LRANGE', KEYS[1], snap, last - 1)
end
return {head, snap, text, sum, recs}
