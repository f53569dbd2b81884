#!/usr/bin/env bash
# Builds the Worker's engine (build/index.js + build/index_bg.wasm), offline, with the tools the
# machine already has: cargo -> wasm-bindgen --target module (tools/wasm-bindgen) -> wasm-opt -Oz
# (binaryen from node_modules). wrangler bundles src/edge/entry.mjs, which imports it, at
# `wrangler dev`/`deploy`. These are the steps worker-build 0.8 runs; doing them here saves its
# `cargo install` (about 5 minutes on a fresh 2-core machine) and keeps every tool pinned by a
# lockfile in this repository.
# Skips the build when build/ is newer than every input (pass --force to rebuild anyway).
#   scripts/build-worker.sh [--force] [--trap]
# --trap builds the test-only engine into build-trap/ (feature test-trap, the same release
# flags): never deployed, used by tests/worker/trap.test.mjs.
# Optional codecs beyond the defaults (cargo features, comma-separated), e.g. EDGEPIX_FEATURES=avif.
# EDGEPIX_WASM_OPT=0 (scripts/dev.sh) skips wasm-opt: the same speed (docs/BENCHMARKS.md), a
# larger module, a minute or two sooner on a 2-core machine; never for a deploy.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

force=0
out=build
FEATURES="worker${EDGEPIX_FEATURES:+,$EDGEPIX_FEATURES}"
for a in "$@"; do
  case "$a" in
    --force) force=1 ;;
    --trap) out=build-trap; FEATURES="$FEATURES,test-trap" ;;
    *) echo "build-worker: unknown argument $a" >&2; exit 2 ;;
  esac
done
STAMP=$FEATURES # what $out/.features records: a build of other features or flags is not current
[ "${EDGEPIX_WASM_OPT:-1}" = 0 ] && STAMP="$FEATURES (no wasm-opt)"
mkdir -p "$out"
if [ "$(cat "$out/.features" 2>/dev/null)" != "$STAMP" ]; then
  rm -f "$out/index_bg.wasm" # a build with other features is not up to date
fi

if [ "$force" = 0 ] && [ -f "$out/index.js" ] && [ -f "$out/index_bg.wasm" ]; then
  newer=$(find src Cargo.toml Cargo.lock .cargo build.rs tests/golden/engine.tsv third_party csys \
    scripts/build-worker.sh -newer "$out/index_bg.wasm" -type f -print -quit 2>/dev/null || true)
  if [ -z "$newer" ]; then
    echo "build-worker: $out/ is up to date"
    exit 0
  fi
fi

# The default features include libwebp, compiled for wasm32 by Debian's clang-16.
bash scripts/setup-c-toolchain.sh
# The test build gets its own cargo target dir so it never swaps the shipped build's wasm.
if [ "$out" != build ]; then export CARGO_TARGET_DIR="$ROOT/target/trap"; fi
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
mkdir -p "$TARGET_DIR" # the lock file lives there, before cargo has made it on a fresh clone
# wasm-bindgen's macros read this without cargo tracking it; scripts/build-npm.sh sets the same
# value, so the two builds share their compiled dependencies.
export WASM_BINDGEN_USE_JS_SYS=1
STAGE="$out.stage"
rm -rf "$STAGE" && mkdir -p "$STAGE"
(
  # scripts/build-npm.sh builds into the same target dir and writes the same edgepix.wasm:
  # the lock keeps the two from swapping it before wasm-bindgen has read it.
  flock 9
  # tools/wasm-bindgen (about a minute to compile the first time) builds beside the engine:
  # the engine's fat-LTO link leaves a core idle for most of its last minute.
  bash scripts/wasm-bindgen-path.sh >"$STAGE/.wasm-bindgen" &
  bindgen_build=$!
  echo "build-worker: cargo build --release --target wasm32-unknown-unknown --features $FEATURES"
  cargo build --release --target wasm32-unknown-unknown --lib --features "$FEATURES"
  wait "$bindgen_build"
  WASM_BINDGEN=$(cat "$STAGE/.wasm-bindgen")
  # --experimental-reset-state-function: __wbg_reset_state(), with which src/edge/guard.mjs
  # continues on a fresh instance after a trap; --force-enable-abort-handler: a panic marks the
  # instance as terminated instead of leaving it half-run.
  "$WASM_BINDGEN" --target module --experimental-reset-state-function --force-enable-abort-handler \
    --no-typescript --out-name index --out-dir "$STAGE" "$TARGET_DIR/wasm32-unknown-unknown/release/edgepix.wasm"
) 9>"$TARGET_DIR/.wasm32-release.lock"

# The module target imports the wasm as a source-phase import, which wrangler's bundler does
# not parse yet; a plain import of a .wasm file gives the same WebAssembly.Module in workerd.
sed -i 's/^import source \(.*\.wasm.\);\?$/import \1;/' "$STAGE/index.js"
grep -q '^import source ' "$STAGE/index.js" && { echo "build-worker: a source-phase import is left in index.js" >&2; exit 1; }

if [ "${EDGEPIX_WASM_OPT:-1}" != 0 ]; then
  echo "build-worker: wasm-opt -Oz (binaryen 132)"
  # The Worker module also uses exception handling (wasm-bindgen's catch wrappers and abort
  # handler); --debuginfo keeps the name section, so a trap's stack names its functions.
  bash scripts/wasm-opt.sh "$STAGE/index_bg.wasm" "$STAGE/opt.wasm" --enable-exception-handling --debuginfo
  mv "$STAGE/opt.wasm" "$STAGE/index_bg.wasm"
fi

rm -rf "$out" "$STAGE/.wasm-bindgen"
mv "$STAGE" "$out"
echo "$STAMP" > "$out/.features"
ls -l "$out/index.js" "$out/index_bg.wasm"
