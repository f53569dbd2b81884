#!/usr/bin/env bash
# The hostile sweep on the shipped wasm32 build (issue #8): every image of the corpus MANIFEST,
# the crafted files, the oversized-output URLs and the fuzzers' kept inputs, each in a fresh
# instance of the npm package's -Oz wasm in its own worker thread. Fails on any trap or hang,
# and when the plan's memory estimate is below the measured growth of linear memory.
#   scripts/test-wasm-sweep.sh [--quick] [--json FILE]
set -euo pipefail
cd "$(dirname "$0")/.."
stale=0
if [ ! -f pkg/wasm/edgepix_wasm_bg.wasm ]; then
  stale=1
elif [ -n "$(find src Cargo.toml Cargo.lock scripts/build-npm.sh -newer pkg/package.json -type f -print -quit)" ]; then
  stale=1
fi
[ "$stale" = 1 ] && scripts/build-npm.sh
# The output bytes behind ENGINE_VERSION: a change of bytes without a table update fails here.
node tests/golden/check.mjs
exec node tests/sweep/sweep.mjs "$@"
