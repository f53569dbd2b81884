#!/usr/bin/env bash
# The main command: from a fresh machine to the Worker serving on http://127.0.0.1:8787, with
# the landing page (the npm package in a Web Worker, and a URL builder against the Worker).
#   1. scripts/setup.sh           wasm32 target, npm ci, clang-16 (each step skipped when done;
#                                 the test-only tools are `setup.sh --test`)
#   2. scripts/build-worker.sh    cargo -> wasm-bindgen (tools/wasm-bindgen, built beside the
#                                 engine) -> wasm-opt, offline (skipped when up to date)
#   3. scripts/build-npm.sh       the npm package into www/pkg, which the page imports; shares
#                                 the Worker's cargo target dir, so only the edgepix crate is
#                                 compiled again (skipped when up to date); runs beside step 2
#   4. scripts/prepare-samples.sh demo photos in www/samples + manifest.json (made with the npm
#                                 package in node: no native build)
#   5. wrangler dev               assets (www/) + Worker + local KV and Cache API (state in .wrangler/)
# Each step prints its seconds. PORT=8788 scripts/dev.sh to use another port.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PORT:-8787}"

timed() {
  local start=$SECONDS
  "$@"
  printf '== dev: %s took %ss\n' "$1" $((SECONDS - start)) >&2
}
timed scripts/setup.sh
# A local server: wasm-opt -Oz (binaryen's JS build, about a minute per module on 2 cores)
# changes the size, not the speed (docs/BENCHMARKS.md), so the main command skips it. A deploy
# (`wrangler deploy` runs scripts/build-worker.sh) and the test command always optimise.
export EDGEPIX_WASM_OPT=${EDGEPIX_WASM_OPT:-0}
# The two builds share the cargo target dir and take turns (a lock) for cargo + wasm-bindgen;
# started together, one's wasm-opt runs while the other compiles.
timed scripts/build-worker.sh &
worker_build=$!
timed scripts/build-npm.sh &
npm_build=$!
built=0
wait "$worker_build" || built=1
wait "$npm_build" || built=1
[ "$built" = 0 ] || { echo "== dev: a build failed (see above)" >&2; exit 1; }
timed scripts/prepare-samples.sh

BASE="http://127.0.0.1:$PORT"
first=$(node -e 'const m=require("./www/samples/manifest.json");process.stdout.write(m[0]?m[0].file:"hato.jpg")')
cat <<MSG

== edgepix Worker on $BASE
   landing page        $BASE/
   resize to 640 wide  $BASE/cdn-cgi/image/width=640/samples/$first
   auto format (WebP)  $BASE/cdn-cgi/image/width=800,format=auto/samples/$first
   cover crop 400x400  $BASE/cdn-cgi/image/width=400,height=400,fit=cover,gravity=auto/samples/$first
   metadata as JSON    $BASE/cdn-cgi/image/width=300,format=json/samples/$first
   look at the headers: curl -sI $BASE/cdn-cgi/image/width=640/samples/$first
   (x-edgepix-cache: MISS, then HIT; Server-Timing; ETag)
   Absolute sources need ALLOWED_ORIGINS in wrangler.toml [vars] (or --var); see docs/CACHING.md.

MSG

export WRANGLER_SEND_METRICS=false WRANGLER_SEND_ERROR_REPORTS=false WRANGLER_HIDE_BANNER=true \
  CLOUDFLARE_CF_FETCH_ENABLED=false
exec node_modules/.bin/wrangler dev --ip 127.0.0.1 --port "$PORT" --show-interactive-dev-session=false "$@" </dev/null
