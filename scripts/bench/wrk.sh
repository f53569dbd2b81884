#!/usr/bin/env bash
# Load test of the Worker under local `wrangler dev` (workerd) on loopback, next to two trivial
# JS Workers in the same run: one returns a fixed body of the same size, one answers from the
# Cache API (the floor of a cache hit):
#   - cache hit: wrk, 32 connections, 30 s, one URL (RainDrops.jpg -> 800 px JPEG q80)
#   - cache miss: sequential requests with distinct options (each one decodes and encodes)
# Needs scripts/build-worker.sh (and what scripts/setup.sh installs) and wrk.
#   scripts/bench/wrk.sh [DURATION_S] [CONNECTIONS] [MISSES]
# Writes its results into docs/BENCHMARKS.md (between the wrk:results markers; WRK_DOC=F or WRK_DOC=).
# WRK_PROFILE=1 adds the hit path step by step: the test build (scripts/build-worker.sh --trap)
# answering right after each step (TEST_EXIT_AT, src/edge/stages.rs), one server at a time.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
DUR=${1:-30}
CONN=${2:-32}
MISSES=${3:-30}
CORPUS="${EDGEPIX_CORPUS:-$ROOT/../shared/corpus}"
W="$ROOT/target/bench-wrk"
P1=${EDGEPIX_WRK_PORT:-8797}
P2=$((P1 + 1))
P3=$((P1 + 2))

scripts/build-worker.sh >&2
rm -rf "$W" && mkdir -p "$W/assets" "$W/trivial-assets"
cp "$CORPUS/photos/RainDrops.jpg" "$W/assets/raindrops.jpg"

# The repo's wrangler.toml without [build] (already built), with absolute paths.
python3 - "$ROOT" "$W" <<'PY'
import re, sys
root, w = sys.argv[1], sys.argv[2]
out, skip = [], False
for line in open(f"{root}/wrangler.toml"):
    if line.startswith("["):
        skip = line.strip() == "[build]"
    if skip:
        continue
    line = re.sub(r'^main = .*$', f'main = "{root}/src/edge/entry.mjs"', line)
    line = re.sub(r'^directory = .*$', f'directory = "{w}/assets"', line)
    out.append(line)
# Events go to Analytics Engine, as in a deployment (docs/EXPERIMENTS.md): without the binding
# each answer prints a log line, which wrangler (a node process on the same two cores) relays.
out.append('\n[[analytics_engine_datasets]]\nbinding = "EDGEPIX_EVENTS"\ndataset = "edgepix_events"\n')
open(f"{w}/wrangler.toml", "w").write("".join(out))
PY

export WRANGLER_SEND_METRICS=false WRANGLER_SEND_ERROR_REPORTS=false WRANGLER_HIDE_BANNER=true \
  CLOUDFLARE_CF_FETCH_ENABLED=false
