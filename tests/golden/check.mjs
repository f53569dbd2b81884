// The golden transforms behind ENGINE_VERSION (build.rs): each row of engine.tsv is run through
// the shipped wasm32 build (pkg/, the bytes the Worker caches come from the same core) and its
// SHA-256 compared with the table. A change of output bytes fails here until the table is
// updated (`node tests/golden/check.mjs --update`), and updating it changes the engine version,
// so every cache key changes with the bytes.
import { readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { initSync, transform } from '../../pkg/wasm/edgepix_wasm.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CORPUS = path.resolve(ROOT, process.env.EDGEPIX_CORPUS || '../shared/corpus');
const TABLE = path.join(ROOT, 'tests/golden/engine.tsv');
initSync({ module: readFileSync(path.join(ROOT, 'pkg/wasm/edgepix_wasm_bg.wasm')) });

const lines = readFileSync(TABLE, 'utf8').split('\n');
const out = [];
const mismatches = [];
for (const line of lines) {
  if (line.startsWith('#') || !line.trim()) {
    out.push(line);
    continue;
  }
  const [input, options, expected] = line.split('\t');
  const opts = Object.fromEntries(options.split(',').filter(Boolean).map((kv) => kv.split('=').map(decodeURIComponent)));
  // The Worker's view: a client that takes WebP, metadata as Cloudflare's default.
  const res = transform(readFileSync(path.join(CORPUS, input)), { ...opts, metadata: opts.metadata || 'copyright' });
  const hash = createHash('sha256').update(res.bytes).digest('hex');
  if (hash !== expected) mismatches.push(`${input} ${options}: table ${expected || '(none)'}, build ${hash}`);
  out.push([input, options, hash].join('\t'));
}
if (process.argv.includes('--update')) {
  writeFileSync(TABLE, out.join('\n'));
  console.log(`golden: wrote ${TABLE}; ENGINE_VERSION changes with it`);
} else if (mismatches.length) {
  console.log(`golden: ${mismatches.length} transform(s) changed their bytes:\n${mismatches.join('\n')}`);
  console.log('If the change is intended, run `node tests/golden/check.mjs --update` and commit the table: the engine version (and every cache key) changes with it.');
  process.exit(1);
} else {
  console.log(`golden: ${out.filter((l) => l && !l.startsWith('#')).length} transforms match the table`);
}
