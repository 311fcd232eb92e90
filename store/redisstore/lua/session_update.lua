-- session_update.lua: replace a session's metadata, keeping its creation
-- time and links.
--
-- KEYS[1]  the session's metadata hash (see session_create.lua)
-- ARGV[1]  the session JSON
-- ARGV[2]  the session's state
--
-- Returns 1 when updated, 0 when there is no such session.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
redis.call('HSET', KEYS[1], 'session', ARGV[1], 'state', ARGV[2])
return 1
