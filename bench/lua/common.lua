-- common.lua: shared by the bench scripts. Each wrk thread reads its share of the prepared
-- data (one record per line, fields separated by spaces) and the bench prints one JSON line
-- with the figures (marker "BENCH_JSON ") when done. A rate can be set with the environment
-- variable BENCH_DELAY_MS (each connection waits that long between requests, on average).
local M = {}

function M.read_lines(path)
  local lines = {}
  for line in io.lines(path) do
    local rec = {}
    for field in line:gmatch("%S+") do rec[#rec + 1] = field end
    lines[#lines + 1] = rec
  end
  return lines
end

local threads = {}
local next_id = 0

function M.setup(thread)
  thread:set("thread_id", next_id)
  thread:set("thread_count", 0)
  next_id = next_id + 1
  threads[#threads + 1] = thread
end

function M.share(lines, id, n)
  local mine = {}
  for i, rec in ipairs(lines) do
    if (i - 1) % n == id then mine[#mine + 1] = rec end
  end
  return mine
end

function M.done(summary, latency, requests)
  local errors = 0
  for _, t in ipairs(threads) do errors = errors + (t:get("errors") or 0) end
  local non2xx = summary.errors.status
  local secs = summary.duration / 1e6
  io.write(string.format('BENCH_JSON {"rps": %.1f, "p50_ms": %.3f, "p99_ms": %.3f, "requests": %d, "non_2xx": %d, "socket_errors": %d, "seconds": %.2f, "script_errors": %d}\n',
    summary.requests / secs, latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.requests,
    non2xx, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, secs, errors))
end

-- Paced runs (BENCH_DELAY_MS): by default each wait is drawn from an exponential distribution
-- with that mean, so that requests arrive as independent clients' would (a Poisson process at the
-- intended rate). With a fixed wait (BENCH_PACING=fixed) every connection, all started together,
-- stays in step with the others: the server sees bursts of one request per connection at once,
-- and the latency measured is that of draining a burst, not of serving at the rate.
local delay_ms = tonumber(os.getenv("BENCH_DELAY_MS") or "0")
local fixed = os.getenv("BENCH_PACING") == "fixed"
local seeded = false
function M.delay()
  if fixed or delay_ms == 0 then return delay_ms end
  if not seeded then
    math.randomseed(os.time() * 1000 + (thread_id or 0))
    seeded = true
  end
  return math.floor(-math.log(1 - math.random()) * delay_ms + 0.5)
end

return M
