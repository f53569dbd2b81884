-- wrk script: cache hits, misses and hostile requests interleaved (issue #8 item 7).
-- Each request draws a class by its share. wrk cannot tie a response to its request, so each
-- response is classified by what it says: its status and the code in x-edgepix-resized
-- ("ok; ..." or "err=<code>"). Only the outcomes these classes can have are expected; anything
-- else (a 500, a 502, a timeout, an unknown code) is counted as unexpected. The
-- x-edgepix-wasm-memory debug header is tracked (first, peak, last).
local origin = os.getenv("ORIGIN")
local long_name = string.rep("a", 12000)
local classes = {
  -- share, name, path builder, allowed statuses
  { 50, "hit", function() return "/cdn-cgi/image/width=800,format=jpeg,quality=80/" .. origin .. "/c/photos/RainDrops.jpg" end, { [200] = true } },
  { 10, "miss", function() return "/cdn-cgi/image/width=" .. math.random(100, 700) .. ",format=webp/" .. origin .. "/c/photos/kodak/kodim0" .. math.random(1, 9) .. ".png" end, { [200] = true, [503] = true } },
  { 8, "crafted", function()
      local f = ({ "png-chunk-length-wraps.png", "webp-exif-length-wraps.webp", "gif-frame-outside-screen.gif" })[math.random(1, 3)]
      return "/cdn-cgi/image/width=" .. math.random(10, 90) .. "/" .. origin .. "/t/crafted/" .. f
    end, { [422] = true } },
  { 8, "oversized", function()
      local o = ({ "width=12000,height=12000,fit=pad", "width=5000,height=5000,fit=pad", "width=5000,height=5000,fit=squeeze,format=png" })[math.random(1, 3)]
      return "/cdn-cgi/image/" .. o .. ",quality=" .. math.random(1, 99) .. "/" .. origin .. "/c/conformance/png/primary/basn2c08.png"
    end, { [413] = true } },
  { 7, "forbidden", function()
      local s = ({ "http://169.254.169.254/latest/meta-data", "http://0x7f.2:9/x.png", "https://user:pw@example.com/a.jpg", "http://10.0.0.1/a.jpg" })[math.random(1, 4)]
      return "/cdn-cgi/image/width=" .. math.random(10, 90) .. "/" .. s
    end, { [400] = true, [403] = true } },
  -- issue #18's cases: a 31 MB WebP that is mostly XMP (scripts/load/generate.mjs), 12,000-byte
  -- paths that all 404, the same failing (413) request again and again, quality=auto on a 6 px
  -- output
  { 2, "xmp_bomb", function() return "/cdn-cgi/image/width=8,format=webp/" .. origin .. "/t/generated/xmp-bomb.webp" end, { [200] = true, [503] = true } },
  { 4, "path_flood", function() return "/cdn-cgi/image/width=10/" .. origin .. "/c/p" .. math.random(1, 1e9) .. "-" .. long_name .. ".png" end, { [404] = true } },
  { 3, "amplify", function() return "/cdn-cgi/image/width=12000,height=12000,fit=pad/" .. origin .. "/c/photos/hato.jpg" end, { [413] = true } },
  { 1, "tiny_auto", function() return "/cdn-cgi/image/width=6,height=6,fit=cover,quality=auto/" .. origin .. "/c/photos/RainDrops.jpg" end, { [200] = true } },
  { 7, "bad_option", function() return "/cdn-cgi/image/width=" .. math.random(-5, 0) .. ",fit=nope/" .. origin .. "/c/photos/RainDrops.jpg" end, { [400] = true } },
}
local total_share = 0
for _, c in ipairs(classes) do total_share = total_share + c[1] end

counts, unexpected = {}, {}
mem_first, mem_peak, mem_last = 0, 0, 0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

function init(args)
  counts, unexpected = {}, {}
  mem_first, mem_peak, mem_last = 0, 0, 0
  -- each thread its own sequence: the flood's paths must not repeat across threads
  math.randomseed(os.time() * 100 + (tid or 0))
end

local expected = {
  ["200 ok"] = true, ["422 corrupt_image"] = true, ["413 output_too_large"] = true,
  ["413 over_memory_budget"] = true, ["403 source_forbidden"] = true, ["400 bad_source"] = true,
  ["400 bad_option"] = true, ["503 busy"] = true, ["404 source_not_found"] = true,
}

local current = nil
function request()
  local r = math.random(1, total_share)
  for _, c in ipairs(classes) do
    r = r - c[1]
    if r <= 0 then current = c break end
  end
  return wrk.format("GET", current[3](), { ["Accept"] = "image/webp,image/*" })
end

function response(status, headers, body)
  local resized = headers["x-edgepix-resized"] or ""
  local code = resized:match("^err=(.+)$") or (resized:match("^ok") and "ok") or "?"
  local key = status .. " " .. code
  counts[key] = (counts[key] or 0) + 1
  if not expected[key] then
    unexpected[key] = (unexpected[key] or 0) + 1
  end
  local m = tonumber(headers["x-edgepix-wasm-memory"] or "")
  if m then
    if mem_first == 0 then mem_first = m end
    if m > mem_peak then mem_peak = m end
    mem_last = m
  end
end

function done(summary, latency, requests)
  local all, bad = {}, {}
  local first, peak, last = nil, 0, 0
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("counts")) do all[k] = (all[k] or 0) + v end
    for k, v in pairs(t:get("unexpected")) do bad[k] = (bad[k] or 0) + v end
    local f, p, l = t:get("mem_first"), t:get("mem_peak"), t:get("mem_last")
    if f and f > 0 and (first == nil or f < first) then first = f end
    if p and p > peak then peak = p end
    if l and l > last then last = l end
  end
  local keys = {}
  for k in pairs(all) do table.insert(keys, k) end
  table.sort(keys)
  io.write("status code: count\n")
  for _, k in ipairs(keys) do io.write(string.format("  %s: %d\n", k, all[k])) end
  local nbad = 0
  for k, v in pairs(bad) do nbad = nbad + v; io.write(string.format("UNEXPECTED %s: %d\n", k, v)) end
  io.write(string.format("requests %d, socket errors connect %d read %d write %d timeout %d, non-2xx/3xx %d\n",
    summary.requests, summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout, summary.errors.status))
  io.write(string.format("latency p50 %.1f ms, p99 %.1f ms, max %.1f ms\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
  io.write(string.format("wasm linear memory MiB: first %.1f, peak %.1f, last %.1f\n",
    (first or 0) / 1048576, peak / 1048576, last / 1048576))
  io.write(string.format("RESULT unexpected=%d timeouts=%d peak_memory=%d\n", nbad, summary.errors.timeout, peak))
end
