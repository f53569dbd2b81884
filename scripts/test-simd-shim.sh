#!/usr/bin/env bash
# Checks csys/include's SSE intrinsics (written over wasm simd128 for libwebp's encoder DSP)
# against the real x86 instructions: tests/simd_shim/intrinsics.c is compiled natively with
# gcc -msse4.1 and for wasm32 with clang-16 + csys/include at several optimisation levels, and
# every output line (each intrinsic on edge vectors, every immediate 0..255) must be identical.
# Needs an x86_64 host with SSE4.1, gcc, clang-16 with wasm-ld, node.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(uname -m)" = x86_64 ] || { echo "test-simd-shim: needs an x86_64 host (the reference is the real SSE)" >&2; exit 1; }
grep -qw sse4_1 /proc/cpuinfo || { echo "test-simd-shim: this CPU has no SSE4.1" >&2; exit 1; }
bash scripts/setup-c-toolchain.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
src=tests/simd_shim/intrinsics.c
gcc -O2 -msse4.1 -Wall -Wextra -Werror -o "$work/native" "$src"
"$work/native" > "$work/native.txt"
lines=$(wc -l < "$work/native.txt")
[ "$lines" -gt 100000 ] || { echo "test-simd-shim: native run wrote only $lines lines" >&2; exit 1; }
status=0
# -O0 is left out: run_all's locals exceed what a wasm engine accepts in one function
for opt in -O1 -O2 -O3 -Oz; do
  clang-16 --target=wasm32-unknown-unknown -ffreestanding -nostdlib -msimd128 "$opt" \
    -Wall -Wextra -Werror -isystem csys/include -Wl,--no-entry -o "$work/shim.wasm" "$src"
  node tests/simd_shim/run-wasm.mjs "$work/shim.wasm" > "$work/wasm.txt"
  if cmp -s "$work/native.txt" "$work/wasm.txt"; then
    echo "test-simd-shim $opt: $lines results identical to the native SSE instructions"
  else
    echo "test-simd-shim $opt: results differ from the native SSE instructions (first 20):" >&2
    diff "$work/native.txt" "$work/wasm.txt" | grep '^>' | head -20 >&2 || true
    status=1
  fi
done
exit $status
