#!/usr/bin/env bash
# Builds the Worker bundle (build/index.js, build/index_bg.wasm, build/worker/shim.mjs) with
# worker-build, offline: wasm-bindgen, wasm-opt and esbuild come from the machine, not GitHub.
# Skips the build when build/ is newer than every input (pass --force to rebuild anyway).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
# Optional codecs (cargo features `libwebp`, `png-zlib-rs`, `avif`), comma-separated, e.g.
# EDGEPIX_FEATURES=libwebp,png-zlib-rs,avif. `libwebp` needs Debian's clang-16 (installed here).
FEATURES="worker${EDGEPIX_FEATURES:+,$EDGEPIX_FEATURES}"
mkdir -p build
if [ "$(cat build/.features 2>/dev/null)" != "$FEATURES" ]; then
  rm -f build/index_bg.wasm # a build with other features is not up to date
fi

if [ "${1:-}" != "--force" ] && [ -f build/worker/shim.mjs ] && [ -f build/index_bg.wasm ]; then
  newer=$(find src Cargo.toml Cargo.lock .cargo third_party csys -newer build/index_bg.wasm -type f -print -quit 2>/dev/null || true)
  if [ -z "$newer" ]; then
    echo "build-worker: build/ is up to date"
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
case ",$FEATURES," in *,libwebp,*) bash scripts/setup-c-toolchain.sh ;; esac
echo "build-worker: worker-build --release --features $FEATURES"
"$WORKER_BUILD" --release --features "$FEATURES"
echo "$FEATURES" > build/.features
ls -l build/index_bg.wasm build/worker/shim.mjs
