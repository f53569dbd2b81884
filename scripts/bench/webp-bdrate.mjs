// WebP size of edgepix (the shipped -Oz wasm build) against sharp as a Bjøntegaard delta rate
// over qualities 50..95, per image, on Kodak-24 and W3. Not part of the test command.
//
//   node scripts/bench/webp-bdrate.mjs [--json F] [--only kodim01,W3] [--no-ssimulacra2]
//   node scripts/bench/webp-bdrate.mjs --self-test      (the BD-rate checks only)
//
// Needs: the peers of scripts/bench (npm ci there), the wasm module scripts/bench.sh builds
// (target/bench-wasm/pkg, or EDGEPIX_BENCH_WASM), ImageMagick's `convert` (W3's reference), the
// corpus at ../shared/corpus (or EDGEPIX_CORPUS), and cargo to build the SSIMULACRA2 helper
// (scripts/bench/ssimulacra2, built on first use into target/, or EDGEPIX_SSIMULACRA2_BIN).
//
// Inputs and references, so that no peer is judged against its own pixels:
// - Kodak: photos/kodak/kodim01..24.png at their own size; both peers encode the same pixels
//   (checked: edgepix's lossless PNG output at that width equals sharp's decode of the source),
//   and the reference is those source pixels.
// - W3: photos/elephants-baseline.jpg resized to 1200 px wide, each peer with its own resampler
//   (and its own shrink-on-load), so W3 measures resize + encode together; the reference is
//   ImageMagick's float Lanczos3 of the full-size decode, as in bench.mjs.
// Every output is decoded by sharp (libwebp) to 8-bit RGB. Metrics: PSNR of Rec. 601 luma
// (rounded, bench.mjs's formula), PSNR over R, G and B, SSIM of luma (bench.mjs's 8x8 windows,
// stride 4), and SSIMULACRA2 (edgepix::quality::metric, the quality=auto judge).
//
// BD-rate: per peer, a least-squares cubic of ln(bytes) against the metric over the ten
// points, both integrated over the metric interval the two curves share; the mean difference
// d (edgepix minus sharp) gives exp(d) - 1: the extra bytes edgepix needs for the same quality
// (negative: fewer). VCEG-M33's method, with the metric in place of PSNR for all four.

import { readFileSync, writeFileSync, mkdtempSync, existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { luma, psnr, ssim, magickReference } from './pixels.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');
const corpus = process.env.EDGEPIX_CORPUS || resolve(repo, '../shared/corpus');
const require = createRequire(import.meta.url);
const nm = (p) => join(here, 'node_modules', p);
const wasmPkg = process.env.EDGEPIX_BENCH_WASM || join(repo, 'target/bench-wasm/pkg/edgepix_bench_wasm.js');
const s2Manifest = join(here, 'ssimulacra2/Cargo.toml');
const s2Bin = process.env.EDGEPIX_SSIMULACRA2_BIN || join(repo, 'target/release/ssimulacra2');

const argv = process.argv.slice(2);
const has = (f) => argv.includes(f);
const arg = (f, d) => (argv.includes(f) ? argv[argv.indexOf(f) + 1] : d);

const QUALITIES = [50, 55, 60, 65, 70, 75, 80, 85, 90, 95];
/** SSIM as -10 log10(1 - SSIM): ln(bytes) is close to linear in it, where against SSIM
 *  itself it turns steep near 1 and a cubic fits it badly (see the self-test). */
const ssimDb = (s) => -10 * Math.log10(1 - s);
const METRICS = [
  { key: 'psnrY', label: 'PSNR-Y', axis: (x) => x },
  { key: 'psnrRGB', label: 'PSNR-RGB', axis: (x) => x },
  { key: 'ssim', label: 'SSIM', axis: ssimDb },
  { key: 's2', label: 'SSIMULACRA2', axis: (x) => x },
];

