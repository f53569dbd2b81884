#!/usr/bin/env bash
# Builds the npm package into pkg/ (and a copy in www/pkg/, which the demo page imports).
#   cargo (wasm32, feature web) -> wasm-bindgen --target web -> wasm-opt -Oz (binaryen 132 from
#   node_modules, never Debian's) -> instantiation check -> package.json + hand-written JS.
# Offline; see ../shared/TOOLCHAIN.md. Skips everything when pkg/ is newer than every input
# (--force rebuilds); wasm-opt (~40 s) is skipped when its input is unchanged.
#   scripts/build-npm.sh [--force] [--trap]
# --trap builds the test-only package into target/npm-trap/pkg/ (feature test-trap, the same
# release profile, no wasm-opt): never published, used by tests/npm/trap.test.mjs.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '== build-npm: %s\n' "$*" >&2; }

force=0
trap_build=0
for a in "$@"; do
  case "$a" in
    --force) force=1 ;;
    --trap) trap_build=1 ;;
    *) echo "build-npm: unknown argument $a" >&2; exit 2 ;;
  esac
done

# optional codecs as in build-worker.sh: EDGEPIX_FEATURES=libwebp,png-zlib-rs,avif
FEATURES="web${EDGEPIX_FEATURES:+,$EDGEPIX_FEATURES}"
if [ "$trap_build" = 1 ]; then
  FEATURES="$FEATURES,test-trap"
  WORK=target/npm-trap
  OUT=$WORK/pkg
else
  WORK=target/npm
  OUT=pkg
fi
STAMP=$OUT/.build-features
# EDGEPIX_WASM_OPT=0 (scripts/dev.sh) skips wasm-opt: same speed, a larger module, minutes
# sooner; the stamp records it, so a later optimised build is not taken as up to date.
[ "${EDGEPIX_WASM_OPT:-1}" = 0 ] && [ "$trap_build" = 0 ] && FEATURES_STAMP="$FEATURES (no wasm-opt)"
FEATURES_STAMP=${FEATURES_STAMP:-$FEATURES}

