-- session_state_backfill.lua: give a session stored before the "state"
-- field existed (its state was only inside the session JSON) that field,
-- which append.lua and the link scripts check.
--
-- KEYS[1]  the session's metadata hash (see session_create.lua)
--
-- Returns 1 when the field was written, 0 when it was there already or
-- there is no such session.
if redis.call('HEXISTS', KEYS[1], 'state') == 1 then
  return 0
end
local data = redis.call('HGET', KEYS[1], 'session')
if not data then
  return 0
end
local state = 'live'
local ok, sess = pcall(cjson.decode, data)
if ok and type(sess) == 'table' and sess.state == 'archived' then
  state = 'archived'
end
redis.call('HSET', KEYS[1], 'state', state)
return 1