WRANGLER="$ROOT/node_modules/.bin/wrangler"
pids=()
cleanup() { for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
serve() { # config port log
  timeout 900 "$WRANGLER" dev -c "$1" --ip 127.0.0.1 --port "$2" --persist-to "$W/state-$2" \
    --show-interactive-dev-session=false </dev/null >"$3" 2>&1 &
  pids+=($!)
}
wait_up() {
  for _ in $(seq 1 120); do
    curl -s -o /dev/null "http://127.0.0.1:$1/" && return 0
    sleep 0.5
  done
  echo "wrk.sh: server on $1 did not start" >&2
  exit 1
}

HIT_URL="http://127.0.0.1:$P1/cdn-cgi/image/width=800,format=jpeg,quality=80/raindrops.jpg"
serve "$W/wrangler.toml" "$P1" "$W/edgepix.log"
wait_up "$P1"
curl -s -o "$W/hit.jpg" -D "$W/miss.h" "$HIT_URL"
curl -s -o /dev/null -D "$W/hit.h" "$HIT_URL"
SIZE=$(stat -c %s "$W/hit.jpg")
echo "first: $(grep -i '^x-edgepix-cache:' "$W/miss.h" | tr -d '\r')  second: $(grep -i '^x-edgepix-cache:' "$W/hit.h" | tr -d '\r')  body $SIZE B" >&2

cat >"$W/trivial.mjs" <<JS
const body = new Uint8Array($SIZE).fill(120);
export default {
  fetch() {
    return new Response(body, { headers: { "content-type": "image/jpeg", "cache-control": "public, max-age=3600" } });
  },
};
JS
printf 'name = "trivial"\nmain = "trivial.mjs"\ncompatibility_date = "2025-06-01"\n' >"$W/trivial.toml"
serve "$W/trivial.toml" "$P2" "$W/trivial.log"
wait_up "$P2"

# The floor of a Cache API hit: a JS Worker that answers from caches.default and nothing else
# (the body is put there by its first request).
cat >"$W/cachefloor.mjs" <<JS
const body = new Uint8Array($SIZE).fill(120);
export default {
  async fetch(request, env, ctx) {
    const key = "https://cache.invalid/raindrops-800";
    const hit = await caches.default.match(key);
    if (hit) return hit;
    const resp = new Response(body, { headers: { "content-type": "image/jpeg", "cache-control": "public, max-age=3600" } });
    ctx.waitUntil(caches.default.put(key, resp.clone()));
    return resp;
  },
};
JS
printf 'name = "cachefloor"\nmain = "cachefloor.mjs"\ncompatibility_date = "2025-06-01"\n' >"$W/cachefloor.toml"
serve "$W/cachefloor.toml" "$P3" "$W/cachefloor.log"
wait_up "$P3"
curl -s -o /dev/null "http://127.0.0.1:$P3/" && sleep 1

row() { # name wrk-output cpu-ms-per-request
  local rps p50 p99
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$2")
  p50=$(awk '$1=="50%" {print $2}' <<<"$2")
  p99=$(awk '$1=="99%" {print $2}' <<<"$2")
  echo "| $1 | $rps | $p50 | $p99 | $3 |"
}
# CPU time (user + system, in clock ticks) of a process and all its descendants: the server's
# wrangler and workerd processes. Per request, it does not depend on what else the machine
# runs, unlike requests/s.
tree_ticks() {
  local all
  all=$(ps -e -o pid=,ppid=)
  local todo=("$1") t=0 p
  while [ ${#todo[@]} -gt 0 ]; do
    p=${todo[0]}
    todo=("${todo[@]:1}")
    t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)))
    todo+=($(awk -v pp="$p" '$2 == pp {print $1}' <<<"$all"))
  done
  echo "$t"
}
# wrk against URL while counting the CPU of server PID: prints wrk's output, then
# "cpu_ms_per_request N" as its last line.
measured_wrk() { # pid url
  local t0 t1 out n
  t0=$(tree_ticks "$1")
  out=$(wrk -t2 -c"$CONN" -d"${DUR}s" --latency "$2")
  t1=$(tree_ticks "$1")
  n=$(awk '/requests in/ {print $1}' <<<"$out")
  echo "$out"
  echo "cpu_ms_per_request $(awk -v a="$t0" -v b="$t1" -v n="$n" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.2f", (b - a) * 1000 / hz / n}')"
}
cpu_of() { awk '$1 == "cpu_ms_per_request" {print $2}' <<<"$1"; }
LOAD_BEFORE=$(cut -d' ' -f1 /proc/loadavg)
STARTED=$(date -u '+%Y-%m-%d %H:%M')
echo "== load: $(uptime)" >&2
out1=$(measured_wrk "${pids[0]}" "$HIT_URL")
out2=$(measured_wrk "${pids[1]}" "http://127.0.0.1:$P2/")
out3=$(measured_wrk "${pids[2]}" "http://127.0.0.1:$P3/")
echo "$out1" >"$W/wrk-edgepix.txt"
echo "$out2" >"$W/wrk-trivial.txt"
echo "$out3" >"$W/wrk-cachefloor.txt"

