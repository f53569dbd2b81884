#!/usr/bin/env bash
# Load with attacks mixed in (issue #8 item 7): wrk against `wrangler dev` on loopback, cache
# hits, misses and hostile requests (crafted files, oversized outputs, forbidden sources, bad
# options) interleaved (shares in scripts/load/attack.lua). Fails on any unexpected status or
# timeout, or when the Worker's wasm linear memory (the DEBUG_MEMORY_HEADER header) passes the
# budget: MAX_MEMORY_BYTES plus the module's own static memory. Not part of the test command.
#   scripts/load-attack.sh [DURATION_S=60] [CONNECTIONS=32]
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${1:-60}
CONN=${2:-32}
command -v wrk >/dev/null || { echo "load-attack: needs wrk (apt-get install wrk)" >&2; exit 1; }
scripts/build-worker.sh >&2
LOG=$(mktemp)
node scripts/load/serve.mjs >"$LOG" 2>&1 &
SERVER=$!
trap 'kill -TERM $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 240); do grep -q '"worker"' "$LOG" && break; sleep 0.5; done
WORKER=$(node -e 'const l=require("fs").readFileSync(process.argv[1],"utf8").split("\n").find(s=>s.startsWith("{"));console.log(JSON.parse(l).worker)' "$LOG")
ORIGIN=$(node -e 'const l=require("fs").readFileSync(process.argv[1],"utf8").split("\n").find(s=>s.startsWith("{"));console.log(JSON.parse(l).origin)' "$LOG")
# warm the hit URL so that the hit class is a hit from the start
curl -s -o /dev/null -H 'Accept: image/webp' "$WORKER/cdn-cgi/image/width=800,format=jpeg,quality=80/$ORIGIN/c/photos/RainDrops.jpg"
sleep 1
echo "== wrk -t2 -c$CONN -d${DUR}s --timeout 20s, $(git rev-parse --short HEAD), $(date -u +%FT%TZ), load: $(cut -d' ' -f1-3 /proc/loadavg)"
OUT=$(ORIGIN="$ORIGIN" wrk -t2 -c"$CONN" -d"${DUR}s" --timeout 20s -s scripts/load/attack.lua "$WORKER")
echo "$OUT"
# after the run: a normal request is still answered
STATUS=$(curl -s -o /dev/null -w '%{http_code}' "$WORKER/cdn-cgi/image/width=321/$ORIGIN/c/photos/hato.jpg")
echo "normal request after the run: $STATUS"
BUDGET=$((96 * 1024 * 1024 + 4 * 1024 * 1024)) # MAX_MEMORY_BYTES + the module's static data and stack
read -r UNEXPECTED TIMEOUTS PEAK < <(echo "$OUT" | sed -n 's/^RESULT unexpected=\([0-9]*\) timeouts=\([0-9]*\) peak_memory=\([0-9]*\)$/\1 \2 \3/p')
fail=0
[ "$UNEXPECTED" = 0 ] || { echo "load-attack: $UNEXPECTED unexpected statuses"; fail=1; }
[ "$TIMEOUTS" = 0 ] || { echo "load-attack: $TIMEOUTS timeouts"; fail=1; }
[ "$STATUS" = 200 ] || { echo "load-attack: the normal request after the run answered $STATUS"; fail=1; }
[ "$PEAK" -le "$BUDGET" ] || { echo "load-attack: wasm memory peaked at $PEAK bytes, budget $BUDGET"; fail=1; }
[ "$fail" = 0 ] && echo "load-attack: ok (peak wasm memory $PEAK <= $BUDGET bytes)"
exit $fail
