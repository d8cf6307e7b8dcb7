"""The Lua scripts ``RedisStore`` runs on the server (see ``dedup.storage.redis_store``).

Each script is one round trip and runs atomically. Keys are passed in ARGV
(names built from the prefix), so these scripts need a single Redis server, not
Redis Cluster.
"""

# ARGV: lock key, token, ttl ms, prefix. Taking a lock this store already holds
# (a reply lost to a network error) succeeds. Returns {1, next_arrival,
# next_cluster, article count} or {0, ms left on the holder's lease}.
ACQUIRE = """#!lua
local holder = redis.call('GET', ARGV[1])
if holder and holder ~= ARGV[2] then return {0, redis.call('PTTL', ARGV[1])} end
redis.call('SET', ARGV[1], ARGV[2], 'PX', ARGV[3])
local h = redis.call('HMGET', ARGV[4] .. ':header', 'next_arrival', 'next_cluster')
return {1, h[1] or '', h[2] or '', redis.call('HLEN', ARGV[4] .. ':ids')}
"""

# ARGV: lock key, token. Releasing wakes the longest waiter: processes waiting
# for the lock block on BLPOP <lock key>:wake (Redis serves blocked clients
# first come, first served); the list holds at most one wake-up.
RELEASE = """#!lua
if redis.call('GET', ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('DEL', ARGV[1])
redis.call('LPUSH', ARGV[1] .. ':wake', 1)
redis.call('LTRIM', ARGV[1] .. ':wake', 0, 0)
return 1
"""

# ARGV: lock key, token, ttl ms. Returns 0 when the lock is no longer ours.
RENEW = """#!lua
if redis.call('GET', ARGV[1]) == ARGV[2] then return redis.call('PEXPIRE', ARGV[1], ARGV[3]) end
return 0
"""

# ARGV: lock key, token, applied key, sequence number, release (1/0), ttl ms,
# operations: one string of operations, each a big-endian u32 count of
# strings and the strings, each a u32 length and its bytes (one argument, not
# hundreds: packing arguments was most of the client's time). An operation is
# 'C' and a command with its arguments, or 'S', bucket, member, table, field:
# remove a member from a datasketch bucket, and the bucket from its table once
# empty, as datasketch's remove does.
# Returns 1 (applied), 2 (this sequence number was applied already: a retry
# after a lost reply) or 0 (the lock is not ours: nothing written).
APPLY = """#!lua
if redis.call('GET', ARGV[3]) == ARGV[4] then return 2 end
if redis.call('GET', ARGV[1]) ~= ARGV[2] then return 0 end
local ops, pos = ARGV[7], 1
while pos <= #ops do
  local n, op
  n, pos = struct.unpack('>I4', ops, pos)
  op = {}
  for j = 1, n do op[j], pos = struct.unpack('>I4c0', ops, pos) end
  if op[1] == 'C' then
    redis.call(unpack(op, 2))
  else
    redis.call('SREM', op[2], op[3])
    if redis.call('SCARD', op[2]) == 0 then redis.call('HDEL', op[4], op[5]) end
  end
end
redis.call('SET', ARGV[3], ARGV[4], 'EX', 86400)
if ARGV[5] == '1' then
  redis.call('DEL', ARGV[1])
  redis.call('LPUSH', ARGV[1] .. ':wake', 1)
  redis.call('LTRIM', ARGV[1] .. ':wake', 0, 0)
else
  redis.call('PEXPIRE', ARGV[1], ARGV[6])
end
return 1
"""