// ---------------------------------------------------------------------------------- BD-rate
/** Least-squares polynomial of degree `deg` of y against x. The abscissa is standardised
 *  (t = (x - mx) / sx) so the normal equations stay well conditioned for SSIM near 1 as for
 *  PSNR near 40; returns the coefficients in t and the standardisation. */
function polyfit(xs, ys, deg) {
  const n = xs.length;
  if (n <= deg) throw new Error(`polyfit: ${n} points for degree ${deg}`);
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const sx = Math.sqrt(xs.reduce((a, x) => a + (x - mx) ** 2, 0) / n) || 1;
  const m = deg + 1;
  const A = Array.from({ length: m }, () => new Array(m + 1).fill(0));
  for (let k = 0; k < n; k++) {
    const t = (xs[k] - mx) / sx;
    const pw = [1];
    for (let i = 1; i < 2 * m; i++) pw.push(pw[i - 1] * t);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < m; j++) A[i][j] += pw[i + j];
      A[i][m] += pw[i] * ys[k];
    }
  }
  // Gaussian elimination with partial pivoting
  for (let c = 0; c < m; c++) {
    let p = c;
    for (let r = c + 1; r < m; r++) if (Math.abs(A[r][c]) > Math.abs(A[p][c])) p = r;
    if (Math.abs(A[p][c]) < 1e-12) throw new Error('polyfit: singular (repeated metric values?)');
    [A[c], A[p]] = [A[p], A[c]];
    for (let r = c + 1; r < m; r++) {
      const f = A[r][c] / A[c][c];
      for (let j = c; j <= m; j++) A[r][j] -= f * A[c][j];
    }
  }
  const coef = new Array(m).fill(0);
  for (let i = m - 1; i >= 0; i--) {
    let s = A[i][m];
    for (let j = i + 1; j < m; j++) s -= A[i][j] * coef[j];
    coef[i] = s / A[i][i];
  }
  return { coef, mx, sx };
}

/** Integral of the fitted polynomial over x in [lo, hi]. */
function integrate({ coef, mx, sx }, lo, hi) {
  const prim = (t) => coef.reduce((a, c, i) => a + (c * t ** (i + 1)) / (i + 1), 0);
  return sx * (prim((hi - mx) / sx) - prim((lo - mx) / sx));
}

/** Bjøntegaard delta rate of `test` against `anchor`, each { bytes: [], metric: [] } with
 *  higher metric = better: the mean relative size difference at equal metric over the metric
 *  interval both cover, as a fraction (0.05 = test needs 5 % more bytes). NaN if the
 *  intervals do not overlap. */
export function bdRate(anchor, test) {
  const lo = Math.max(Math.min(...anchor.metric), Math.min(...test.metric));
  const hi = Math.min(Math.max(...anchor.metric), Math.max(...test.metric));
  if (!(hi > lo)) return NaN;
  const fa = polyfit(anchor.metric, anchor.bytes.map(Math.log), 3);
  const ft = polyfit(test.metric, test.bytes.map(Math.log), 3);
  const d = (integrate(ft, lo, hi) - integrate(fa, lo, hi)) / (hi - lo);
  return Math.exp(d) - 1;
}

