-- wrk script: print one machine-readable summary line (BENCH_JSON {...}) when the run ends.
-- With BENCH_BODY_FILE set it POSTs JSON: the file holds one body per line; with several lines each
-- thread cycles through them from its own offset, so consecutive requests carry different bodies.
local bodies = {}
local body_file = os.getenv("BENCH_BODY_FILE")
if body_file and body_file ~= "" then
  for line in io.lines(body_file) do
    if line ~= "" then
      bodies[#bodies + 1] = line
    end
  end
  assert(#bodies > 0, "no request body in " .. body_file)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  if #bodies == 1 then
    wrk.body = bodies[1]
  end
end

if #bodies > 1 then
  local threads = 0
  function setup(thread)
    thread:set("thread_number", threads)
    threads = threads + 1
  end

  local index = nil
  function request()
    if index == nil then
      index = ((thread_number or 0) * math.floor(#bodies / 2)) % #bodies
    end
    index = index % #bodies + 1
    return wrk.format(nil, nil, nil, bodies[index])
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "connect_errors": %d, "read_errors": %d, '
      .. '"write_errors": %d, "status_errors": %d, "timeouts": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, '
      .. '"max_us": %d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max
  ))
end
