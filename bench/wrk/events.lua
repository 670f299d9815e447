-- POST pre-generated requests from a file, one line each: "<stripe-signature>\t<json body>".
--   wrk -t T -c C -d D -s bench/wrk/events.lua URL -- FILE T
-- Thread i of T sends lines i, i+T, i+2T, ... in order, each once; when its share runs out it starts
-- again from the top and counts the wrap (`wrapped` in the report): for the webhook ingest that means
-- repeated event ids, which the bench treats as a failed run (pass more events).
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "report.lua")

function init(args)
   local path, nthreads = args[1], tonumber(args[2])
   local me = tonumber(thread_id)
   prepared = {}
   local n = 0
   for line in io.lines(path) do
      if n % nthreads == me then
         local tab = line:find("\t", 1, true)
         local headers = { ["Content-Type"] = "application/json" }
         if tab > 1 then
            headers["Stripe-Signature"] = line:sub(1, tab - 1)
         end
         prepared[#prepared + 1] = wrk.format("POST", nil, headers, line:sub(tab + 1))
      end
      n = n + 1
   end
   nextone = 1
end

function request()
   local r = prepared[nextone]
   nextone = nextone + 1
   if nextone > #prepared then
      nextone, wrapped = 1, wrapped + 1
   end
   return r
end
