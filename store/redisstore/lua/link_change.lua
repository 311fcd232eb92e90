-- link_change.lua: delete or replace one slide link of a session, by id.
--
-- KEYS[1]  the session's metadata
-- KEYS[2]  the session's links (list of link JSON, each with an "id")
-- ARGV[1]  the link id
-- ARGV[2]  '' to delete the link, or its new JSON (same id) to replace it
--          in place
--
-- Returns 1 when done, 0 when the session has no such link, -1 when
-- there is no such session, -2 when the session is archived.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return -1
end
if redis.call('HGET', KEYS[1], 'state') == 'archived' then
  return -2
end
for i, raw in ipairs(redis.call('LRANGE', KEYS[2], 0, -1)) do
  local ok, link = pcall(cjson.decode, raw)
  if ok and type(link) == 'table' and link.id == ARGV[1] then
    if ARGV[2] == '' then
      redis.call('LREM', KEYS[2], 1, raw)
    else
      redis.call('LSET', KEYS[2], i - 1, ARGV[2])
    end
    return 1
  end
end
return 0
