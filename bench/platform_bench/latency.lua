-- wrk script: the 95th percentile of the run's latency, which `--latency` does not print (its
-- distribution is 50, 75, 90 and 99 %). Only `done`: without a `request` function wrk keeps
-- sending its static request, and without `response` it does not hand answers to Lua, so the
-- run costs what it costs without a script.
--
-- At the end, one line for the harness: `latency p95: 1234.00us` (wrk counts microseconds).

function done(summary, latency, requests)
   io.write(string.format("latency p95: %.2fus\n", latency:percentile(95.0)))
end
