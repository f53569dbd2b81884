#!/usr/bin/env node
// A 10x spike against the local Worker, open loop (docs/DESIGN.md, "A 10x spike").
//
//   node scripts/load/spike.mjs [--seconds 30] [--capacity-seconds 20]
//
// Needs the built Worker (scripts/build-worker.sh). Starts a local origin with the corpus
// photos and `wrangler dev` (DEBUG_MEMORY_HEADER on), then:
//  1. capacity: 8 closed-loop clients for --capacity-seconds on the request mix below, after a
//     warm-up pass that makes every popular variant a hit (requests/s measured = capacity);
//  2. baseline: an open-loop arrival rate of 10 % of that capacity for --seconds;
//  3. spike: 10x the baseline rate for --seconds.
// Open loop: requests are sent on a fixed schedule whatever the answers do, and latency is
// measured from the scheduled time, so queueing shows (a closed loop like wrk slows down with
// the server and hides it). The mix: Zipf(s=1.1) popularity over photos x widths, so a few
// variants take most requests (hits) and the tail misses.
import fs from 'node:fs';
import path from 'node:path';
import { startOrigin, startWrangler, writeTestConfig, tmpDir, CORPUS } from '../../tests/worker/harness.mjs';

const args = process.argv.slice(2);
const arg = (n, d) => (args.includes(n) ? Number(args[args.indexOf(n) + 1]) : d);
const SECONDS = arg('--seconds', 30);
const CAP_SECONDS = arg('--capacity-seconds', 20);

const photos = [];
(function walk(dir) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else if (/\.(jpe?g|png)$/i.test(e.name) && fs.statSync(p).size < 4e6) photos.push(path.relative(CORPUS, p));
  }
})(path.join(CORPUS, 'photos'));
photos.sort();
const variants = [];
for (const w of [320, 640, 960, 1280]) for (const p of photos) variants.push({ p, w });
// a fixed shuffle so popularity is not ordered by width
let seed = 12345;
const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
for (let i = variants.length - 1; i > 0; i--) {
  const j = Math.floor(rnd() * (i + 1));
  [variants[i], variants[j]] = [variants[j], variants[i]];
}
const weights = variants.map((_, i) => 1 / (i + 1) ** 1.1);
const total = weights.reduce((a, b) => a + b, 0);
const cdf = [];
weights.reduce((acc, w, i) => (cdf[i] = acc + w / total), 0);
const pick = () => {
  const u = rnd();
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cdf[mid] < u) lo = mid + 1;
    else hi = mid;
  }
  return variants[lo];
};

const origin = await startOrigin();
const dir = tmpDir('edgepix-spike-');
const wr = await startWrangler({
  config: writeTestConfig(dir),
  persist: path.join(dir, 'state'),
  vars: { ALLOWED_ORIGINS: `${origin.base}/**`, DEBUG_MEMORY_HEADER: 'true' },
});
const url = (v) => `${wr.url}/cdn-cgi/image/width=${v.w},format=auto/${origin.base}/c/${v.p}`;

let peakMemory = 0;
async function one(v) {
  const t0 = performance.now();
  try {
    const r = await fetch(url(v), { headers: { accept: 'image/webp,*/*' }, signal: AbortSignal.timeout(30_000) });
    await r.arrayBuffer();
    peakMemory = Math.max(peakMemory, Number(r.headers.get('x-edgepix-wasm-memory') || 0));
    return { status: r.status, cache: r.headers.get('x-edgepix-cache'), ms: performance.now() - t0 };
  } catch (e) {
    return { status: e.name === 'TimeoutError' ? 'timeout' : 'error', cache: null, ms: performance.now() - t0 };
  }
}

const q = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : NaN;
};
function summary(name, rate, results, seconds) {
  const lat = results.map((r) => r.ms);
  const statuses = {};
  for (const r of results) statuses[r.status] = (statuses[r.status] || 0) + 1;
  const hits = results.filter((r) => r.cache === 'HIT').length;
  return {
    phase: name,
    offered: rate ? `${rate.toFixed(1)} req/s` : 'closed loop, 8 clients',
    achieved: `${(results.length / seconds).toFixed(1)} req/s`,
    hit: `${((100 * hits) / Math.max(results.length, 1)).toFixed(0)} %`,
    p50: q(lat, 0.5).toFixed(0),
    p90: q(lat, 0.9).toFixed(0),
    p99: q(lat, 0.99).toFixed(0),
    max: Math.max(...lat).toFixed(0),
    statuses: Object.entries(statuses).map(([k, v]) => `${k}: ${v}`).join(', '),
    wasm: `${(peakMemory / 1048576).toFixed(1)} MiB`,
  };
}

async function openLoop(rate, seconds) {
  const results = [];
  const pending = [];
  const start = performance.now();
  const n = Math.round(rate * seconds);
  for (let i = 0; i < n; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const v = pick();
    pending.push(
      one(v).then((r) => {
        // latency from the scheduled time: a late send is queueing too
        results.push({ ...r, ms: performance.now() - due });
      }),
    );
  }
  await Promise.all(pending);
  return results;
}

const rows = [];
try {
  // warm-up: every variant once, so that popular ones are hits from the start
  for (const v of variants.slice(0, 40)) await one(v);
  const cap = [];
  const until = performance.now() + CAP_SECONDS * 1000;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (performance.now() < until) cap.push(await one(pick()));
    }),
  );
  const capacity = cap.length / CAP_SECONDS;
  rows.push(summary('capacity', 0, cap, CAP_SECONDS));
  peakMemory = 0;
  const base = capacity * 0.1;
  rows.push(summary('baseline (10 % of capacity)', base, await openLoop(base, SECONDS), SECONDS));
  peakMemory = 0;
  rows.push(summary('spike (10x baseline)', base * 10, await openLoop(base * 10, SECONDS), SECONDS));
  const after = await one(variants[variants.length - 1]);
  console.log(`machine: ${fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')} load, ${photos.length} photos x 4 widths, Zipf s=1.1`);
  console.log('| phase | offered | achieved | hits | p50 ms | p90 ms | p99 ms | max ms | statuses | peak wasm memory |');
  console.log('|---|---|---|---:|---:|---:|---:|---:|---|---:|');
  for (const r of rows)
    console.log(`| ${r.phase} | ${r.offered} | ${r.achieved} | ${r.hit} | ${r.p50} | ${r.p90} | ${r.p99} | ${r.max} | ${r.statuses} | ${r.wasm} |`);
  console.log(`a tail request after the spike: ${after.status} in ${after.ms.toFixed(0)} ms`);
} finally {
  await wr.stop();
  await origin.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