# The hit path step by step (WRK_PROFILE=1): CPU per request up to and including each step.
profile_rows=""
if [ "${WRK_PROFILE:-0}" = 1 ]; then
  scripts/build-worker.sh --trap >&2
  sed "s#^main = .*#main = \"$ROOT/tests/worker/trap-entry.mjs\"#" "$W/wrangler.toml" >"$W/profile.toml"
  P4=$((P1 + 3))
  for step in entry route key lookup respond; do
    var=()
    [ "$step" = respond ] || var=(--var "TEST_EXIT_AT:$step")
    timeout 900 "$WRANGLER" dev -c "$W/profile.toml" --ip 127.0.0.1 --port "$P4" \
      --persist-to "$W/state-profile" --show-interactive-dev-session=false "${var[@]}" \
      </dev/null >"$W/profile-$step.log" 2>&1 &
    ppid=$!
    wait_up "$P4"
    purl="http://127.0.0.1:$P4/cdn-cgi/image/width=800,format=jpeg,quality=80/raindrops.jpg"
    curl -s -o /dev/null "$purl"
    sleep 1
    curl -s -o /dev/null "$purl"
    o=$(measured_wrk "$ppid" "$purl")
    profile_rows+=$(row "test build, answering after \`$step\`" "$o" "$(cpu_of "$o")")$'\n'
    kill -TERM "$ppid" 2>/dev/null || true
    wait "$ppid" 2>/dev/null || true
  done
fi

# Misses: a new quality each time is a new cache key, so each request decodes + encodes.
: >"$W/miss.txt"
for i in $(seq 1 "$MISSES"); do
  q=$((40 + i))
  curl -s -o /dev/null -w '%{time_total} %header{x-edgepix-cache}\n' \
    "http://127.0.0.1:$P1/cdn-cgi/image/width=800,format=jpeg,quality=$q/raindrops.jpg" >>"$W/miss.txt"
done
miss=$(awk '{print $1 * 1000}' "$W/miss.txt" | sort -n | awk '{a[NR]=$1} END {
  p50=a[int((NR+1)/2)]; i99=int(NR*0.99+0.999); if (i99>NR) i99=NR;
  printf "%.1f ms | %.1f ms (n=%d)", p50, a[i99], NR}')

report() {
  echo "Command: \`${WRK_PROFILE:+WRK_PROFILE=1 }scripts/bench/wrk.sh $DUR $CONN $MISSES\`, commit $(git rev-parse --short HEAD), started $STARTED UTC;"
  echo "load average (1 min) $LOAD_BEFORE before, $(cut -d' ' -f1 /proc/loadavg) after; wrangler $("$WRANGLER" --version 2>/dev/null | tail -1 | sed 's/^ *//')."
  echo
  echo "Loopback, wrk -t2 -c$CONN -d${DUR}s, body $SIZE B (RainDrops.jpg -> width=800 JPEG q80):"
  echo
  echo "| server | requests/s | p50 | p99 | CPU ms per request (wrangler + workerd) |"
  echo "|---|---:|---:|---:|---:|"
  row "edgepix Worker, cache hit" "$out1" "$(cpu_of "$out1")"
  row "trivial Worker, fixed body" "$out2" "$(cpu_of "$out2")"
  row "trivial Worker, Cache API hit" "$out3" "$(cpu_of "$out3")"
  printf '%s' "$profile_rows"
  echo
  echo "Cache-miss latency (sequential, distinct options, 1920x1200 JPEG -> 800 px): p50 | p99: $miss"
  echo "miss headers: $(awk '{print $2}' "$W/miss.txt" | sort | uniq -c | tr '\n' ' ')"
}
report | tee "$W/report.md"

# docs/BENCHMARKS.md: replace the block between the wrk:results markers (WRK_DOC=F elsewhere,
# WRK_DOC= to skip).
DOC=${WRK_DOC-$ROOT/docs/BENCHMARKS.md}
if [ -n "$DOC" ]; then
  python3 - "$DOC" "$W/report.md" <<'PY'
import sys
doc, rep = sys.argv[1], open(sys.argv[2]).read().rstrip("\n")
s = open(doc).read()
a, b = "<!-- wrk:results:start -->", "<!-- wrk:results:end -->"
i, j = s.find(a), s.find(b)
if i < 0 or j < i:
    sys.exit(f"wrk.sh: {doc} has no {a} ... {b} block")
gen = "<!-- generated by scripts/bench/wrk.sh: edits here are overwritten by the next run -->"
open(doc, "w").write(s[:i] + a + "\n" + gen + "\n\n" + rep + "\n" + s[j:])
PY
  echo "wrote the wrk block of $DOC" >&2
fi
