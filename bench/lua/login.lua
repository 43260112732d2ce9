-- login.lua: POST /v1/login with right passwords (Argon2id at the server's default cost).
package.path = os.getenv("BENCH_DIR") .. "/lua/?.lua;" .. package.path
local common = require("common")
local mine, i
setup = common.setup
done = common.done
delay = common.delay

function init(args)
  local data = common.read_lines(os.getenv("BENCH_DATA") .. "/logins.txt") -- api_key email password
  mine = common.share(data, thread_id, tonumber(os.getenv("BENCH_THREADS")))
  i = 0
end

function request()
  i = i % #mine + 1
  local rec = mine[i]
  return wrk.format("POST", "/v1/login", {["Content-Type"] = "application/json", ["api-key"] = rec[1]},
    '{"email":"' .. rec[2] .. '","password":"' .. rec[3] .. '"}')
end

function response(status, headers, body)
  if status ~= 201 then errors = (errors or 0) + 1 end
end
