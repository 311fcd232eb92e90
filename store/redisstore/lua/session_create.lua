-- session_create.lua: create a session with its links, unless it exists.
--
-- KEYS[1]  the session's metadata: a hash with fields "session" (JSON of
--          every field but the state, the links and the creation time),
--          "created" (Unix milliseconds) and "state" ("live" or
--          "archived", which append.lua checks)
-- KEYS[2]  the session's links: a list of link JSON in the order added
-- ARGV[1]  the session JSON
-- ARGV[2]  the creation time
-- ARGV[3]  the state
-- ARGV[4..] the links as JSON
--
-- Returns 1 when created, 0 when the session already exists.
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
redis.call('HSET', KEYS[1], 'session', ARGV[1], 'created', ARGV[2], 'state', ARGV[3])
redis.call('DEL', KEYS[2])
for i = 4, #ARGV do
  redis.call('RPUSH', KEYS[2], ARGV[i])
end
return 1
