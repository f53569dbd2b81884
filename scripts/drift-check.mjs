#!/usr/bin/env node
// Drift check (issue #11): does recent traffic still look like what a policy was fitted on?
//
//   node scripts/drift-check.mjs --baseline BASELINE FILE...
//
// BASELINE and FILE are event exports (see scripts/experiment-report.mjs for the formats
// read) or JSON lines with the same field names (a training set written as events works).
// For each feature the quality policy sees from traffic (source bytes, output width, output
// pixels, output format, quality used) it prints the population stability index of the recent
// distribution against the baseline's deciles, and the target-miss rate (events whose measured
// score is below their predicted one) in both, with a 95 % interval for the recent rate.
// Conventions: PSI < 0.1 stable, 0.1-0.25 watch, > 0.25 shifted. It exits 1 and says "retrain"
// when a feature shifted or the miss rate's interval lies above the baseline's rate.
import fs from 'node:fs';
import { parseEvents } from './experiment-report.mjs';

const NUMERIC = {
  bytes_in: (e) => (e.cache === 'MISS' ? e.bytes_in : null),
  width: (e) => (e.cache === 'MISS' ? e.width : null),
  pixels: (e) => (e.cache === 'MISS' ? e.width * e.height : null),
  quality: (e) => (e.cache === 'MISS' ? e.quality : null),
};
const CATEGORICAL = { format: (e) => (e.status === 200 ? e.format : null) };

function psi(expected, actual) {
  let s = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = Math.max(expected[i], 1e-4);
    const a = Math.max(actual[i], 1e-4);
    s += (a - e) * Math.log(a / e);
  }
  return s;
}

function shares(values, bucket, n) {
  const c = new Array(n).fill(0);
  for (const v of values) c[bucket(v)]++;
  return c.map((x) => x / Math.max(values.length, 1));
}

function numericPsi(base, recent) {
  const sorted = [...base].sort((a, b) => a - b);
  const edges = [];
  for (let i = 1; i < 10; i++) edges.push(sorted[Math.floor((sorted.length * i) / 10)]);
  const cuts = [...new Set(edges)];
  const bucket = (v) => {
    let i = 0;
    while (i < cuts.length && v >= cuts[i]) i++;
    return i;
  };
  return psi(shares(base, bucket, cuts.length + 1), shares(recent, bucket, cuts.length + 1));
}

function categoricalPsi(base, recent) {
  const cats = [...new Set([...base, ...recent])];
  const bucket = (v) => cats.indexOf(v);
  return psi(shares(base, bucket, cats.length), shares(recent, bucket, cats.length));
}

function missRate(events) {
  const judged = events.filter((e) => e.measured_score != null && e.predicted_score != null);
  const miss = judged.filter((e) => e.measured_score < e.predicted_score).length;
  const n = judged.length;
  if (!n) return { n, rate: NaN, ci: [NaN, NaN] };
  const p = miss / n;
  // Wilson interval
  const z = 1.96;
  const d = 1 + (z * z) / n;
  const c = (p + (z * z) / (2 * n)) / d;
  const h = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
  return { n, rate: p, ci: [c - h, c + h] };
}

export function drift(baseline, recent) {
  const features = [];
  const pick = (evs, f) => evs.map(f).filter((v) => v != null && Number.isFinite(Number(v)));
  for (const [name, f] of Object.entries(NUMERIC)) {
    const b = pick(baseline, f).map(Number);
    const r = pick(recent, f).map(Number);
    if (b.length >= 10 && r.length >= 10) features.push({ name, psi: numericPsi(b, r), n: r.length });
  }
  for (const [name, f] of Object.entries(CATEGORICAL)) {
    const b = baseline.map(f).filter(Boolean);
    const r = recent.map(f).filter(Boolean);
    if (b.length >= 10 && r.length >= 10) features.push({ name, psi: categoricalPsi(b, r), n: r.length });
  }
  const missBase = missRate(baseline);
  const missRecent = missRate(recent);
  const shifted = features.filter((x) => x.psi > 0.25).map((x) => x.name);
  const missUp = Number.isFinite(missBase.rate) && missRecent.ci[0] > missBase.rate;
  const reasons = [...shifted.map((n) => `${n} shifted`), ...(missUp ? ['target misses rose'] : [])];
  return { features, missBase, missRecent, retrain: reasons.length > 0, reasons };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const bi = args.indexOf('--baseline');
  if (bi < 0 || args.length < 3) {
    console.error('usage: drift-check.mjs --baseline BASELINE FILE...');
    process.exit(2);
  }
  const baseline = parseEvents(fs.readFileSync(args[bi + 1], 'utf8'));
  const recent = args
    .filter((_, i) => i !== bi && i !== bi + 1)
    .flatMap((f) => parseEvents(fs.readFileSync(f, 'utf8')));
  const d = drift(baseline, recent);
  console.log(`baseline ${baseline.length} events, recent ${recent.length} events`);
  console.log('| feature | PSI | recent n | reading |\n|---|---:|---:|---|');
  for (const f of d.features)
    console.log(`| ${f.name} | ${f.psi.toFixed(3)} | ${f.n} | ${f.psi > 0.25 ? 'shifted' : f.psi > 0.1 ? 'watch' : 'stable'} |`);
  const pct = (x) => (Number.isFinite(x) ? `${(x * 100).toFixed(1)} %` : '-');
  console.log(`target misses: baseline ${pct(d.missBase.rate)} (n=${d.missBase.n}), recent ${pct(d.missRecent.rate)} [${pct(d.missRecent.ci[0])} .. ${pct(d.missRecent.ci[1])}] (n=${d.missRecent.n})`);
  console.log(d.retrain ? `retrain: ${d.reasons.join(', ')}` : 'no drift: keep the policy');
  process.exit(d.retrain ? 1 : 0);
}
