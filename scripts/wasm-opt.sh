#!/usr/bin/env bash
# wasm-opt -Oz (binaryen 132 from node_modules) with the wasm features rustc enables by default
# for wasm32 plus simd128 (.cargo/config.toml): the optimisation every shipped module gets, in one
# place for the npm package and the benchmark's wasm peer.
#   scripts/wasm-opt.sh IN.wasm OUT.wasm [more wasm-opt flags]
set -euo pipefail
WASM_OPT="$(cd "$(dirname "$0")/.." && pwd)/node_modules/.bin/wasm-opt"
[ -x "$WASM_OPT" ] || { echo "missing $WASM_OPT: run npm ci (binaryen 132)" >&2; exit 1; }
"$WASM_OPT" --version | grep -q 'version 132' || { echo "wasm-opt is not binaryen 132" >&2; exit 1; }
"$WASM_OPT" -Oz --enable-simd --enable-bulk-memory --enable-sign-ext \
  --enable-nontrapping-float-to-int --enable-mutable-globals --enable-reference-types \
  --enable-multivalue "${@:3}" "$1" -o "$2"
