-- wrk script: POST the JSON body in $BODY_FILE to the path on wrk's command line; prints one
-- machine-readable RESULT line at the end (errors.status counts answers with status > 399).
local f = assert(io.open(os.getenv("BODY_FILE"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT rps=%.1f requests=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d mean_us=%.1f "
      .. "err_connect=%d err_read=%d err_write=%d err_status=%d err_timeout=%d bytes=%d\n",
    summary.requests / (summary.duration / 1e6), summary.requests,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
    e.connect, e.read, e.write, e.status, e.timeout, summary.bytes))
end
