#!/usr/bin/env bash
# Generates the demo photos under www/samples/ from ../shared/corpus (never committed): each
# downsized to at most 2400 px wide with the native CLI, plus www/samples/manifest.json
# ([{"name","file","width","height","bytes"}]) that the landing page reads.
# Skips the work when the manifest is newer than this script (pass --force to redo).
set -euo pipefail
cd "$(dirname "$0")/.."
CORPUS="${EDGEPIX_CORPUS:-../shared/corpus}"
OUT=www/samples

if [ "${1:-}" != "--force" ] && [ -f "$OUT/manifest.json" ] && [ "$OUT/manifest.json" -nt "$0" ]; then
  echo "prepare-samples: $OUT is up to date"
  exit 0
fi
[ -d "$CORPUS/photos" ] || { echo "prepare-samples: no corpus at $CORPUS" >&2; exit 1; }

# name|source (relative to the corpus)|output file
SAMPLES=(
  "Pigeons (hato)|photos/hato.jpg|hato.jpg"
  "Rain drops|photos/RainDrops.jpg|raindrops.jpg"
  "Dog (EXIF, XMP, ICC)|photos/dog_exif_extended_xmp_icc.jpg|dog.jpg"
  "Elephants|photos/elephants-baseline.jpg|elephants.jpg"
  "Portrait (issue70)|photos/issue70.jpg|portrait.jpg"
  "Gulp (PNG)|photos/Gulp.png|gulp.png"
)

BIN=target/release/edgepix
if [ ! -x "$BIN" ] || [ -n "$(find src Cargo.toml -newer "$BIN" -type f -print -quit)" ]; then
  cargo build --release --features cli --quiet
fi
mkdir -p "$OUT"
entries=()
for s in "${SAMPLES[@]}"; do
  IFS='|' read -r name src file <<<"$s"
  [ -f "$CORPUS/$src" ] || { echo "prepare-samples: skip missing $src" >&2; continue; }
  "$BIN" transform "$CORPUS/$src" "$OUT/$file" --options "width=2400,fit=scale-down,metadata=copyright" >/dev/null
  info=$("$BIN" info "$OUT/$file")
  w=$(node -e 'const j=JSON.parse(process.argv[1]);process.stdout.write(String(j.width))' "$info")
  h=$(node -e 'const j=JSON.parse(process.argv[1]);process.stdout.write(String(j.height))' "$info")
  bytes=$(stat -c %s "$OUT/$file")
  entries+=("$(node -e 'const [n,f,w,h,b]=process.argv.slice(1);process.stdout.write(JSON.stringify({name:n,file:f,width:+w,height:+h,bytes:+b}))' "$name" "$file" "$w" "$h" "$bytes")")
  echo "prepare-samples: $file ${w}x${h} $bytes bytes"
done
( IFS=,; echo "[${entries[*]}]" ) | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(JSON.stringify(JSON.parse(s),null,2)+"\n"))' > "$OUT/manifest.json"
echo "prepare-samples: wrote $OUT/manifest.json"