if [ "$force" = 0 ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$FEATURES_STAMP" ] &&
  { [ "$trap_build" = 1 ] || [ -f www/pkg/index.js ]; }; then
  newer=$(find src npm Cargo.toml Cargo.lock .cargo build.rs third_party csys docs/NPM.md scripts/build-npm.sh \
    -newer "$STAMP" -type f -print -quit 2>/dev/null || true)
  if [ -z "$newer" ]; then
    log "$OUT/ is up to date"
    exit 0
  fi
fi

WASM_BINDGEN=$(bash scripts/wasm-bindgen-path.sh)

# The Worker's target dir: the dependencies (codecs, libwebp's C) are compiled once for both
# builds, so the package costs a recompile of the edgepix crate, not a second full build.
# scripts/build-worker.sh sets WASM_BINDGEN_USE_JS_SYS for its cargo run, and wasm-bindgen's
# macros read it without cargo tracking it: the same value here keeps the shared artifacts identical.
export CARGO_TARGET_DIR="${EDGEPIX_NPM_TARGET_DIR:-target}"
export WASM_BINDGEN_USE_JS_SYS=1
# the default features include libwebp, compiled for wasm32 by Debian's clang-16
bash scripts/setup-c-toolchain.sh
mkdir -p "$CARGO_TARGET_DIR" "$WORK"
BINDGEN_STAMP=$WORK/bindgen/.features
rust_newer=x
if [ "$force" = 0 ] && [ "$(cat "$BINDGEN_STAMP" 2>/dev/null)" = "$FEATURES" ]; then
  rust_newer=$(find src Cargo.toml Cargo.lock .cargo build.rs third_party csys scripts/build-npm.sh \
    -newer "$BINDGEN_STAMP" -type f -print -quit 2>/dev/null || true)
fi
if [ -z "$rust_newer" ]; then
  # Only the JS, the d.ts or the docs changed: the module from the last build is still right
  # (and cargo would recompile the crate if the last build in the target dir had other features).
  log "Rust sources unchanged since $WORK/bindgen/: reusing it"
else
  rm -rf "$WORK/bindgen"
  mkdir -p "$WORK/bindgen"
  (
    # Both builds write $CARGO_TARGET_DIR/wasm32-unknown-unknown/release/edgepix.wasm: the lock
    # (also taken by build-worker.sh) keeps another build from swapping it before wasm-bindgen
    # has read it.
    flock 9
    log "cargo build (release, wasm32, --features $FEATURES, target dir $CARGO_TARGET_DIR)"
    cargo build --release --target wasm32-unknown-unknown --lib --features "$FEATURES"
    # --experimental-reset-state-function: exports __wbg_reset_state(), which npm/index.js calls
    # after a trap to continue on a fresh instance of the compiled module.
    log "wasm-bindgen --target web"
    "$WASM_BINDGEN" --target web --experimental-reset-state-function --out-dir "$WORK/bindgen" \
      --out-name edgepix_wasm "$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/edgepix.wasm"
  ) 9>"$CARGO_TARGET_DIR/.wasm32-release.lock"
  echo "$FEATURES" > "$BINDGEN_STAMP"
fi

RAW="$WORK/bindgen/edgepix_wasm_bg.wasm"
if [ "$trap_build" = 1 ] || [ "${EDGEPIX_WASM_OPT:-1}" = 0 ]; then
  OPT="$RAW" # a test or dev build: the size does not matter, the seconds do
else
  HASH=$(sha256sum "$RAW" | cut -d' ' -f1)
  OPT="$WORK/opt-$HASH.wasm"
  if [ ! -f "$OPT" ]; then
    log "wasm-opt -Oz (binaryen 132)"
    rm -f "$WORK"/opt-*.wasm
    bash scripts/wasm-opt.sh "$RAW" "$OPT.partial"
    mv "$OPT.partial" "$OPT"
  else
    log "wasm-opt: input unchanged, reusing $OPT"
  fi
fi

log "assembling $OUT/"
rm -rf "$OUT"
mkdir -p "$OUT/wasm"
cp "$WORK/bindgen/edgepix_wasm.js" "$WORK/bindgen/edgepix_wasm.d.ts" "$OUT/wasm/"
cp "$OPT" "$OUT/wasm/edgepix_wasm_bg.wasm"
cp npm/index.js npm/node.js npm/worker.js npm/index.d.ts npm/worker.d.ts "$OUT/"
cp docs/NPM.md "$OUT/README.md"

VERSION=$(awk -F'"' '/^version *=/{print $2; exit}' Cargo.toml)
node --input-type=module - "$VERSION" "$OUT" <<'JS'
import { writeFileSync } from 'node:fs';
const [version, out] = process.argv.slice(2);
const pkg = {
  name: 'edgepix',
  version,
  description: 'In-browser photo preprocessing (resize, re-encode, strip metadata, fit a byte budget) on the edgepix Rust/wasm image engine',
  license: 'MIT OR Apache-2.0',
  type: 'module',
  main: './node.js',
  module: './index.js',
  browser: './index.js',
  types: './index.d.ts',
  exports: {
    '.': {
      types: './index.d.ts',
      node: './node.js',
      default: './index.js',
    },
    './worker': {
      types: './worker.d.ts',
      default: './worker.js',
    },
    './wasm': './wasm/edgepix_wasm_bg.wasm',
    './package.json': './package.json',
  },
  files: ['index.js', 'index.d.ts', 'node.js', 'worker.js', 'worker.d.ts', 'wasm/', 'README.md'],
  sideEffects: false,
  engines: { node: '>=20' },
  keywords: ['image', 'resize', 'wasm', 'jpeg', 'webp', 'png', 'exif', 'cloudflare-images'],
};
writeFileSync(`${out}/package.json`, JSON.stringify(pkg, null, 2) + '\n');
JS

log "checking that the module instantiates (node entry)"
node --input-type=module -e "
import { version } from './$OUT/node.js';
const v = await version();
if (!v.startsWith('edgepix-')) throw new Error('bad version ' + v);
console.error('   instantiated: ' + v);
"

if [ "$trap_build" = 0 ]; then
  RAW_SIZE=$(stat -c %s "$OUT/wasm/edgepix_wasm_bg.wasm")
  GZ_SIZE=$(gzip -9 -c "$OUT/wasm/edgepix_wasm_bg.wasm" | wc -c)
  printf '{"wasm_bytes":%s,"wasm_gzip_bytes":%s}\n' "$RAW_SIZE" "$GZ_SIZE" > "$WORK/size.json"
  rm -rf www/pkg
  cp -r "$OUT" www/pkg
  rm -f www/pkg/.build-features
  log "copied to www/pkg/"
  printf 'edgepix %s: wasm %s bytes raw, %s bytes gzip -9 (%s KiB)\n' "$VERSION" "$RAW_SIZE" "$GZ_SIZE" "$((GZ_SIZE / 1024))"
fi
echo "$FEATURES_STAMP" > "$STAMP"
