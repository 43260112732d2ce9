-- validate.lua: POST /v1/devices/validate with valid cookies, rotating over the prepared users.
-- Also used for authorize (BENCH_MODE=authorize) and against nginx for the ceiling.
package.path = os.getenv("BENCH_DIR") .. "/lua/?.lua;" .. package.path
local common = require("common")
local data, mine, i, api_key, mode
setup = common.setup
done = common.done
delay = common.delay

function init(args)
  data = common.read_lines(os.getenv("BENCH_DATA") .. "/devices.txt") -- api_key user_id cookie
  mine = common.share(data, thread_id, tonumber(os.getenv("BENCH_THREADS")))
  i = 0
  mode = os.getenv("BENCH_MODE") or "validate"
end

function request()
  i = i % #mine + 1
  local rec = mine[i]
  local headers = {["Content-Type"] = "application/json", ["api-key"] = rec[1]}
  if mode == "authorize" then
    return wrk.format("POST", "/v1/authorize", headers,
      '{"user_id":"' .. rec[2] .. '","operation":"change_bank_account","device_cookie":"' .. rec[3] .. '"}')
  end
  return wrk.format("POST", "/v1/devices/validate", headers, '{"user_id":"' .. rec[2] .. '","cookie":"' .. rec[3] .. '"}')
end

function response(status, headers, body)
  if status ~= 200 or (mode ~= "ceiling" and not (body:find('"trusted":true') or body:find('"decision":"allow"'))) then
    errors = (errors or 0) + 1
  end
end
