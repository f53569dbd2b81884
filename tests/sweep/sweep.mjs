// The hostile sweep on the shipped target (issue #8): every image row of the corpus MANIFEST,
// the crafted files, the oversized-output URLs and every input the fuzzers kept, each through
// the npm package's wasm32 build (pkg/, -Oz) in a fresh instance in its own worker thread.
// Outcomes are counted as ok / 4xx code / trap / hang; any trap or hang fails. For every job
// that succeeds, the plan's memory estimate must be at least the measured growth of linear
// memory (an estimator that undercounts fails).
//
//   node tests/sweep/sweep.mjs [--quick] [--json FILE] [--fuzz DIR ...]
import { Worker } from 'node:worker_threads';
import { readFileSync, readdirSync, statSync, existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CORPUS = path.resolve(ROOT, process.env.EDGEPIX_CORPUS || '../shared/corpus');
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const value = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
// Tells a hang from slow work on a loaded 2-core machine; real jobs take milliseconds to ~3 s.
const HANG_MS = Number(process.env.EDGEPIX_SWEEP_TIMEOUT_MS || 20000);
const CONCURRENCY = Math.max(1, Math.min(os.availableParallelism(), 4));

// The Worker's default limits (Limits::EDGE), so the sweep checks the budget the edge ships.
const EDGE_LIMITS = {
  maxInputBytes: 32 * 1024 * 1024,
  maxInputPixels: 100_000_000,
  maxOutputDimension: 12_000,
  maxOutputPixels: 36_000_000,
  maxFrames: 1000,
  maxAnimationPixels: 100_000_000,
  maxTransformedAnimationPixels: 50_000_000,
  maxAnimationOutputPixels: 20_000_000,
  maxDecodedBytes: 96 * 1024 * 1024,
  maxMemoryBytes: 96 * 1024 * 1024,
};
const opts = (url) => ({ ...Object.fromEntries(url.split(',').filter(Boolean).map((kv) => kv.split('='))), limits: EDGE_LIMITS, preserveMetadata: true });

function manifest() {
  const lines = readFileSync(path.join(CORPUS, 'MANIFEST.tsv'), 'utf8').trim().split('\n');
  const head = lines.shift().split('\t');
  return lines.map((l) => {
    const f = l.split('\t');
    return Object.fromEntries(head.map((h, i) => [h, f[i]]));
  });
}

function walk(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

const jobs = [];
const rows = manifest();
for (const r of rows) {
  const file = path.join(CORPUS, r.path);
  // downscale: what a page asks for
  jobs.push({ set: 'corpus width=64', file, label: r.path, class: r.class, options: opts('width=64') });
  if (r.class === 'valid' && !flag('--quick')) {
    // full size re-encode and a WebP output: the largest frames a request can ask for
    jobs.push({ set: 'valid full size', file, label: r.path, class: r.class, options: opts('') });
    jobs.push({ set: 'valid width=1200 webp', file, label: r.path, class: r.class, options: opts('width=1200,format=webp') });
  }
}
const crafted = path.join(ROOT, 'tests/data/crafted');
for (const f of walk(crafted).filter((f) => !f.endsWith('.mjs'))) {
  jobs.push({ set: 'crafted', file: f, label: path.relative(ROOT, f), class: 'crafted', options: opts('width=64'), expect: '422' });
}
// The oversized outputs of issue #8: answered 413 before anything large is allocated.
const small = path.join(CORPUS, 'conformance/png/primary/basn2c08.png'); // 32x32
const raindrops = path.join(CORPUS, 'photos/RainDrops.jpg'); // 1920x1200
for (const [file, o] of [
  [small, 'width=12000,height=12000,fit=pad'],
  [raindrops, 'width=11999,height=11999,fit=squeeze,format=png'],
  [raindrops, 'width=12000,height=12000,fit=contain,format=webp'],
  // under the area cap, over the memory budget
  [small, 'width=5000,height=5000,fit=pad'],
  [raindrops, 'width=5000,height=5000,fit=squeeze,format=png'],
]) {
  jobs.push({ set: 'oversized output', file, label: `${path.relative(CORPUS, file)} ${o}`, class: 'oversized', options: opts(o), expect: '413' });
}
const fuzzDirs = args.flatMap((a, i) => (args[i - 1] === '--fuzz' ? [a] : []));
for (const d of fuzzDirs.length ? fuzzDirs : [path.join(ROOT, 'fuzz/corpus/probe'), path.join(ROOT, 'fuzz/corpus/transform')]) {
  for (const f of walk(d)) {
    jobs.push({ set: `fuzz ${path.basename(d)}`, file: f, label: path.relative(ROOT, f), class: 'fuzz', options: opts('width=64') });
  }
}
for (const f of walk(path.join(ROOT, 'tests/data/fuzz-regressions'))) {
  jobs.push({ set: 'fuzz regressions', file: f, label: path.relative(ROOT, f), class: 'fuzz', options: opts('width=64') });
}

const module = await WebAssembly.compile(readFileSync(path.join(ROOT, 'pkg/wasm/edgepix_wasm_bg.wasm')));
const jobUrl = new URL('./job.mjs', import.meta.url);

function run(job) {
  return new Promise((resolve) => {
    const w = new Worker(jobUrl, { workerData: { module, file: job.file, options: job.options } });
    const timer = setTimeout(() => {
      w.terminate();
      resolve({ outcome: 'hang', ms: HANG_MS });
    }, HANG_MS);
    w.once('message', (m) => {
      clearTimeout(timer);
      w.terminate();
      resolve(m);
    });
    w.once('error', (e) => {
      clearTimeout(timer);
      resolve({ outcome: 'js-error', message: String(e && e.stack || e) });
    });
  });
}

const results = [];
let next = 0;
const started = Date.now();
await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    while (next < jobs.length) {
      const job = jobs[next++];
      const r = await run(job);
      results.push({ ...job, options: undefined, ...r });
      if (results.length % 500 === 0) console.error(`sweep: ${results.length}/${jobs.length}`);
    }
  }),
);

