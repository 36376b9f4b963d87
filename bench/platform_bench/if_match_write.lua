-- wrk script: conditional writes, each with the ETag its connection last received.
--
-- Run with one thread per connection (`-t N -c N`): wrk gives every thread its own Lua state,
-- so each connection owns one library and its latest ETag, and requests and answers alternate
-- on it. No two connections race for one resource: a 412 means the chain of ETags broke (or
-- something else wrote), and is reported, never retried into a success.
--
-- Arguments after the URL (`wrk ... <url> -- <run> <isil> <isil> ...`): a token unique to the
-- run, then one library ISIL per connection. The URL's path is the libraries' base path (the
-- configuration's prefix + /v1/libraries/). Each connection first reads its library (GET) for
-- the ETag; after that every request is a PATCH that renames it, a real change every time (the
-- name carries the run, the connection and a counter), with `If-Match` of the previous answer.
-- A 412 answer carries the current ETag too, so the next PATCH goes on from it.
--
-- At the end, one line for the harness: `statuses: GET:200=1 PATCH:200=812 ...`, the answers
-- per method and status over all connections.

local threads = {}

function setup(thread)
   table.insert(threads, thread)
   thread:set("index", #threads)
end

function init(args)
   run = args[1]
   isil = args[index + 1]
   if run == nil or isil == nil then
      error("if_match_write.lua needs: -- <run> <isil per connection>")
   end
   base = wrk.path
   etag = nil
   writes = 0
   pending = nil
   statuses = {}
end

function request()
   if etag == nil then
      pending = "GET"
      return wrk.format("GET", base .. isil)
   end
   writes = writes + 1
   pending = "PATCH"
   -- wrk.format uses a given header table instead of wrk.headers (the -H ones, the token among
   -- them), not on top of it: start from a copy.
   local headers = {}
   for name, value in pairs(wrk.headers) do
      headers[name] = value
   end
   headers["If-Match"] = etag
   headers["Content-Type"] = "application/json"
   local body = string.format('{"name":"Bench %s %d-%d"}', run, index, writes)
   return wrk.format("PATCH", base .. isil, headers, body)
end

function response(status, headers, body)
   local key = string.format("%s:%d", pending or "?", status)
   statuses[key] = (statuses[key] or 0) + 1
   -- Header names arrive as the server spelled them.
   local tag = nil
   for name, value in pairs(headers) do
      if string.lower(name) == "etag" then
         tag = value
      end
   end
   -- An answer without an ETag (a 5xx, a 429) leaves none to go on from: read the library again.
   etag = tag
end

function done(summary, latency, requests)
   local total = {}
   for _, thread in ipairs(threads) do
      local counts = thread:get("statuses") or {}
      for key, count in pairs(counts) do
         total[key] = (total[key] or 0) + count
      end
   end
   local parts = {}
   for key, count in pairs(total) do
      table.insert(parts, string.format("%s=%d", key, count))
   end
   table.sort(parts)
   io.write("statuses: " .. table.concat(parts, " ") .. "\n")
end
