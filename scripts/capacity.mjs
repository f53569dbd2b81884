#!/usr/bin/env node
// The capacity table of docs/DESIGN.md, recomputed from a JSON of assumptions (traffic shape,
// prices) and a benchmark JSON (scripts/bench.sh --json: per-workload times of the shipped
// wasm build), so the table stays true when either changes.
//
//   node scripts/capacity.mjs [--assumptions data/capacity/assumptions.json]
//                             [--bench data/capacity/bench-841126a.json] [--json]
import fs from 'node:fs';
import path from 'node:path';

const here = path.dirname(new URL(import.meta.url).pathname);
const args = process.argv.slice(2);
const arg = (n, d) => (args.includes(n) ? args[args.indexOf(n) + 1] : d);
const A = JSON.parse(fs.readFileSync(arg('--assumptions', path.join(here, '../data/capacity/assumptions.json')), 'utf8'));
const benchFile = arg('--bench', path.join(here, '../data/capacity/bench-841126a.json'));
const B = JSON.parse(fs.readFileSync(benchFile, 'utf8'));

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export function capacity(A, B) {
  const rows = [];
  const row = (name, value, unit, source) => rows.push({ name, value, unit, source });
  const reqDay = A.daily_users * A.images_per_user_per_day;
  const avg = reqDay / 86400;
  const peak = avg * A.peak_to_average;
  row('requests per day', reqDay, 'req/day', 'assumption: daily_users x images_per_user_per_day');
  row('average rate', avg, 'req/s', 'derived');
  row('peak rate', peak, 'req/s', 'assumption: peak_to_average');
  const missAvg = avg * (1 - A.edge_hit_ratio);
  const missPeak = peak * (1 - A.edge_hit_ratio);
  row('misses at peak', missPeak, 'req/s', 'assumption: edge_hit_ratio');
  // CPU per miss: the shipped wasm build's median per workload, weighted by the mix
  let missMs = 0;
  let outBytes = 0;
  const mixParts = [];
  for (const [w, share] of Object.entries(A.miss_mix)) {
    const r = B.results[w]?.['edgepix-wasm'];
    if (!r) throw new Error(`the benchmark JSON has no edgepix-wasm result for ${w}`);
    const ms = median(r.ms);
    missMs += share * ms;
    outBytes += share * r.bytes;
    mixParts.push(`${w} ${ms.toFixed(0)} ms x ${share}`);
  }
  row('CPU per miss', missMs, 'ms', `benchmark (${mixParts.join(', ')})`);
  const cpuPeak = (missPeak * missMs + peak * A.hit_cpu_ms) / 1000;
  row('CPU at peak', cpuPeak, 'CPU-s per s (busy cores)', 'misses x CPU per miss + hits x hit_cpu_ms (assumption)');
  const cpuDayMs = missAvg * 86400 * missMs + reqDay * A.hit_cpu_ms;
  row('CPU per day', cpuDayMs / 3.6e6, 'CPU-hours', 'derived');
  const originFetchDay = missAvg * 86400 * (1 - A.source_cache_hit_ratio);
  row('origin fetches per day', originFetchDay, 'fetches', 'assumption: source_cache_hit_ratio');
  row('mean variant size', outBytes, 'bytes', 'benchmark output bytes, same mix');
  const kvWritesDay = missAvg * 86400;
  row('KV writes per day', kvWritesDay, 'writes', 'one per miss (a key is written once per miss, far below 1 write/s per key)');
  const kvReadsDay = reqDay * (1 - A.edge_hit_ratio * 0.8);
  row('KV reads per day', kvReadsDay, 'reads', 'Cache API misses read KV; assumption: 80 % of hits are Cache API hits');
  const storageGb = (A.distinct_variants_per_day * A.variant_ttl_days * outBytes) / 1e9;
  row('KV storage', storageGb, 'GB', 'distinct_variants_per_day x variant_ttl_days (assumptions) x mean variant size');
  const events = reqDay * A.metrics_sample_rate;
  row('Analytics Engine events per day', events, 'points', 'assumption: metrics_sample_rate');
  const p = A.prices_usd;
  const cost =
    (reqDay / 1e6) * p.requests_per_million +
    (cpuDayMs / 1e6) * p.cpu_ms_per_million +
    (kvReadsDay / 1e6) * p.kv_reads_per_million +
    (kvWritesDay / 1e6) * p.kv_writes_per_million +
    (storageGb * p.kv_storage_gb_month) / 30 +
    (events / 1e6) * p.analytics_engine_points_per_million;
  row('cost per day', cost, 'USD', 'list prices (assumption)');
  return rows;
}

const rows = capacity(A, B);
if (args.includes('--json')) {
  console.log(JSON.stringify(rows, null, 1));
} else {
  const fmt = (v) => (v >= 100 ? Math.round(v).toLocaleString('en-US') : v >= 10 ? v.toFixed(1) : v.toFixed(2));
  console.log(`assumptions: ${path.relative(process.cwd(), arg('--assumptions', 'data/capacity/assumptions.json'))}; benchmark: ${path.relative(process.cwd(), benchFile)}`);
  console.log('| quantity | value | unit | from |\n|---|---:|---|---|');
  for (const r of rows) console.log(`| ${r.name} | ${fmt(r.value)} | ${r.unit} | ${r.source} |`);
}
