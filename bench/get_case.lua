-- wrk script: GET /v1/cases/<id>, cycling over the ids intake.lua wrote to IDS_DIR/*.ids.
-- Env: TOKEN, IDS_FILE (one case id a line). Prints one "RESULT ..." line.
function init(args)
  headers = { ["Authorization"] = "Bearer " .. os.getenv("TOKEN") }
  ids = {}
  for line in assert(io.open(os.getenv("IDS_FILE"))):lines() do ids[#ids + 1] = line end
  assert(#ids > 0, "no case ids to read")
  i = 0
end

function request()
  i = i % #ids + 1
  return wrk.format("GET", "/v1/cases/" .. ids[i], headers)
end

-- The first answer that is not 200, to stderr: what went wrong, for the bench's log.
function response(status, headers, body)
  if status ~= 200 and not told then
    told = true
    io.stderr:write("GET answered ", status, ": ", body:sub(1, 200), "\n")
  end
end

function done(summary, latency, requests)
  local s = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_s=%.2f rps=%.1f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f non2xx=%d sock_err=%d\n",
    summary.requests, s, summary.requests / s, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, e.status, e.connect + e.read + e.write + e.timeout))
end
