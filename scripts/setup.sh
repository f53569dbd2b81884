#!/usr/bin/env bash
# Installs what the build needs on a fresh Debian 12 machine that reaches only the package
# registries; with --test, also what only the tests need (Chromium, ImageMagick,
# wasm-bindgen-test-runner). Idempotent: each step is skipped when already satisfied.
#   scripts/setup.sh [--test]
set -euo pipefail
cd "$(dirname "$0")/.."
tests=0
[ "${1:-}" = --test ] && tests=1

log() { printf '\n== setup: %s\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "rustup target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

if [ ! -x node_modules/.bin/wrangler ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "npm ci"
  npm ci --no-audit --no-fund
fi

need_apt=()
if [ "$tests" = 1 ]; then
  # The wasm32 core tests run under wasm-bindgen-test-runner, which only the official CLI
  # has; it must match the wasm-bindgen crate in Cargo.lock exactly.
  WB_VERSION=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/[^0-9.]/,""); print; exit}' Cargo.lock)
  if [ "$(wasm-bindgen-test-runner --version 2>/dev/null | awk '{print $2}')" != "$WB_VERSION" ]; then
    log "wasm-bindgen-cli $WB_VERSION, for wasm-bindgen-test-runner (cargo install; no --locked: see ../shared/TOOLCHAIN.md)"
    cargo install wasm-bindgen-cli --version "$WB_VERSION"
  fi
  command -v chromium >/dev/null || need_apt+=(chromium)
  command -v chromedriver >/dev/null || need_apt+=(chromium-driver)
  # ImageMagick is the independent reference of the adjustment and trim tests (tests/adjustments.rs)
  # and of the benchmark's SSIM
  [ -x /usr/bin/convert ] || need_apt+=(imagemagick)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  log "apt-get install ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
# The default features include libwebp, compiled for wasm32 by Debian's clang-16.
bash scripts/setup-c-toolchain.sh
log "done"
