#!/usr/bin/env bash
# Generates the demo photos under www/samples/ from ../shared/corpus (never committed): each
# downsized to at most 2400 px wide, plus www/samples/manifest.json
# ([{"name","file","width","height","bytes"}]) that the landing page reads.
# Uses the npm package in node (pkg/, from scripts/build-npm.sh, which scripts/dev.sh runs
# anyway) rather than the native CLI, so the main command needs no native release build.
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
[ -f pkg/node.js ] || { echo "prepare-samples: no pkg/: run scripts/build-npm.sh first" >&2; exit 1; }

mkdir -p "$OUT"
node --input-type=module - "$CORPUS" "$OUT" <<'JS'
import { readFileSync, writeFileSync } from 'node:fs';
import { transform } from './pkg/node.js';

const [corpus, out] = process.argv.slice(2);
// [name, source (relative to the corpus), output file]
const SAMPLES = [
  ['Pigeons (hato)', 'photos/hato.jpg', 'hato.jpg'],
  ['Rain drops', 'photos/RainDrops.jpg', 'raindrops.jpg'],
  ['Dog (EXIF, XMP, ICC)', 'photos/dog_exif_extended_xmp_icc.jpg', 'dog.jpg'],
  ['Elephants', 'photos/elephants-baseline.jpg', 'elephants.jpg'],
  ['Portrait (issue70)', 'photos/issue70.jpg', 'portrait.jpg'],
  ['Gulp (PNG)', 'photos/Gulp.png', 'gulp.png'],
];
const manifest = [];
for (const [name, src, file] of SAMPLES) {
  let input;
  try {
    input = readFileSync(`${corpus}/${src}`);
  } catch {
    console.error(`prepare-samples: skip missing ${src}`);
    continue;
  }
  // The copyright EXIF field stays; GPS and the rest go (the samples are served to anyone).
  const r = await transform(input, { width: 2400, fit: 'scale-down', metadata: 'copyright' });
  writeFileSync(`${out}/${file}`, r.bytes);
  manifest.push({ name, file, width: r.width, height: r.height, bytes: r.bytes.length });
  console.log(`prepare-samples: ${file} ${r.width}x${r.height} ${r.bytes.length} bytes`);
}
if (manifest.length === 0) throw new Error('prepare-samples: no sample found in the corpus');
writeFileSync(`${out}/manifest.json`, JSON.stringify(manifest, null, 2) + '\n');
console.log(`prepare-samples: wrote ${out}/manifest.json`);
JS
