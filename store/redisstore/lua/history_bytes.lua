-- history_bytes.lua: the size of a pad's stored history, as
-- collab.HistorySizer counts it, without sending the records anywhere.
--
-- KEYS[1]  the pad's log: a list whose element i is the record of revision i+1
-- ARGV[1]  the overhead to count per record
--
-- Returns the sum over the records of their length plus ARGV[1]. It reads
-- the list in chunks of 1,000 so that its memory stays bounded; it runs
-- once per pad load on a replica.
local n = redis.call('LLEN', KEYS[1])
local overhead = tonumber(ARGV[1])
local total = 0
for start = 0, n - 1, 1000 do
  for _, rec in ipairs(redis.call('LRANGE', KEYS[1], start, start + 999)) do
    total = total + #rec + overhead
  end
end
return total
