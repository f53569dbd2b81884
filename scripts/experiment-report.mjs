#!/usr/bin/env node
// Per-arm report of an edgepix A/B experiment from exported events (issue #11).
//
//   node scripts/experiment-report.mjs [--experiments EXPERIMENTS.json] [--json] FILE...
//
// FILE: `wrangler dev` / `wrangler tail` / Logpush output (lines containing `edgepix_event {..}`),
// JSON lines of events, or an Analytics Engine SQL API export (`{"data":[{blob1..,double1..}]}`,
// columns in the order of src/metrics.rs). `-` reads stdin.
//
// For every experiment: units and requests per arm, a sample-ratio-mismatch check against the
// configured split (chi-square; equal weights when no --experiments is given), mean bytes out
// per request and p50/p95 transform time (decode+resize+encode, MISS only), each with a 95 %
// bootstrap interval computed over the unit of assignment (images or users, never requests,
// since requests of one unit are correlated), and each arm's relative difference to the
// first arm (the control). Events are weighted by 1/sample_rate. The verdict names an arm only
// when its bytes interval excludes zero and the SRM check passes.
import fs from 'node:fs';

const BLOBS = ['arms', 'unit', 'unit_kind', 'cache', 'error', 'format', 'policy', 'version'];
const DOUBLES = ['status', 'bytes_in', 'bytes_out', 'width', 'height', 'decode_ms', 'resize_ms', 'encode_ms',
  'quality', 'predicted_score', 'measured_score', 'sample_rate', 'ts'];
const PREFIX = 'edgepix_event ';

export function parseEvents(text) {
  const out = [];
  const trimmed = text.trim();
  if (trimmed.startsWith('{') && trimmed.includes('"data"')) {
    try {
      const j = JSON.parse(trimmed);
      for (const row of j.data || []) {
        const e = {};
        BLOBS.forEach((k, i) => (e[k] = row[`blob${i + 1}`] ?? ''));
        DOUBLES.forEach((k, i) => (e[k] = Number(row[`double${i + 1}`] ?? 0)));
        for (const k of ['quality', 'predicted_score', 'measured_score']) if (e[k] < 0) e[k] = null;
        // Analytics Engine samples again when it stores and queries: fold its interval in.
        if (Number(row._sample_interval) > 1) e.sample_rate /= Number(row._sample_interval);
        out.push(e);
      }
      return out;
    } catch {
      /* not an export: fall through to lines */
    }
  }
  for (const line of text.split('\n')) {
    const at = line.indexOf(PREFIX);
    const json = at >= 0 ? line.slice(at + PREFIX.length) : line.trim().startsWith('{') ? line.trim() : null;
    if (!json) continue;
    try {
      const e = JSON.parse(json);
      if (typeof e.unit === 'string' && typeof e.arms === 'string') out.push(e);
    } catch {
      /* not an event */
    }
  }
  return out;
}

/** Deterministic PRNG so a report is reproducible. */
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const quantile = (xs, q) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const i = (s.length - 1) * q;
  const lo = Math.floor(i);
  return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (i - lo);
};

/** Units of one arm: per unit, weighted request count, bytes sum, and transform times. */
function unitsOf(events) {
  const m = new Map();
  for (const e of events) {
    const w = 1 / (e.sample_rate > 0 ? e.sample_rate : 1);
    let u = m.get(e.unit);
    if (!u) m.set(e.unit, (u = { n: 0, bytes: 0, ms: [], errors: 0 }));
    u.n += w;
    if (e.status === 200) u.bytes += w * e.bytes_out;
    else u.errors += w;
    if (e.cache === 'MISS') u.ms.push(e.decode_ms + e.resize_ms + e.encode_ms);
  }
  return [...m.values()];
}

/** Statistics of a list of units: bytes per request (a ratio of sums), p50/p95 ms. */
function stats(units) {
  let n = 0;
  let bytes = 0;
  const ms = [];
  for (const u of units) {
    n += u.n - u.errors;
    bytes += u.bytes;
    for (const x of u.ms) ms.push(x);
  }
  return { bytes: n > 0 ? bytes / n : NaN, p50: quantile(ms, 0.5), p95: quantile(ms, 0.95) };
}

