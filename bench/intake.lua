-- wrk script: POST /v1/cases with a valid intake (docs/api.md) for five needs, unique per request.
-- Env: TOKEN (bearer token of the référent), RUN_ID (makes the data unique across runs),
--      IDS_DIR (optional: each thread appends the case ids it created to IDS_DIR/<IDS_PREFIX><thread>.ids).
-- Prints one "RESULT requests=... rps=... p50_ms=... p99_ms=..." line.
local threads = {}
local count = 0

function setup(thread)
  thread:set("tid", count)
  count = count + 1
  table.insert(threads, thread)
end

local body_format = '{"person":{"given_names":["Bench"],"birth_name":"Perf%s","sex":"F",'
  .. '"birth_date":"1990-04-12","nir":"2900495%08d","phone":"+3361%07d",'
  .. '"email":"bench%s@example.org","address":{"line":"%d rue des Tests","postcode":"95000","city":"Cergy"},'
  .. '"caf_number":"%07d","children":[{"given_name":"Enfant","birth_date":"2022-05-01"}],"languages":["fr"]},'
  .. '"situation":{"department":"95","proof":{"kind":"complaint","date":"2026-11-20"},'
  .. '"abuser_in_caf_household":true,"address_confidential":false,"safe_channel":"phone"},'
  .. '"needs":[{"kind":"allowance"},{"kind":"employment"},{"kind":"housing","urgency":"tonight"},'
  .. '{"kind":"childcare","children":[0]},{"kind":"psych_support"}],'
  .. '"consent":{"allowance":true,"employment":true,"housing":true,"childcare":true,"psych_support":true}}'

function init(args)
  counter = 0
  unique = (os.getenv("RUN_ID") or tostring(os.time())) .. "t" .. tid .. "n"
  headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. os.getenv("TOKEN") }
  local dir = os.getenv("IDS_DIR")
  if dir then ids = assert(io.open(dir .. "/" .. (os.getenv("IDS_PREFIX") or "") .. tid .. ".ids", "a")) end
end

function request()
  counter = counter + 1
  local n = counter % 10000000
  return wrk.format("POST", "/v1/cases", headers,
    string.format(body_format, unique .. counter, n, n, unique .. counter, n % 200, n))
end

if os.getenv("IDS_DIR") then
  function response(status, headers, body)
    local location = headers["Location"]
    if status == 201 and location then ids:write(location:match("[^/]+$"), "\n") end
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