# ARGV: prefix, buckets per asking row, holders per passage key (0: all), then
# five counted lists: article ids, arrivals, cluster ids, datasketch bucket keys
# (sets of article ids), passage keys (8 bytes each). Returns {arrival per id
# ('' if absent), {row, arrival}... for the buckets' members, {key number,
# arrival}... for each passage key's lowest arrivals (as many as asked),
# {arrival, cluster, metadata}..., {cluster,
# record}..., {arrival, fingerprints}...} (flat lists, each pair once: few
# reply lines to parse): every document found, the clusters of the
# documents found by id, bucket or passage with all their members, and the
# fingerprints of the asked arrivals, the ids found and the clusters' originals.
LOOKUP = """#!lua
local P, per_row, holders = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local pos = 4
local function list()
  local n = tonumber(ARGV[pos])
  local first = pos + 1
  pos = first + n
  return first, first + n - 1
end
local docs, seen, fps = {}, {}, {}
local function want(a)
  if not seen[a] then seen[a] = true; docs[#docs + 1] = a end
end
local ids_out = {}
local first, last = list()
for i = first, last do
  local a = redis.call('HGET', P .. ':ids', ARGV[i])
  if a then want(a); fps[a] = true; ids_out[#ids_out + 1] = a else ids_out[#ids_out + 1] = '' end
end
first, last = list()
for i = first, last do want(ARGV[i]); fps[ARGV[i]] = true end
local clusters, cl_seen = {}, {}
first, last = list()
for i = first, last do
  if not cl_seen[ARGV[i]] then cl_seen[ARGV[i]] = true; clusters[#clusters + 1] = ARGV[i] end
end
local function hit(out, done, row, a)
  local pair = row .. ':' .. a
  if not done[pair] then
    done[pair] = true
    out[#out + 1] = row
    out[#out + 1] = a
    want(a)
  end
end
local buckets_out, done = {}, {}
first, last = list()
for i = first, last do
  for _, id in ipairs(redis.call('SMEMBERS', ARGV[i])) do
    local a = redis.call('HGET', P .. ':ids', id)
    if a then hit(buckets_out, done, math.floor((i - first) / per_row), a) end
  end
end
local passages_out = {}
done = {}
first, last = list()
for i = first, last do
  local members = redis.call('SMEMBERS', P .. ':p:' .. ARGV[i])
  if holders > 0 and #members > holders then
    local lowest = {}
    for j, a in ipairs(members) do lowest[j] = tonumber(a) end
    table.sort(lowest)
    members = {}
    for j = 1, holders do members[j] = tostring(lowest[j]) end
  end
  for _, a in ipairs(members) do
    hit(passages_out, done, i - first, a)
  end
end
local found_docs = #docs
for i = 1, found_docs do
  local cid = redis.call('HGET', P .. ':cl', docs[i])
  if cid and not cl_seen[cid] then cl_seen[cid] = true; clusters[#clusters + 1] = cid end
end
local clusters_out = {}
for _, cid in ipairs(clusters) do
  local record = redis.call('HGET', P .. ':clusters', cid)
  if record then
    clusters_out[#clusters_out + 1] = cid
    clusters_out[#clusters_out + 1] = record
    local c = cjson.decode(record)
    fps[tostring(c.original)] = true
    for _, m in ipairs(c.members) do want(tostring(m)) end
  end
end
local docs_out = {}
for _, a in ipairs(docs) do
  local meta = redis.call('HGET', P .. ':meta', a)
  if meta then
    docs_out[#docs_out + 1] = a
    docs_out[#docs_out + 1] = redis.call('HGET', P .. ':cl', a) or ''
    docs_out[#docs_out + 1] = meta
  end
end
local fps_out = {}
for a, _ in pairs(fps) do
  local fp = redis.call('HGET', P .. ':fp', a)
  if fp then fps_out[#fps_out + 1] = a; fps_out[#fps_out + 1] = fp end
end
return {ids_out, buckets_out, passages_out, docs_out, clusters_out, fps_out}
"""

# ARGV: header key, then field, value pairs. Creates the header unless another
# process created it first. Returns 1 if created.
CREATE = """#!lua
if redis.call('EXISTS', ARGV[1]) == 1 then return 0 end
redis.call('HSET', unpack(ARGV, 1))
return 1
"""

SCRIPTS = {"acquire": ACQUIRE, "release": RELEASE, "renew": RENEW, "apply": APPLY,
           "lookup": LOOKUP, "create": CREATE}
