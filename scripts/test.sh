#!/usr/bin/env bash
# The one test command (README, .ci/run). Installs what it needs, then runs every suite:
# lint, core tests natively and as wasm in node, the npm package (node + headless Chromium),
# and the Worker end to end in workerd. Every suite runs even if an earlier one failed; the
# exit code is non-zero if any failed.
set -uo pipefail
cd "$(dirname "$0")/.."

# Incremental state doubles target/ and a one-shot run never reuses it.
[ -n "${CI:-}" ] && export CARGO_INCREMENTAL=0

bash scripts/setup.sh --test || { echo "setup failed"; exit 1; }

passed=0
failed=0
failures=()
step() {
  local name=$1
  shift
  printf '\n==== %s\n' "$name"
  local start=$SECONDS
  if "$@"; then
    passed=$((passed + 1))
    printf '==== %s: ok (%ss)\n' "$name" $((SECONDS - start))
  else
    failed=$((failed + 1))
    failures+=("$name")
    printf '==== %s: FAILED (%ss)\n' "$name" $((SECONDS - start))
  fi
  # A suite that fails with os error 28 says nothing about the code: show the disk beside it.
  printf '     disk: %s free, target/ %s\n' "$(df -h --output=avail . | tail -1 | tr -d ' ')" \
    "$(du -sh target 2>/dev/null | cut -f1)"
}

step "rustfmt" cargo fmt --check
# the core flows one way: no import cycle over 3 files, upward imports listed, files <= 800 lines
step "layers (scripts/check-layers.sh)" bash scripts/check-layers.sh
step "clippy (core + cli, native)" cargo clippy --all-targets --features cli -- -D warnings
step "clippy (worker, wasm32)" cargo clippy --lib --features worker --target wasm32-unknown-unknown -- -D warnings
step "clippy (web, wasm32)" cargo clippy --lib --features web --target wasm32-unknown-unknown -- -D warnings
step "core tests (native)" cargo test --features cli
# the AVIF codec is an optional feature: its own tests, with it on (decode, encode, the plan's
# AVIF output and rav1e's memory model)
step "avif tests (native, feature avif)" cargo test --features avif --test avif --test avif_memory --test resolve
step "core tests (wasm32 in node)" env CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  cargo test --target wasm32-unknown-unknown --test wasm
# csys/include's SSE intrinsics (libwebp's encoder DSP on wasm32) against the real instructions
step "SSE-on-simd128 shim (x86_64 vs wasm32)" bash scripts/test-simd-shim.sh
step "npm package (node, types, Chromium)" bash scripts/test-npm.sh
step "hostile sweep (wasm32, every corpus image)" bash scripts/test-wasm-sweep.sh
step "worker (workerd end to end)" bash scripts/test-worker.sh

printf '\n'
for f in "${failures[@]}"; do echo "failed suite: $f"; done
echo "suites: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
