-- append.lua: compare-and-append a batch of records to one pad's log, then
-- publish the batch to the pad's shard channel, in one atomic step, so the
-- published order is the log order.
--
-- KEYS[1]  the pad's log: a list whose element i is the record of revision i+1
-- KEYS[2]  the pad's session metadata (a hash; field "state" is "archived"
--          when the session is read-only)
-- ARGV[1]  the head revision the caller expects (the log's current length)
-- ARGV[2]  the pad's shard channel (same hash tag as KEYS[1])
-- ARGV[3..] the records as JSON, already numbered head+1, head+2, ...
--
-- Returns {1, new head} when appended, {0, actual head} when the head moved,
-- {-1, head} when the pad's session is archived (nothing is written or
-- published in either case).
local head = redis.call('LLEN', KEYS[1])
if head ~= tonumber(ARGV[1]) then
  return {0, head}
end
if redis.call('HGET', KEYS[2], 'state') == 'archived' then
  return {-1, head}
end
for i = 3, #ARGV do
  redis.call('RPUSH', KEYS[1], ARGV[i])
end
redis.call('SPUBLISH', ARGV[2], '[' .. table.concat(ARGV, ',', 3) .. ']')
return {1, head + #ARGV - 2}
