#!/usr/bin/env bash
# Builds the Worker bundle (build/index.js, build/index_bg.wasm, build/worker/shim.mjs) with
# worker-build, offline: wasm-bindgen, wasm-opt and esbuild come from the machine, not GitHub.
# Skips the build when build/ is newer than every input (pass --force to rebuild anyway).
#   scripts/build-worker.sh [--force] [--trap]
# --trap builds the test-only bundle into build-trap/ (feature test-trap, the same release
# flags): never deployed, used by tests/worker/trap.test.mjs.
# Optional codecs beyond the defaults (cargo features, comma-separated), e.g. EDGEPIX_FEATURES=avif.
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
mkdir -p "$out"
if [ "$(cat "$out/.features" 2>/dev/null)" != "$FEATURES" ]; then
  rm -f "$out/index_bg.wasm" # a build with other features is not up to date
fi

if [ "$force" = 0 ] && [ -f "$out/worker/shim.mjs" ] && [ -f "$out/index_bg.wasm" ]; then
  newer=$(find src Cargo.toml Cargo.lock .cargo build.rs tests/golden/engine.tsv third_party csys -newer "$out/index_bg.wasm" -type f -print -quit 2>/dev/null || true)
  if [ -z "$newer" ]; then
    echo "build-worker: $out/ is up to date"
    exit 0
  fi
fi

export WASM_BINDGEN_BIN="${WASM_BINDGEN_BIN:-$(command -v wasm-bindgen || echo "$HOME/.cargo/bin/wasm-bindgen")}"
export WASM_OPT_BIN="${WASM_OPT_BIN:-$ROOT/node_modules/.bin/wasm-opt}"
export ESBUILD_BIN="${ESBUILD_BIN:-$ROOT/node_modules/@esbuild/linux-x64/bin/esbuild}"
WORKER_BUILD="$(command -v worker-build || echo "$HOME/.cargo/bin/worker-build")"
for b in "$WASM_BINDGEN_BIN" "$WASM_OPT_BIN" "$ESBUILD_BIN" "$WORKER_BUILD"; do
  [ -x "$b" ] || { echo "build-worker: missing $b (run scripts/setup.sh)" >&2; exit 1; }
done
# The default features include libwebp, compiled for wasm32 by Debian's clang-16.
bash scripts/setup-c-toolchain.sh
echo "build-worker: worker-build --release --out-dir $out --features $FEATURES"
# The test build gets its own cargo target dir so it never swaps the shipped build's wasm.
if [ "$out" != build ]; then export CARGO_TARGET_DIR="$ROOT/target/trap"; fi
# scripts/build-npm.sh builds into the same target dir (sharing the compiled dependencies) and
# writes the same edgepix.wasm; the lock keeps the two from swapping it under each other.
LOCK="${CARGO_TARGET_DIR:-$ROOT/target}/.wasm32-release.lock"
mkdir -p "$(dirname "$LOCK")"
flock "$LOCK" "$WORKER_BUILD" --release --out-dir "$out" --features "$FEATURES"
echo "$FEATURES" > "$out/.features"
ls -l "$out/index_bg.wasm" "$out/worker/shim.mjs"
