#!/usr/bin/env bash
# Benchmark edgepix (native and wasm) against sharp, wasm-vips, photon and jSquash in one
# interleaved run. Not part of the test command. A full run (no --only/--peers/--no-mem) writes
# its results block into docs/BENCHMARKS.md (between the bench:results markers); --doc F writes
# any run's block to F, --no-doc writes nothing.
#
#   scripts/bench.sh [--rounds 9] [--warmup 1] [--only W1,W4] [--peers ...] [--no-mem] [--json F]
#                    [--doc F | --no-doc]
#
# Needs the corpus at ../shared/corpus (or EDGEPIX_CORPUS), node >= 20, the wasm32 target and
# what scripts/setup.sh --test installs (ImageMagick for the SSIM reference).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

echo "== native: cargo build --release --features cli --bin edgepix-bench" >&2
cargo build --release --quiet --features cli --bin edgepix-bench

echo "== wasm: scripts/bench/wasm (core only, +simd128 from .cargo/config.toml)" >&2
# cwd stays at the repo root so .cargo/config.toml (simd128) applies; shares target/.
# The same WASM_BINDGEN_USE_JS_SYS as the Worker and npm builds: wasm-bindgen's macros read it
# without cargo tracking it, so a different value here would mix artifacts of both kinds in the
# shared target dir ("`transform` is exported by multiple crates" after an npm build).
export WASM_BINDGEN_USE_JS_SYS=1
cargo build --release --quiet --target wasm32-unknown-unknown \
  --manifest-path scripts/bench/wasm/Cargo.toml --target-dir "$repo/target"
"$(bash scripts/wasm-bindgen-path.sh)" --target nodejs --out-dir target/bench-wasm/pkg \
  target/wasm32-unknown-unknown/release/edgepix_bench_wasm.wasm
# The peer is the build that ships: the same wasm-opt -Oz as the npm package.
bash scripts/wasm-opt.sh target/bench-wasm/pkg/edgepix_bench_wasm_bg.wasm target/bench-wasm/opt.wasm
mv target/bench-wasm/opt.wasm target/bench-wasm/pkg/edgepix_bench_wasm_bg.wasm
# the repo's package.json says "type": "module"; "$(bash scripts/wasm-bindgen-path.sh)" --target nodejs emits CommonJS
echo '{ "type": "commonjs" }' > target/bench-wasm/pkg/package.json

echo "== peers: npm ci in scripts/bench" >&2
if [ ! -d scripts/bench/node_modules/sharp ]; then
  (cd scripts/bench && npm ci --no-audit --no-fund)
fi

echo "== load before the run: $(uptime)" >&2
exec node scripts/bench/bench.mjs "$@"
