-- authors_note.lua: merge notes about authors into a pad's author table
-- (authors.Merge), atomically.
--
-- KEYS[1]  the pad's authors: a hash from public author id to
--          {"name", "color", "first", "last", "ops"} JSON (times in Unix
--          milliseconds, 0 for none)
-- ARGV     six per author: id, name, colour, first, last, ops
--
-- Returns the number of authors noted.
local n = 0
for i = 1, #ARGV, 6 do
  local id = ARGV[i]
  local a = {name = '', color = '', first = 0, last = 0, ops = 0}
  local old = redis.call('HGET', KEYS[1], id)
  if old then
    a = cjson.decode(old)
  end
  local name, color = ARGV[i + 1], ARGV[i + 2]
  local first, last, ops = tonumber(ARGV[i + 3]), tonumber(ARGV[i + 4]), tonumber(ARGV[i + 5])
  if name ~= '' then a.name = name end
  if color ~= '' then a.color = color end
  if first ~= 0 and (a.first == 0 or first < a.first) then a.first = first end
  if last > a.last then a.last = last end
  a.ops = a.ops + ops
  redis.call('HSET', KEYS[1], id, cjson.encode(a))
  n = n + 1
end
return n
