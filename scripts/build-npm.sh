#!/usr/bin/env bash
# Builds the npm package into pkg/ (and a copy in www/pkg/ for the demo page).
#   cargo (wasm32, feature web) -> wasm-bindgen --target web -> wasm-opt -Oz (binaryen 132 from
#   node_modules, never Debian's) -> instantiation check -> package.json + hand-written JS.
# Offline; see ../shared/TOOLCHAIN.md. wasm-opt (~40 s) is skipped when its input is unchanged.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '== build-npm: %s\n' "$*" >&2; }

WASM_OPT=node_modules/.bin/wasm-opt
[ -x "$WASM_OPT" ] || { echo "missing $WASM_OPT: run npm ci (binaryen 132)" >&2; exit 1; }
"$WASM_OPT" --version | grep -q 'version 132' || { echo "wasm-opt is not binaryen 132" >&2; exit 1; }
command -v wasm-bindgen >/dev/null || { echo "wasm-bindgen not found: run scripts/setup.sh" >&2; exit 1; }

# Own target dir: the Worker build writes the same edgepix.wasm name into target/ with other
# features, and a concurrent build there would swap the file under us.
export CARGO_TARGET_DIR="${EDGEPIX_NPM_TARGET_DIR:-target/npm-cargo}"
# optional codecs as in build-worker.sh: EDGEPIX_FEATURES=libwebp,png-zlib-rs,avif
FEATURES="web${EDGEPIX_FEATURES:+,$EDGEPIX_FEATURES}"
# the default features include libwebp, compiled for wasm32 by Debian's clang-16
bash scripts/setup-c-toolchain.sh
log "cargo build (release, wasm32, --features $FEATURES, target dir $CARGO_TARGET_DIR)"
cargo build --release --target wasm32-unknown-unknown --lib --features "$FEATURES"

WORK=target/npm
rm -rf "$WORK/bindgen"
mkdir -p "$WORK/bindgen"
log "wasm-bindgen --target web"
wasm-bindgen --target web --out-dir "$WORK/bindgen" --out-name edgepix_wasm \
  "$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/edgepix.wasm"

RAW="$WORK/bindgen/edgepix_wasm_bg.wasm"
HASH=$(sha256sum "$RAW" | cut -d' ' -f1)
OPT="$WORK/opt-$HASH.wasm"
if [ ! -f "$OPT" ]; then
  log "wasm-opt -Oz (binaryen 132)"
  rm -f "$WORK"/opt-*.wasm
  # The features rustc enables by default for wasm32 plus simd128 (.cargo/config.toml).
  "$WASM_OPT" -Oz --enable-simd --enable-bulk-memory --enable-sign-ext \
    --enable-nontrapping-float-to-int --enable-mutable-globals --enable-reference-types \
    --enable-multivalue "$RAW" -o "$OPT.partial"
  mv "$OPT.partial" "$OPT"
else
  log "wasm-opt: input unchanged, reusing $OPT"
fi

log "assembling pkg/"
rm -rf pkg
mkdir -p pkg/wasm
cp "$WORK/bindgen/edgepix_wasm.js" "$WORK/bindgen/edgepix_wasm.d.ts" pkg/wasm/
cp "$OPT" pkg/wasm/edgepix_wasm_bg.wasm
cp npm/index.js npm/node.js npm/worker.js npm/index.d.ts npm/worker.d.ts pkg/
cp docs/NPM.md pkg/README.md

VERSION=$(awk -F'"' '/^version *=/{print $2; exit}' Cargo.toml)
node --input-type=module - "$VERSION" <<'JS'
import { writeFileSync } from 'node:fs';
const version = process.argv[2];
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
writeFileSync('pkg/package.json', JSON.stringify(pkg, null, 2) + '\n');
JS

log "checking that the optimized module instantiates (node entry)"
node --input-type=module -e "
import { version, inspect } from './pkg/node.js';
const v = await version();
if (!v.startsWith('edgepix-')) throw new Error('bad version ' + v);
console.error('   instantiated: ' + v);
"

RAW_SIZE=$(stat -c %s pkg/wasm/edgepix_wasm_bg.wasm)
GZ_SIZE=$(gzip -9 -c pkg/wasm/edgepix_wasm_bg.wasm | wc -c)
printf '{"wasm_bytes":%s,"wasm_gzip_bytes":%s}\n' "$RAW_SIZE" "$GZ_SIZE" > "$WORK/size.json"

rm -rf www/pkg
cp -r pkg www/pkg
log "copied to www/pkg/"
printf 'edgepix %s: wasm %s bytes raw, %s bytes gzip -9 (%s KiB)\n' "$VERSION" "$RAW_SIZE" "$GZ_SIZE" "$((GZ_SIZE / 1024))"
