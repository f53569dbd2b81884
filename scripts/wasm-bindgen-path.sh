#!/usr/bin/env bash
# Prints the path of the wasm-bindgen every build uses (tools/wasm-bindgen: the official
# library at the version in Cargo.lock), building it first when it is missing or older than
# its sources. Its own target dir, so it can build while another cargo build holds target/.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$PWD/target/tools/release/edgepix-wasm-bindgen
# The bindings must come from the exact version of the wasm-bindgen crate the engine links.
want=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/[^0-9.]/,""); print; exit}' Cargo.lock)
have=$(sed -n 's/^wasm-bindgen-cli-support = "=\(.*\)"$/\1/p' tools/wasm-bindgen/Cargo.toml)
if [ "$want" != "$have" ]; then
  echo "tools/wasm-bindgen pins wasm-bindgen-cli-support $have, Cargo.lock has wasm-bindgen $want:" \
    "update tools/wasm-bindgen (Cargo.toml, VERSION in src/main.rs, its Cargo.lock)" >&2
  exit 1
fi
if [ ! -x "$BIN" ] || [ -n "$(find tools/wasm-bindgen -newer "$BIN" -type f -print -quit)" ]; then
  echo "== wasm-bindgen: building tools/wasm-bindgen" >&2
  cargo build --release --locked --quiet --manifest-path tools/wasm-bindgen/Cargo.toml \
    --target-dir target/tools >&2
  touch "$BIN" # cargo leaves an up-to-date binary's time alone (a comment-only edit)
fi
echo "$BIN"
