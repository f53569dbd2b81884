#!/usr/bin/env bash
# Load with attacks mixed in (issue #8 item 7): wrk against `wrangler dev` on loopback, cache
# hits, misses and hostile requests (crafted files, oversized outputs, forbidden sources, bad
# options) interleaved (shares in scripts/load/attack.lua). Fails on any unexpected status or
# timeout, or when the Worker's wasm linear memory (the DEBUG_MEMORY_HEADER header) passes the
# budget: MAX_MEMORY_BYTES plus the module's own static memory. Not part of the test command.
# Issue #18's cases are in the mix too (a 31 MB XMP WebP, 12,000-byte 404 paths, one failing
# request repeated, quality=auto on a 6 px output); the run also reports linear memory over time
# (one sample a second) and the origin's fetches per source.
#   scripts/load-attack.sh [DURATION_S=60] [CONNECTIONS=32]
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${1:-60}
CONN=${2:-32}
command -v wrk >/dev/null || { echo "load-attack: needs wrk (apt-get install wrk)" >&2; exit 1; }
scripts/build-worker.sh >&2
node scripts/load/generate.mjs >&2
LOG=$(mktemp)
COUNTS=$(mktemp)
SAMPLES=$(mktemp)
ORIGIN_COUNTS="$COUNTS" node scripts/load/serve.mjs >"$LOG" 2>&1 &
SERVER=$!
SAMPLER=
trap 'kill $SAMPLER 2>/dev/null || true; kill -TERM $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 240); do grep -q '"worker"' "$LOG" && break; sleep 0.5; done
WORKER=$(node -e 'const l=require("fs").readFileSync(process.argv[1],"utf8").split("\n").find(s=>s.startsWith("{"));console.log(JSON.parse(l).worker)' "$LOG")
ORIGIN=$(node -e 'const l=require("fs").readFileSync(process.argv[1],"utf8").split("\n").find(s=>s.startsWith("{"));console.log(JSON.parse(l).origin)' "$LOG")
# warm the hit URL so that the hit class is a hit from the start
curl -s -o /dev/null -H 'Accept: image/webp' "$WORKER/cdn-cgi/image/width=800,format=jpeg,quality=80/$ORIGIN/c/photos/RainDrops.jpg"
sleep 1
# linear memory over time: a hit each second, its debug header and the seconds since the start
(
  t0=$(date +%s)
  while sleep 1; do
    m=$(curl -s -o /dev/null -D - -H 'Accept: image/webp' "$WORKER/cdn-cgi/image/width=800,format=jpeg,quality=80/$ORIGIN/c/photos/RainDrops.jpg" |
      tr -d '\r' | sed -n 's/^x-edgepix-wasm-memory: //Ip')
    echo "$(($(date +%s) - t0)) ${m:-?}"
  done
) >"$SAMPLES" &
SAMPLER=$!
echo "== wrk -t2 -c$CONN -d${DUR}s --timeout 20s, $(git rev-parse --short HEAD), $(date -u +%FT%TZ), load: $(cut -d' ' -f1-3 /proc/loadavg)"
OUT=$(ORIGIN="$ORIGIN" wrk -t2 -c"$CONN" -d"${DUR}s" --timeout 20s -s scripts/load/attack.lua "$WORKER")
echo "$OUT"
kill $SAMPLER 2>/dev/null || true
echo "wasm linear memory over time (s MiB), every 5th sample:"
awk 'NR % 5 == 1 && $2 != "?" { printf "  %s %.1f\n", $1, $2 / 1048576 }' "$SAMPLES"
sleep 1.5
echo "origin fetches per source (the attack sources and the busiest):"
node -e '
const c = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const attack = ["/t/generated/xmp-bomb.webp", "/c/photos/hato.jpg"];
for (const p of attack) console.log(`  ${p}: ${c[p] || 0}`);
const flood = Object.entries(c).filter(([p]) => p.endsWith("...")).reduce((n, [, v]) => n + v, 0);
console.log(`  12,000-byte 404 paths (all distinct): ${flood}`);
for (const [p, v] of Object.entries(c).filter(([p]) => !attack.includes(p) && !p.endsWith("...")).sort((a, b) => b[1] - a[1]).slice(0, 5)) console.log(`  ${p}: ${v}`);
' "$COUNTS"
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