function resample(units, r) {
  const out = new Array(units.length);
  for (let i = 0; i < units.length; i++) out[i] = units[Math.floor(r() * units.length)];
  return out;
}

/** Chi-square upper tail, via the regularised gamma function (series and continued fraction). */
function chiSquareP(x, k) {
  const a = k / 2;
  const z = x / 2;
  if (z <= 0) return 1;
  const lgamma = (v) => {
    const c = [76.18009172947146, -86.50532032941677, 24.01409824083091, -1.231739572450155,
      0.1208650973866179e-2, -0.5395239384953e-5];
    let y = v;
    const t = v + 5.5 - (v + 0.5) * Math.log(v + 5.5);
    let s = 1.000000000190015;
    for (const ci of c) s += ci / ++y;
    return -t + Math.log((2.5066282746310005 * s) / v);
  };
  if (z < a + 1) {
    let sum = 1 / a;
    let term = sum;
    for (let n = 1; n < 500; n++) {
      term *= z / (a + n);
      sum += term;
      if (term < sum * 1e-15) break;
    }
    return 1 - sum * Math.exp(-z + a * Math.log(z) - lgamma(a));
  }
  let b = z + 1 - a;
  let c = 1e300;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 500; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < 1e-300) d = 1e-300;
    c = b + an / c;
    if (Math.abs(c) < 1e-300) c = 1e-300;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return Math.exp(-z + a * Math.log(z) - lgamma(a)) * h;
}

/**
 * The report of every experiment in `events`. `configs`: parsed EXPERIMENTS (for weights and
 * shares); `iterations`: bootstrap resamples.
 */
export function report(events, { configs = [], iterations = 2000, seed = 1 } = {}) {
  const byExp = new Map();
  for (const e of events) {
    for (const pair of e.arms ? e.arms.split(';') : []) {
      const [id, arm] = pair.split('=');
      if (!byExp.has(id)) byExp.set(id, new Map());
      const arms = byExp.get(id);
      if (!arms.has(arm)) arms.set(arm, []);
      arms.get(arm).push(e);
    }
  }
  const results = [];
  for (const [id, armsMap] of byExp) {
    const cfg = configs.find((c) => c.id === id);
    const names = cfg ? cfg.arms.map((a) => a.name) : [...armsMap.keys()].sort();
    const weights = cfg ? cfg.arms.map((a) => a.weight ?? 1) : names.map(() => 1);
    const unitLists = names.map((n) => unitsOf(armsMap.get(n) || []));
    const counts = unitLists.map((u) => u.length);
    const total = counts.reduce((a, b) => a + b, 0);
    const wsum = weights.reduce((a, b) => a + b, 0);
    let chi = 0;
    names.forEach((_, i) => {
      const expected = (total * weights[i]) / wsum;
      if (expected > 0) chi += (counts[i] - expected) ** 2 / expected;
    });
    const srmP = names.length > 1 ? chiSquareP(chi, names.length - 1) : 1;
    const r = rng(seed);
    const boots = unitLists.map(() => ({ bytes: [], p50: [], p95: [] }));
    const diffs = unitLists.map(() => ({ bytes: [], p95: [] }));
    for (let it = 0; it < iterations; it++) {
      const s = unitLists.map((u) => stats(resample(u, r)));
      s.forEach((x, i) => {
        boots[i].bytes.push(x.bytes);
        boots[i].p50.push(x.p50);
        boots[i].p95.push(x.p95);
        diffs[i].bytes.push(x.bytes / s[0].bytes - 1);
        diffs[i].p95.push(x.p95 / s[0].p95 - 1);
      });
    }
    const ci = (xs) => {
      const f = xs.filter(Number.isFinite);
      return f.length ? [quantile(f, 0.025), quantile(f, 0.975)] : [NaN, NaN];
    };
    const arms = names.map((name, i) => {
      const point = stats(unitLists[i]);
      return {
        name,
        units: counts[i],
        requests: Math.round(unitLists[i].reduce((a, u) => a + u.n, 0)),
        bytes: point.bytes,
        bytesCI: ci(boots[i].bytes),
        p50: point.p50,
        p50CI: ci(boots[i].p50),
        p95: point.p95,
        p95CI: ci(boots[i].p95),
        bytesDiff: i === 0 ? 0 : point.bytes / stats(unitLists[0]).bytes - 1,
        bytesDiffCI: i === 0 ? [0, 0] : ci(diffs[i].bytes),
        p95DiffCI: i === 0 ? [0, 0] : ci(diffs[i].p95),
      };
    });
    let verdict;
    if (srmP < 0.001) {
      verdict = `sample ratio mismatch (p=${srmP.toExponential(2)}): assignment or logging is broken; do not read the arms`;
    } else if (arms.some((a) => a.units < 2)) {
      verdict = 'cannot tell yet: an arm has fewer than 2 units';
    } else {
      const better = arms.slice(1).filter((a) => a.bytesDiffCI[1] < 0);
      const worse = arms.slice(1).filter((a) => a.bytesDiffCI[0] > 0);
      if (better.length) {
        const b = better.sort((x, y) => x.bytesDiff - y.bytesDiff)[0];
        verdict = `${b.name} wins on bytes: ${(b.bytesDiff * 100).toFixed(1)} % vs ${names[0]} (95 % CI ${(b.bytesDiffCI[0] * 100).toFixed(1)} .. ${(b.bytesDiffCI[1] * 100).toFixed(1)} %)`;
        if (b.p95DiffCI[0] > 0) verdict += `, but its p95 transform time is higher (CI ${(b.p95DiffCI[0] * 100).toFixed(0)} .. ${(b.p95DiffCI[1] * 100).toFixed(0)} %)`;
      } else if (worse.length === arms.length - 1) {
        verdict = `${names[0]} (control) wins on bytes: every other arm spends more`;
      } else {
        verdict = 'cannot tell yet: every bytes interval includes no change';
      }
    }
    results.push({ id, srm: { chi, p: srmP, counts, weights }, arms, verdict });
  }
  return results;
}