// Tally per set: outcome classes, and the estimate check on every success.
const failures = [];
const sets = new Map();
let worstRatio = 0;
for (const r of results) {
  const s = sets.get(r.set) || { jobs: 0, outcomes: {}, maxGrowth: 0, maxEstimate: 0 };
  s.jobs++;
  const key = r.code ? `${r.outcome} ${r.code}` : r.outcome;
  s.outcomes[key] = (s.outcomes[key] || 0) + 1;
  s.maxGrowth = Math.max(s.maxGrowth, r.growth || 0);
  sets.set(r.set, s);
  if (['trap', 'hang', 'js-error'].includes(r.outcome)) failures.push(`${r.outcome}: ${r.label} ${r.message || ''}`);
  if (r.expect && r.outcome !== r.expect) failures.push(`expected ${r.expect}: ${r.label} got ${key} ${r.message || ''}`);
  if (r.outcome === 'ok') {
    s.maxEstimate = Math.max(s.maxEstimate, r.estimate);
    worstRatio = Math.max(worstRatio, r.growth / r.estimate);
    if (r.growth > r.estimate) failures.push(`estimate below measured growth: ${r.label} [${r.set}] estimate ${r.estimate} growth ${r.growth}`);
  }
}
const MiB = (b) => (b / 1048576).toFixed(1);
console.log(`\nwasm32 sweep (pkg/wasm, fresh instance per job, hang timeout ${HANG_MS} ms): ${results.length} jobs in ${((Date.now() - started) / 1000).toFixed(0)} s`);
console.log('| set | jobs | outcomes | max growth MiB | max estimate MiB (ok jobs) |');
console.log('|---|---:|---|---:|---:|');
for (const [name, s] of sets) {
  const outcomes = Object.entries(s.outcomes).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k}: ${v}`).join(', ');
  console.log(`| ${name} | ${s.jobs} | ${outcomes} | ${MiB(s.maxGrowth)} | ${MiB(s.maxEstimate)} |`);
}
const traps = results.filter((r) => r.outcome === 'trap').length;
const hangs = results.filter((r) => r.outcome === 'hang').length;
console.log(`\ntraps: ${traps}, hangs: ${hangs}, largest growth/estimate ratio of a success: ${worstRatio.toFixed(3)}`);
const json = value('--json');
if (json) writeFileSync(json, JSON.stringify({ results, sets: Object.fromEntries(sets) }, null, 1));
if (failures.length) {
  console.log(`\n${failures.length} failures:\n${failures.slice(0, 50).join('\n')}`);
  process.exit(1);
}
