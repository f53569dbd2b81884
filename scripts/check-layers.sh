#!/usr/bin/env bash
# The layer check of src/ (docs/DESIGN.md, "Layers"): import cycles, upward imports against
# scripts/layers.txt, file sizes. Run by scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
exec python3 scripts/check_layers.py "$@"