/** Known answers: the run refuses to start if one fails. */
function selfTest() {
  const checks = [];
  const near = (name, got, want, tol) => {
    const ok = Math.abs(got - want) <= tol || (Number.isNaN(got) && Number.isNaN(want));
    checks.push({ name, got, want, ok });
  };
  const range = (a, b, n) => Array.from({ length: n }, (_, i) => a + ((b - a) * i) / (n - 1));
  // a rate-distortion-like curve: ln(bytes) cubic in the metric, so a cubic fit is exact
  const lnR = (x) => 9 + 0.12 * (x - 30) + 0.004 * (x - 30) ** 2 + 0.0002 * (x - 30) ** 3;
  const curve = (xs, factor = 1) => ({ metric: xs, bytes: xs.map((x) => factor * Math.exp(lnR(x))) });
  const xa = range(30, 42, 10);
  const xb = range(31.3, 44.1, 10);
  near('identical curves give 0', bdRate(curve(xa), curve(xa)), 0, 1e-12);
  near('same curve, other sample points, gives 0', bdRate(curve(xa), curve(xb)), 0, 1e-9);
  near('1.05 x the bytes gives +5 %', bdRate(curve(xa), curve(xb, 1.05)), 0.05, 1e-9);
  near('0.8 x the bytes gives -20 %', bdRate(curve(xa), curve(xb, 0.8)), -0.2, 1e-9);
  near('swapped peers give 1/(1+r) - 1', bdRate(curve(xb, 1.05), curve(xa)), 1 / 1.05 - 1, 1e-9);
  // not a polynomial (bytes ~ (1 - SSIM)^-1.5, steep near 1): exact when only scaled ...
  const ssimLike = range(0.9, 0.99, 10);
  const steep = (xs, f) => ({ metric: xs, bytes: xs.map((x) => f * 2000 * (1 - x) ** -1.5) });
  near('SSIM-scale axis, 1.10 x gives +10 %', bdRate(steep(ssimLike, 1), steep(ssimLike, 1.1)), 0.1, 1e-9);
  // ... but not when the sample points differ: the cubic misses the steep end by about a
  // point of BD-rate, which is why SSIM is fitted in dB (ln(bytes) is linear in it here)
  const inDb = ({ metric, bytes }) => ({ metric: metric.map(ssimDb), bytes });
  near('SSIM in dB, other samples, 1.10 x gives +10 %',
    bdRate(inDb(steep(ssimLike, 1)), inDb(steep(range(0.92, 0.995, 10), 1.1))), 0.1, 1e-9);
  // the same quality for fewer bytes at every point expressed as a metric shift: a curve moved
  // right by dx needs exp(-slope*dx) of the bytes where ln(bytes) is linear in the metric
  const lin = (xs, dx) => ({ metric: xs.map((x) => x + dx), bytes: xs.map((x) => Math.exp(8 + 0.2 * x)) });
  near('metric shift +0.5 dB at slope 0.2 gives exp(-0.1) - 1', bdRate(lin(xa, 0), lin(xa, 0.5)), Math.exp(-0.1) - 1, 1e-9);
  near('disjoint metric ranges give NaN', bdRate(curve(range(30, 35, 10)), curve(range(36, 40, 10))), NaN, 0);
  return checks;
}

// ---------------------------------------------------------------------------------- metrics
const ppm = ({ w, h, rgb }) => Buffer.concat([Buffer.from(`P6\n${w} ${h}\n255\n`), Buffer.from(rgb)]);

// ---------------------------------------------------------------------------------- report
const pct = (r) => (Number.isFinite(r) ? `${r >= 0 ? '+' : ''}${(100 * r).toFixed(2)} %` : 'n/a');
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

function selfTestOrExit() {
  const checks = selfTest();
  for (const c of checks) {
    if (!c.ok || has('--self-test')) console.error(`${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: got ${c.got}, want ${c.want}`);
  }
  if (checks.some((c) => !c.ok)) process.exit(1);
  if (has('--self-test')) process.exit(0);
  console.error(`BD-rate self-test: ${checks.length} checks ok`);
}

// ---------------------------------------------------------------------------------- main
selfTestOrExit();

