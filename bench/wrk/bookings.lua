-- POST /v1/bookings, each request on its own hour, as bench/run.py's creation phases do.
--   wrk -t T -c C -d D -s bench/wrk/bookings.lua URL -- OFFERING FIRST_EPOCH HOURS TAG T
-- Request i (thread t of T sends i = t, t+T, t+2T, ...) books OFFERING at FIRST_EPOCH + (i mod HOURS)
-- hours for customer bench-TAG-i@example.com; past HOURS requests an hour gets a second booking (on
-- another vehicle) and the wrap is counted (`wrapped` in the report).
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "report.lua")

local headers = { ["Content-Type"] = "application/json" }

function init(args)
   offering, first, hours, tag = args[1], tonumber(args[2]), tonumber(args[3]), args[4]
   nthreads, sent = tonumber(args[5]), 0
end

function request()
   local i = thread_id + nthreads * sent
   sent = sent + 1
   if i % hours == hours - 1 then
      wrapped = wrapped + 1
   end
   local start = os.date("!%Y-%m-%dT%H:%M:%S+00:00", first + (i % hours) * 3600)
   local body = string.format(
      '{"offering_id": "%s", "customer": {"name": "Bench Customer %d", "email": "bench-%s-%d@example.com"}, '
         .. '"start": "%s"}',
      offering, i, tag, i, start)
   return wrk.format("POST", "/v1/bookings", headers, body)
end
