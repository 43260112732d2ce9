-- users.lua: registers users as fast as the server takes them (bench data: 100,000 users).
-- Each thread numbers its own emails; BENCH_USERS bounds the total.
package.path = os.getenv("BENCH_DIR") .. "/lua/?.lua;" .. package.path
local common = require("common")
local api_key, n, limit, run
setup = common.setup
done = common.done

function init(args)
  api_key = common.read_lines(os.getenv("BENCH_DATA") .. "/app.txt")[1][1]
  n = 0
  limit = math.floor(tonumber(os.getenv("BENCH_USERS")) / tonumber(os.getenv("BENCH_THREADS")))
  run = os.getenv("BENCH_RUN") or "a"
end

function request()
  n = n + 1
  if n > limit then wrk.thread:stop() end
  return wrk.format("POST", "/v1/users", {["Content-Type"] = "application/json", ["api-key"] = api_key},
    '{"email":"bulk-' .. run .. '-' .. thread_id .. '-' .. n .. '@example.com"}')
end

function response(status, headers, body)
  if status ~= 201 then errors = (errors or 0) + 1 end
end
