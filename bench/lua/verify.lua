-- verify.lua: challenge create + verify round trips. Each session token has at most one
-- challenge in flight (a newer one would supersede it): a free token starts a challenge, its
-- answer names the factor, which names the token, whose verify is sent next. The round-trip
-- rate is half the request rate.
package.path = os.getenv("BENCH_DIR") .. "/lua/?.lua;" .. package.path
local common = require("common")
local tokens, free, by_factor, pending
setup = common.setup
done = common.done
delay = common.delay

function init(args)
  -- api_key token factor_id; BENCH_SESSIONS names another file (two wrk processes, two shares)
  local data = common.read_lines(os.getenv("BENCH_DATA") .. "/" .. (os.getenv("BENCH_SESSIONS") or "sessions.txt"))
  tokens = common.share(data, thread_id, tonumber(os.getenv("BENCH_THREADS")))
  free, by_factor, pending = {}, {}, {}
  for idx, rec in ipairs(tokens) do
    free[#free + 1] = idx
    by_factor[rec[3]] = idx
  end
  verified = 0
end

local function headers(rec)
  return {["Content-Type"] = "application/json", ["api-key"] = rec[1], ["Authorization"] = "Bearer " .. rec[2]}
end

function request()
  if #pending > 0 then
    local p = table.remove(pending, 1)
    return wrk.format("POST", "/v1/challenges/" .. p.cid .. "/verify", headers(tokens[p.idx]), '{"code":"123456"}')
  end
  local idx = table.remove(free) or math.random(#tokens)
  local rec = tokens[idx]
  return wrk.format("POST", "/v1/challenges", headers(rec), '{"purpose":"stepup","factor_id":"' .. rec[3] .. '"}')
end

function response(status, headers, body)
  local factor = body:match('"factor_id":"([%w_]+)"')
  local idx = factor and by_factor[factor]
  if status == 201 and idx then
    pending[#pending + 1] = {cid = body:match('"challenge_id":"([%w_]+)"'), idx = idx}
  elseif status == 200 and idx then
    verified = verified + 1
    free[#free + 1] = idx
  else
    errors = (errors or 0) + 1
  end
end
