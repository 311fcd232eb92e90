-- session_delete.lua: delete a session's metadata, links and pad history
-- together, or nothing if the session does not exist.
--
-- KEYS[1]  the session's metadata (its existence is the session's)
-- KEYS[2..] the pad's other keys: links, log, snapshot index, texts,
--          attributions and sums, authors
--
-- Returns 1 when deleted, 0 when there was no such session.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
redis.call('DEL', unpack(KEYS))
return 1
