-- Shared by the bench's wrk scripts: counts each thread's statuses and the `outcome` of JSON answers
-- ({"outcome": "applied"}), and prints one machine-readable line at the end for bench/loadgen.py:
--   WRK_JSON {"requests": ..., "seconds": ..., "p50_us": ..., "p99_us": ..., ...}
-- A script that includes this file sets `thread_id` (setup) and calls `count(status, body)`.

local threads = {}

function setup(thread)
   thread:set("thread_id", #threads)
   table.insert(threads, thread)
end

statuses, outcomes, wrapped = {}, {}, 0

function count(status, body)
   statuses[status] = (statuses[status] or 0) + 1
   local outcome = body and body:match('"outcome":"([%w_]+)"')
   if outcome then
      outcomes[outcome] = (outcomes[outcome] or 0) + 1
   end
end

function response(status, headers, body)
   count(status, body)
end

local function object(t)
   local parts = {}
   for k, v in pairs(t) do
      parts[#parts + 1] = string.format('"%s": %d', tostring(k), v)
   end
   return "{" .. table.concat(parts, ", ") .. "}"
end

local function add(into, from)
   for k, v in pairs(from or {}) do
      into[k] = (into[k] or 0) + v
   end
end

function done(summary, latency, requests)
   local all_statuses, all_outcomes, all_wrapped = {}, {}, 0
   for _, thread in ipairs(threads) do
      add(all_statuses, thread:get("statuses"))
      add(all_outcomes, thread:get("outcomes"))
      all_wrapped = all_wrapped + (thread:get("wrapped") or 0)
   end
   local e = summary.errors
   io.write(string.format(
      'WRK_JSON {"requests": %d, "seconds": %.6f, "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, '
         .. '"mean_us": %.1f, "statuses": %s, "outcomes": %s, "wrapped": %d, '
         .. '"errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d, "status": %d}}\n',
      summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(90),
      latency:percentile(99), latency.max, latency.mean, object(all_statuses), object(all_outcomes),
      all_wrapped, e.connect, e.read, e.write, e.timeout, e.status))
end