if (!existsSync(wasmPkg)) throw new Error(`${wasmPkg} missing (scripts/bench.sh builds it)`);
const edgepix = require(wasmPkg);
const sharp = require(nm('sharp'));
sharp.cache(false);
const useS2 = !has('--no-ssimulacra2');
if (useS2 && !process.env.EDGEPIX_SSIMULACRA2_BIN) {
  // cargo is a no-op when the helper is current
  const r = spawnSync('cargo', ['build', '--release', '--quiet', '--manifest-path', s2Manifest, '--target-dir', join(repo, 'target')], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('building scripts/bench/ssimulacra2 failed');
}

/** sharp's decode to 8-bit sRGB RGB (alpha flattened on white: none of the inputs has any). */
async function decode(bytes) {
  const { data, info } = await sharp(bytes).flatten({ background: '#ffffff' }).removeAlpha()
    .toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`decode: ${info.channels} channels`);
  return { w: info.width, h: info.height, rgb: new Uint8Array(data) };
}
const IMAGES = [
  ...Array.from({ length: 24 }, (_, i) => {
    const id = `kodim${String(i + 1).padStart(2, '0')}`;
    return { id, set: 'kodak', file: `photos/kodak/${id}.png` };
  }),
  { id: 'W3', set: 'w3', file: 'photos/elephants-baseline.jpg', width: 1200 },
];
const only = arg('--only');
const images = only ? IMAGES.filter((im) => only.split(',').includes(im.id)) : IMAGES;

