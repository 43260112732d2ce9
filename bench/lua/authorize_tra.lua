-- authorize_tra.lua: POST /v1/authorize for payments with the transaction risk analysis
-- exemption on (bench/run's authorize_tra), rotating over the prepared payers, each paying its
-- usual payee from its usual device and country; a payer paying too often in an hour gets
-- "velocity" and a challenge, which is a full decision too: both answers count as intended.
package.path = os.getenv("BENCH_DIR") .. "/lua/?.lua;" .. package.path
local common = require("common")
local data, mine, i
setup = common.setup
done = common.done
delay = common.delay

function init(args)
  data = common.read_lines(os.getenv("BENCH_DATA") .. "/tra.txt") -- api_key user_id device_id iban
  mine = common.share(data, thread_id, tonumber(os.getenv("BENCH_THREADS")))
  i = 0
end

function request()
  i = i % #mine + 1
  local rec = mine[i]
  local headers = {["Content-Type"] = "application/json", ["api-key"] = rec[1]}
  return wrk.format("POST", "/v1/authorize", headers,
    '{"user_id":"' .. rec[2] .. '","operation":"payment","transaction":{"amount":6000,"currency":"EUR",' ..
    '"payee":{"name":"Usual Payee","account":"' .. rec[4] .. '"},"risk":{"payer_country":"DE","device_id":"' ..
    rec[3] .. '"}}}')
end

function response(status, headers, body)
  if status ~= 200 or not body:find('"tra":{') then
    errors = (errors or 0) + 1
  end
end