function fmt(results) {
  const lines = [];
  const n = (x, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : '-');
  const pct = (x) => (Number.isFinite(x) ? `${(x * 100).toFixed(1)} %` : '-');
  for (const r of results) {
    lines.push(`experiment ${r.id}: SRM chi2=${n(r.srm.chi, 2)} p=${n(r.srm.p, 3)} (units ${r.srm.counts.join(' / ')} for weights ${r.srm.weights.join(' / ')})`);
    lines.push('| arm | units | requests | bytes/request [95 % CI] | vs control [95 % CI] | p50 ms | p95 ms [95 % CI] |');
    lines.push('|---|---:|---:|---|---|---:|---|');
    for (const a of r.arms) {
      lines.push(`| ${a.name} | ${a.units} | ${a.requests} | ${n(a.bytes)} [${n(a.bytesCI[0])} .. ${n(a.bytesCI[1])}] | ${pct(a.bytesDiff)} [${pct(a.bytesDiffCI[0])} .. ${pct(a.bytesDiffCI[1])}] | ${n(a.p50, 1)} | ${n(a.p95, 1)} [${n(a.p95CI[0], 1)} .. ${n(a.p95CI[1], 1)}] |`);
    }
    lines.push(`verdict: ${r.verdict}`, '');
  }
  if (!results.length) lines.push('no experiment events found');
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  let configs = [];
  let asJson = false;
  const files = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--experiments') configs = JSON.parse(fs.readFileSync(args[++i], 'utf8'));
    else if (args[i] === '--json') asJson = true;
    else files.push(args[i]);
  }
  if (!files.length) {
    console.error('usage: experiment-report.mjs [--experiments EXPERIMENTS.json] [--json] FILE...');
    process.exit(2);
  }
  const events = files.flatMap((f) => parseEvents(fs.readFileSync(f === '-' ? 0 : f, 'utf8')));
  const results = report(events, { configs });
  console.log(asJson ? JSON.stringify(results, null, 2) : `${events.length} events\n${fmt(results)}`);
}
