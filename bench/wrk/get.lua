-- GET the URL (wrk's default request) and report statuses and latency like the bench's other scripts.
--   wrk -t T -c C -d D -s bench/wrk/get.lua URL
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "report.lua")
