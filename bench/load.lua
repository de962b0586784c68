-- wrk script of the load benchmark (bench/load_bench.py writes the requests file and reads the result).
-- Each request is chosen by weight from pre-built requests of its class (LOAD_CLASS set: that class
-- only). Consumable requests (a draft submits once, a refresh token is spent once) are split between
-- the threads and used once; if a class runs out, a run of that class alone stops its thread, and in
-- the mix the thread sends a tracking request instead; both are counted and the harness prints the count.
local WEIGHTS = {
  {"catalogue", 40}, {"vault", 10}, {"prefill", 10}, {"my_applications", 20},
  {"submit", 5}, {"tracking", 10}, {"refresh", 5},
}
local CONSUMABLE = {submit = true, refresh = true}
local threads = {}

function setup(thread)
  thread:set("thread_id", #threads)
  table.insert(threads, thread)
end

function init(args)
  local thread_count = tonumber(os.getenv("LOAD_THREADS"))
  only = os.getenv("LOAD_CLASS")
  if only == "" then only = nil end
  pools, cursor, seen = {}, {}, {}
  exhausted = 0
  for line in io.lines(os.getenv("LOAD_REQUESTS")) do
    local class, method, path, token, cookie, body =
      line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)$")
    seen[class] = (seen[class] or 0) + 1
    if not CONSUMABLE[class] or seen[class] % thread_count == thread_id then
      local headers = {}
      if token ~= "-" then headers["Authorization"] = "Bearer " .. token end
      if cookie ~= "-" then headers["Cookie"] = "onetrip_refresh=" .. cookie end
      if body == "-" then body = nil else headers["Content-Type"] = "application/json" end
      pools[class] = pools[class] or {}
      table.insert(pools[class], wrk.format(method, path, headers, body))
    end
  end
  math.randomseed(1000 + thread_id)
  for class, pool in pairs(pools) do
    cursor[class] = CONSUMABLE[class] and 0 or math.random(#pool) - 1
  end
  total = 0
  for _, entry in ipairs(WEIGHTS) do total = total + entry[2] end
end

local function pick()
  local roll = math.random() * total
  for _, entry in ipairs(WEIGHTS) do
    roll = roll - entry[2]
    if roll < 0 then return entry[1] end
  end
  return WEIGHTS[1][1]
end

function request()
  local class = only or pick()
  local pool = pools[class]
  local index = cursor[class] + 1
  if index > #pool then
    if CONSUMABLE[class] and only then
      -- a class alone that has used up its drafts or tokens stops rather than measure something else
      exhausted = exhausted + 1
      wrk.thread:stop()
      index = #pool
    elseif CONSUMABLE[class] then
      exhausted = exhausted + 1
      class, pool = "tracking", pools.tracking
      index = cursor.tracking + 1
      if index > #pool then index = 1 end
    else
      index = 1
    end
  end
  cursor[class] = index
  return pool[index]
end

statuses, status_text = {}, ""

function response(status, headers, body)
  if status >= 400 then
    statuses[status] = (statuses[status] or 0) + 1
    local parts = {}
    for code, count in pairs(statuses) do table.insert(parts, code .. ":" .. count) end
    status_text = table.concat(parts, ",")
  end
end

function done(summary, latency, requests)
  local used_up, texts = 0, {}
  for _, thread in ipairs(threads) do
    used_up = used_up + (thread:get("exhausted") or 0)
    local text = thread:get("status_text")
    if text and text ~= "" then table.insert(texts, text) end
  end
  local e = summary.errors
  io.write(string.format(
    'LOADRESULT {"requests": %d, "seconds": %.3f, "p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, ' ..
    '"status_errors": %d, "socket_errors": %d, "timeouts": %d, "exhausted": %d, "statuses": "%s"}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, e.status, e.connect + e.read + e.write, e.timeout, used_up,
    table.concat(texts, ",")))
end
