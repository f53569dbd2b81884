#!/usr/bin/env bash
# npm package + demo page tests: node API tests, TypeScript types, npm pack/install, and the
# real-browser tests of the package in Debian's Chromium. Builds pkg/ (and the test-only trap
# package) first when missing or stale. The demo page itself is tested against wrangler dev in
# tests/worker/demo.test.mjs.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)

log() { printf '\n== test-npm: %s\n' "$*"; }

# Both skip themselves when up to date; EDGEPIX_REBUILD=1 forces the package build.
log "scripts/build-npm.sh (pkg/, www/pkg/)"
scripts/build-npm.sh $([ "${EDGEPIX_REBUILD:-0}" = 1 ] && echo --force)
log "scripts/build-npm.sh --trap (test-only package for tests/npm/trap.test.mjs)"
scripts/build-npm.sh --trap

log "node API tests (node --test tests/npm/)"
node --test tests/npm/

log "TypeScript (tsc --noEmit -p tests/types)"
node_modules/.bin/tsc --noEmit -p tests/types

log "npm pack + offline install into a temp project"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd pkg && npm pack --pack-destination "$tmp" --silent >/dev/null)
tgz=$(ls "$tmp"/edgepix-*.tgz)
tar -tzf "$tgz" | sort | sed 's/^/   /'
mkdir "$tmp/app"
(
  cd "$tmp/app"
  printf '{"name":"app","private":true,"type":"module"}\n' > package.json
  npm install --offline --no-audit --no-fund --silent "$tgz"
  node --input-type=module -e "
    const m = await import('edgepix');
    const w = await import('edgepix/worker');
    if (typeof w.createWorker !== 'function') throw new Error('edgepix/worker has no createWorker');
    const { readFileSync } = await import('node:fs');
    const bytes = readFileSync('$REPO/../shared/corpus/photos/RainDrops.jpg');
    const r = await m.transform(bytes, { width: 320, format: 'webp' });
    if (r.width !== 320 || r.mimeType !== 'image/webp') throw new Error('unexpected ' + r.width + ' ' + r.mimeType);
    console.log('   installed edgepix ' + (await m.version()) + ' works: ' + r.width + 'x' + r.height + ' ' + r.bytes.length + ' bytes');
  "
)

ESBUILD="$REPO/node_modules/@esbuild/linux-x64/bin/esbuild"
if [ -x "$ESBUILD" ]; then
  log "bundler check: esbuild --platform=browser resolves the browser entry (no node: imports)"
  (
    cd "$tmp/app"
    printf "import { transform } from 'edgepix';\nimport { createWorker } from 'edgepix/worker';\nconsole.log(transform, createWorker);\n" > entry.js
    "$ESBUILD" entry.js --bundle --format=esm --platform=browser --outfile=out.js --log-level=warning
    if grep -q "node:" out.js; then echo "browser bundle imports node: modules" >&2; exit 1; fi
    echo "   browser bundle: $(stat -c %s out.js) bytes of JS"
  )
fi

log "browser test (node --test tests/browser/)"
node --test tests/browser/

log "all npm tests passed"
