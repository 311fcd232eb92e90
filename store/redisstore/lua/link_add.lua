-- link_add.lua: append a slide link to an existing session, unless it has
-- the most links it may have (checked and added in one atomic step).
--
-- KEYS[1]  the session's metadata (must exist)
-- KEYS[2]  the session's links: a list of link JSON in the order added
-- ARGV[1]  the link as JSON
-- ARGV[2]  the most links a session may have
--
-- Returns 1 when added, 0 when there is no such session, -2 when the
-- session is archived, -3 when it has ARGV[2] links already.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
if redis.call('HGET', KEYS[1], 'state') == 'archived' then
  return -2
end
if redis.call('LLEN', KEYS[2]) >= tonumber(ARGV[2]) then
  return -3
end
redis.call('RPUSH', KEYS[2], ARGV[1])
return 1
