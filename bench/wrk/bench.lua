-- One wrk script for every HTTP scenario of bench/run.sh, driven by environment variables:
--   BENCH_METHOD   GET or POST (default GET)
--   BENCH_BODY     request body (form-urlencoded); "%TOKEN%" is replaced by a token from BENCH_TOKENS
--   BENCH_AUTH     value of the Authorization header (e.g. "Basic ..." or "Bearer ...")
--   BENCH_TOKENS   file with one token per line: each request takes the next one; the thread stops
--                  when the file is used up, and the summary then counts only the pool's requests
--                  over the time from the first request to the last token (fresh tokens only)
--   BENCH_COLLECT  file to append each response's access_token to (used to pre-issue tokens)
-- done() prints one line: WRKJSON {"requests":..,"seconds":..,"rps":..,"p50_ms":..,"p99_ms":..,"non2xx":..,"errors":..}
local method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY")
local auth = os.getenv("BENCH_AUTH")
local tokens_file = os.getenv("BENCH_TOKENS")
local collect_file = os.getenv("BENCH_COLLECT")
local tokens, next_token, collect = nil, 1, nil
local threads = {}
-- Globals (read back with thread:get in done()): when the pool's first and last tokens were sent.
pool_start, pool_end, pool_size = nil, nil, nil

local function now_s()
  local f = io.popen("date +%s.%N")
  local t = tonumber(f:read("*l"))
  f:close()
  return t
end

function setup(thread)
  threads[#threads + 1] = thread
end

function init(args)
  wrk.method = method
  if body then wrk.body = body end
  if method == "POST" then wrk.headers["Content-Type"] = "application/x-www-form-urlencoded" end
  if auth and auth ~= "" then wrk.headers["Authorization"] = auth end
  if tokens_file and tokens_file ~= "" then
    tokens = {}
    for line in io.lines(tokens_file) do
      if line ~= "" then tokens[#tokens + 1] = line end
    end
  end
  if collect_file and collect_file ~= "" then collect = io.open(collect_file, "a") end
end

if tokens_file and tokens_file ~= "" then
  request = function()
    if pool_start == nil then pool_start = now_s(); pool_size = #tokens end
    if next_token > #tokens and pool_end == nil then
      pool_end = now_s()
      wrk.thread:stop()
    end
    local t = tokens[((next_token - 1) % #tokens) + 1]
    next_token = next_token + 1
    return wrk.format(nil, nil, nil, (body:gsub("%%TOKEN%%", (t:gsub("%%", "%%%%")))))
  end
end

if collect_file and collect_file ~= "" then
  response = function(status, headers, resp)
    local t = resp:match('"access_token":"([^"]+)"')
    if t then collect:write(t, "\n") end
  end
end

function done(summary, latency, requests)
  local secs = summary.duration / 1e6
  local reqs = summary.requests
  local t = threads[1]
  if t and t:get("pool_end") then
    secs = t:get("pool_end") - t:get("pool_start")
    reqs = t:get("pool_size")
  end
  local non2xx = summary.errors.status
  local errs = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format('WRKJSON {"requests":%d,"seconds":%.3f,"rps":%.1f,"p50_ms":%.3f,"p99_ms":%.3f,"non2xx":%d,"errors":%d}\n',
    reqs, secs, reqs / secs, latency:percentile(50) / 1000, latency:percentile(99) / 1000, non2xx, errs))
end