const scratch = mkdtempSync(join(tmpdir(), 'webp-bdrate-'));
const results = [];
try {
  for (const im of images) {
    const bytes = new Uint8Array(readFileSync(join(corpus, im.file)));
    let ref, width;
    let sharpRun;
    if (im.set === 'kodak') {
      ref = await decode(bytes);
      width = ref.w;
      // same pixels into both encoders: edgepix's lossless output at this width is the source
      const same = await decode(edgepix.transform(bytes, `width=${width},format=png`));
      if (same.w !== ref.w || same.h !== ref.h || psnr(same.rgb, ref.rgb) !== Infinity) {
        throw new Error(`${im.id}: edgepix at width=${width} does not pass the source pixels through`);
      }
      sharpRun = (q) => sharp(bytes).webp({ quality: q }).toBuffer();
    } else {
      width = im.width;
      ref = magickReference(bytes, width);
      sharpRun = (q) => sharp(bytes).resize({ width }).webp({ quality: q }).toBuffer();
    }
    const refY = luma(ref.rgb);
    writeFileSync(join(scratch, 'ref.ppm'), ppm(ref));
    const peers = {
      sharp: sharpRun,
      edgepix: async (q) => edgepix.transform(bytes, `width=${width},format=webp,quality=${q}`),
    };
    const points = [];
    const outputs = new Map();
    for (const [peer, run] of Object.entries(peers)) {
      for (const q of QUALITIES) {
        const out = await run(q);
        outputs.set(`${peer}${q}`, Buffer.from(out));
        const dec = await decode(out);
        if (dec.w !== ref.w || dec.h !== ref.h) {
          throw new Error(`${im.id} ${peer} q${q}: ${dec.w}x${dec.h}, reference ${ref.w}x${ref.h}`);
        }
        const y = luma(dec.rgb);
        const ppmPath = join(scratch, `${peer}-${q}.ppm`);
        if (useS2) writeFileSync(ppmPath, ppm(dec));
        points.push({
          peer, q, bytes: out.length,
          psnrY: psnr(refY, y), psnrRGB: psnr(ref.rgb, dec.rgb), ssim: ssim(refY, y, ref.w, ref.h),
          ppmPath,
        });
      }
    }
    if (useS2) {
      const r = spawnSync(s2Bin, [join(scratch, 'ref.ppm'), ...points.map((p) => p.ppmPath)], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`ssimulacra2: ${r.stderr}`);
      const scores = r.stdout.trim().split('\n').map(Number);
      if (scores.length !== points.length || scores.some(Number.isNaN)) throw new Error(`ssimulacra2: ${r.stdout}`);
      points.forEach((p, i) => { p.s2 = scores[i]; });
    }
    for (const p of points) delete p.ppmPath;
    const metrics = METRICS.filter((m) => m.key !== 's2' || useS2);
    const curve = (peer, key, axis) => {
      const ps = points.filter((p) => p.peer === peer);
      return { bytes: ps.map((p) => p.bytes), metric: ps.map((p) => axis(p[key])) };
    };
    const bdOf = (key, axis) => bdRate(curve('sharp', key, axis), curve('edgepix', key, axis));
    const bd = Object.fromEntries(metrics.map((m) => [m.key, bdOf(m.key, m.axis)]));
    // for the record (JSON only): the same fit against SSIM itself
    bd.ssimRaw = bdOf('ssim', (x) => x);
    const at = (peer, q) => points.find((p) => p.peer === peer && p.q === q);
    // byte-identical files at the same quality: both peers run libwebp with the same settings
    const identical = QUALITIES.filter((q) => outputs.get(`sharp${q}`).equals(outputs.get(`edgepix${q}`))).length;
    results.push({ id: im.id, set: im.set, file: im.file, width: ref.w, height: ref.h, identical, bd, points });
    console.error(
      `${im.id.padEnd(8)} ${ref.w}x${ref.h}  ` +
        metrics.map((m) => `${m.label} ${pct(bd[m.key])}`).join('  ') +
        `  | identical files ${identical}/${QUALITIES.length}  q80 bytes sharp ${at('sharp', 80).bytes} edgepix ${at('edgepix', 80).bytes}`,
    );
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------- output
const metrics = METRICS.filter((m) => m.key !== 's2' || useS2);
const kodak = results.filter((r) => r.set === 'kodak');
const summary = {};
if (kodak.length) {
  summary.kodakMean = Object.fromEntries(metrics.map((m) => [m.key, mean(kodak.map((r) => r.bd[m.key]))]));
  summary.kodakImages = kodak.length;
}
const w3 = results.find((r) => r.id === 'W3');
if (w3) summary.w3 = w3.bd;

const git = (...a) => spawnSync('git', a, { cwd: repo, encoding: 'utf8' }).stdout.trim();
const meta = {
  date: new Date().toISOString(),
  commit: git('rev-parse', '--short', 'HEAD') + (git('status', '--porcelain', '--untracked-files=no') ? ' (dirty)' : ''),
  command: `${process.env.EDGEPIX_BENCH_WASM ? `EDGEPIX_BENCH_WASM=${wasmPkg} ` : ''}node scripts/bench/webp-bdrate.mjs ${argv.join(' ')}`.trim(),
  node: process.version,
  sharp: require(nm('sharp/package.json')).version,
  libwebpInSharp: sharp.versions.webp,
  qualities: QUALITIES,
};

const lines = [];
const n = QUALITIES.length;
lines.push(`| image | ${metrics.map((m) => `BD-rate ${m.label}`).join(' | ')} | byte-identical files |`);
lines.push(`|---|${metrics.map(() => '---:').join('|')}|---:|`);
for (const r of results) {
  lines.push(`| ${r.id} (${r.width}x${r.height}) | ${metrics.map((m) => pct(r.bd[m.key])).join(' | ')} | ${r.identical}/${n} |`);
}
if (summary.kodakMean) {
  const same = kodak.reduce((a, r) => a + r.identical, 0);
  lines.push(`| **mean over Kodak-${kodak.length}** | ${metrics.map((m) => `**${pct(summary.kodakMean[m.key])}**`).join(' | ')} | ${same}/${n * kodak.length} |`);
}
if (w3) lines.push(`| **W3** | ${metrics.map((m) => `**${pct(w3.bd[m.key])}**`).join(' | ')} | ${w3.identical}/${n} |`);
console.log(`${meta.command}\ncommit ${meta.commit}, ${meta.date}, node ${meta.node}, sharp ${meta.sharp} (libwebp ${meta.libwebpInSharp})\n`);
console.log(lines.join('\n'));

const jsonOut = arg('--json');
if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ meta, summary, images: results }, null, 1));
