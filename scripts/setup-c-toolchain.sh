#!/usr/bin/env bash
# The C toolchain for the wasm build's C codecs (cargo feature `libwebp`):
# Debian's clang-16 (with its wasm32 backend), lld-16 and llvm-ar-16. Idempotent and quick when
# already installed; scripts/setup.sh runs it only when that feature is asked for.
set -euo pipefail
if command -v clang-16 >/dev/null && command -v llvm-ar-16 >/dev/null && command -v wasm-ld-16 >/dev/null; then
  exit 0
fi
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq clang-16 lld-16 llvm-16 >/dev/null
clang-16 --print-targets | grep -q wasm32 || { echo "clang-16 has no wasm32 backend" >&2; exit 1; }
