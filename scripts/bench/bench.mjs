// edgepix vs its peers, interleaved in one run. Started by scripts/bench.sh; see docs/BENCHMARKS.md.
//
//   node bench.mjs [--rounds 9] [--warmup 1] [--only W1,W4] [--peers sharp,edgepix-native]
//                  [--no-mem] [--json FILE]
//   node bench.mjs --child PEER WORKLOAD   (memory probe: one peer, one workload, fresh process)
//
// Every peer gets the input as bytes in memory and must return encoded bytes. In each round
// every workload runs on every peer back to back (order rotated per round), so load from other
// processes on the machine hits all peers of a round alike; per-round ratios to sharp are
// reported next to the medians of the raw times.

import { readFileSync, writeFileSync, mkdtempSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { spawn, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');
const corpus = process.env.EDGEPIX_CORPUS || resolve(repo, '../shared/corpus');
const require = createRequire(import.meta.url);
const nm = (p) => join(here, 'node_modules', p);
let nativeBin = process.env.EDGEPIX_BENCH_BIN || join(repo, 'target/release/edgepix-bench');
let wasmPkg = process.env.EDGEPIX_BENCH_WASM || join(repo, 'target/bench-wasm/pkg/edgepix_bench_wasm.js');

// ---------------------------------------------------------------------------------- workloads
const WORKLOADS = [
  { id: 'W1', file: 'photos/elephants-baseline.jpg', width: 1200, fmt: 'jpeg' },
  { id: 'W2', file: 'photos/elephants-baseline.jpg', width: 300, fmt: 'jpeg' },
  { id: 'W3', file: 'photos/elephants-baseline.jpg', width: 1200, fmt: 'webp' },
  { id: 'W4', file: 'photos/RainDrops.jpg', width: 800, fmt: 'jpeg' },
  { id: 'W5png', file: 'photos/Gulp.png', width: 800, fmt: 'png' },
  { id: 'W5webp', file: 'photos/Gulp.png', width: 800, fmt: 'webp' },
  { id: 'W1p', file: 'photos/elephants-progressive.jpg', width: 1200, fmt: 'jpeg' },
  { id: 'W6', file: 'photos/exiv2-bug922a.jpg', width: 1200, fmt: 'jpeg' },
];
const Q = 80;

// ---------------------------------------------------------------------------------- args
const argv = process.argv.slice(2);
const arg = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : dflt;
};
const has = (name) => argv.includes(name);

// ---------------------------------------------------------------------------------- helpers
globalThis.ImageData ??= class ImageData {
  constructor(a, b, c) {
    if (typeof a === 'number') [a, b, c] = [new Uint8ClampedArray(a * b * 4), a, b];
    this.data = a;
    this.width = b;
    this.height = c ?? a.length / 4 / b;
    this.colorSpace = 'srgb';
  }
};
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const compile = (p) => new WebAssembly.Module(readFileSync(p));
const mib = (b) => (b / 1048576).toFixed(1);

/** emscripten `instantiateWasm` hook that also remembers the module's linear memory. */
function trackingInstantiate(mod, sink) {
  return (imports, callback) => {
    const inst = new WebAssembly.Instance(mod, imports);
    for (const ns of Object.values(imports)) {
      for (const v of Object.values(ns)) if (v instanceof WebAssembly.Memory) sink.push(v);
    }
    for (const v of Object.values(inst.exports)) if (v instanceof WebAssembly.Memory) sink.push(v);
    callback(inst, mod);
    return inst.exports;
  };
}

// ---------------------------------------------------------------------------------- peers
// Each peer: { name, wasm, init(), run(wl, bytes) -> Promise<{ out, ms }>, memory() }.
const PEERS = {
  async 'edgepix-native'() {
    if (!existsSync(nativeBin)) throw new Error(`${nativeBin} missing (cargo build --release --features cli)`);
    const child = spawn(nativeBin, ['serve'], { stdio: ['pipe', 'pipe', 'inherit'] });
    let buf = '';
    const waiting = [];
    child.stdout.on('data', (d) => {
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        waiting.shift()(JSON.parse(line));
      }
    });
    const dir = mkdtempSync(join(tmpdir(), 'edgepix-bench-'));
    return {
      wasm: false,
      close: () => child.stdin.end(),
      async run(wl) {
        const outPath = join(dir, `${wl.id}.out`);
        const r = await new Promise((res) => {
          waiting.push(res);
          child.stdin.write(`${join(corpus, wl.file)}\t${edgepixOpts(wl)}\t${outPath}\n`);
        });
        if (r.error) throw new Error(r.error);
        return { out: readFileSync(outPath), ms: r.ms, stages: [r.decode, r.resize, r.encode] };
      },
    };
  },

  async 'edgepix-wasm'() {
    if (!existsSync(wasmPkg)) throw new Error(`${wasmPkg} missing (scripts/bench.sh builds it)`);
    const m = require(wasmPkg);
    return {
      wasm: true,
      memory: () => m.memory_bytes(),
      async run(wl, bytes) {
        const t0 = performance.now();
        const out = m.transform(bytes, edgepixOpts(wl));
        const ms = performance.now() - t0;
        return { out, ms, stages: Array.from(m.last_timings()) };
      },
    };
  },

  async sharp() {
    const sharp = require(nm('sharp'));
    sharp.cache(false);
    sharp.concurrency(1);
    return {
      wasm: false,
      async run(wl, bytes) {
        const t0 = performance.now();
        let p = sharp(bytes).resize({ width: wl.width });
        p = wl.fmt === 'jpeg' ? p.jpeg({ quality: Q }) : wl.fmt === 'webp' ? p.webp({ quality: Q }) : p.png();
        const out = await p.toBuffer();
        return { out, ms: performance.now() - t0 };
      },
    };
  },

  async 'wasm-vips'() {
    const Vips = require(nm('wasm-vips'));
    const mems = [];
    const wasmFile = nm('wasm-vips/lib/vips.wasm');
    const vips = await Vips({
      dynamicLibraries: [],
      instantiateWasm: trackingInstantiate(compile(wasmFile), mems),
    });
    vips.concurrency(1);
    vips.Cache.max(0);
    return {
      wasm: true,
      memory: () => Math.max(0, ...mems.map((m) => m.buffer.byteLength)),
      async run(wl, bytes) {
        const t0 = performance.now();
        const im = vips.Image.thumbnailBuffer(bytes, wl.width);
        const ext = wl.fmt === 'jpeg' ? '.jpg' : wl.fmt === 'webp' ? '.webp' : '.png';
        const out = im.writeToBuffer(ext, wl.fmt === 'png' ? {} : { Q });
        im.delete();
        return { out, ms: performance.now() - t0 };
      },
    };
  },

  async photon() {
    const ph = require(nm('@silvia-odwyer/photon-node'));
    return {
      wasm: true,
      memory: () => ph.__wasm?.memory?.buffer.byteLength ?? 0,
      note: 'WebP: get_bytes_webp() has no quality setting',
      async run(wl, bytes) {
        const t0 = performance.now();
        const img = ph.PhotonImage.new_from_byteslice(bytes);
        const h = Math.round((img.get_height() * wl.width) / img.get_width());
        const small = ph.resize(img, wl.width, h, ph.SamplingFilter.Lanczos3);
        img.free();
        const out =
          wl.fmt === 'jpeg' ? small.get_bytes_jpeg(Q) : wl.fmt === 'webp' ? small.get_bytes_webp() : small.get_bytes();
        small.free();
        return { out, ms: performance.now() - t0 };
      },
    };
  },

  async jsquash() {
    const mems = [];
    const init = async (pkg, wasm) => {
      const mod = await import(nm(pkg));
      await mod.init(compile(nm(wasm)), { instantiateWasm: trackingInstantiate(compile(nm(wasm)), mems) });
      return mod.default;
    };
    const jpegDec = await init('@jsquash/jpeg/decode.js', '@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm');
    const jpegEnc = await init('@jsquash/jpeg/encode.js', '@jsquash/jpeg/codec/enc/mozjpeg_enc.wasm');
    const webpEnc = await init('@jsquash/webp/encode.js', '@jsquash/webp/codec/enc/webp_enc_simd.wasm');
    const pngMod = await import(nm('@jsquash/png/index.js'));
    const pngWasm = compile(nm('@jsquash/png/codec/pkg/squoosh_png_bg.wasm'));
    await (await import(nm('@jsquash/png/decode.js'))).init(pngWasm);
    await (await import(nm('@jsquash/png/encode.js'))).init(pngWasm);
    const resizeMod = await import(nm('@jsquash/resize/index.js'));
    await resizeMod.initResize(compile(nm('@jsquash/resize/lib/resize/pkg/squoosh_resize_bg.wasm')));
    return {
      wasm: true,
      memory: () => mems.reduce((s, m) => s + m.buffer.byteLength, 0),
      note: 'memory: sum over its separate decoder/encoder modules (emscripten only)',
      async run(wl, bytes) {
        const t0 = performance.now();
        const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
        const img = wl.file.endsWith('.png') ? await pngMod.decode(buf) : await jpegDec(buf);
        const h = Math.round((img.height * wl.width) / img.width);
        const small = await resizeMod.default(img, { width: wl.width, height: h, method: 'lanczos3' });
        const out =
          wl.fmt === 'jpeg'
            ? await jpegEnc(small, { quality: Q })
            : wl.fmt === 'webp'
              ? await webpEnc(small, { quality: Q })
              : await pngMod.encode(small);
        return { out: new Uint8Array(out), ms: performance.now() - t0 };
      },
    };
  },
};

// A/B: EDGEPIX_BENCH_BIN_B / EDGEPIX_BENCH_WASM_B add a second build of edgepix to the same run
// (peers edgepix-native-b / edgepix-wasm-b), e.g. the previous commit's binaries.
for (const [name, envVar, base] of [
  ['edgepix-native-b', 'EDGEPIX_BENCH_BIN_B', 'edgepix-native'],
  ['edgepix-wasm-b', 'EDGEPIX_BENCH_WASM_B', 'edgepix-wasm'],
]) {
  const path = process.env[envVar];
  if (!path) continue;
  PEERS[name] = async () => {
    const saved = [nativeBin, wasmPkg];
    if (base === 'edgepix-native') nativeBin = path;
    else wasmPkg = path;
    try {
      return await PEERS[base]();
    } finally {
      [nativeBin, wasmPkg] = saved;
    }
  };
}

function edgepixOpts(wl) {
  return `width=${wl.width},format=${wl.fmt},quality=${Q}`;
}

// ---------------------------------------------------------------------------------- quality
let sharpForRef;
const refCache = new Map();
/** Greyscale pixels of an encoded image, resized to w x h if it differs (it should not). */
async function grey(bytes, w, h) {
  const { data, info } = await sharpForRef(bytes)
    .resize({ width: w, height: h, fit: 'fill', kernel: 'lanczos3' })
    .flatten({ background: '#ffffff' })
    .greyscale()
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 1) throw new Error(`grey: ${info.channels} channels`);
  return data;
}
/** Reference: sharp's Lanczos3 resize of the full-size decode (no shrink-on-load), unencoded. */
async function reference(wl, bytes) {
  const key = `${wl.file}@${wl.width}`;
  if (!refCache.has(key)) {
    const { data, info } = await sharpForRef(bytes)
      .resize({ width: wl.width, fastShrinkOnLoad: false, kernel: 'lanczos3' })
      .flatten({ background: '#ffffff' })
      .greyscale()
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 1) throw new Error(`reference: ${info.channels} channels`);
    refCache.set(key, { data, w: info.width, h: info.height });
  }
  return refCache.get(key);
}
/** Mean SSIM over 8x8 windows with stride 4 (Wang et al. constants, L = 255). */
function ssim(a, b, w, h) {
  const C1 = (0.01 * 255) ** 2;
  const C2 = (0.03 * 255) ** 2;
  let sum = 0;
  let n = 0;
  for (let y = 0; y + 8 <= h; y += 4) {
    for (let x = 0; x + 8 <= w; x += 4) {
      let sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
      for (let j = 0; j < 8; j++) {
        let o = (y + j) * w + x;
        for (let i = 0; i < 8; i++, o++) {
          const p = a[o], q = b[o];
          sa += p; sb += q; saa += p * p; sbb += q * q; sab += p * q;
        }
      }
      const ma = sa / 64, mb = sb / 64;
      const va = saa / 64 - ma * ma, vb = sbb / 64 - mb * mb, cov = sab / 64 - ma * mb;
      sum += ((2 * ma * mb + C1) * (2 * cov + C2)) / ((ma * ma + mb * mb + C1) * (va + vb + C2));
      n++;
    }
  }
  return sum / n;
}

// ---------------------------------------------------------------------------------- child mode
if (has('--child')) {
  const [peerName, wlId] = [arg('--child'), argv[argv.indexOf('--child') + 2]];
  const wl = WORKLOADS.find((w) => w.id === wlId);
  const bytes = new Uint8Array(readFileSync(join(corpus, wl.file)));
  let linear = 0;
  if (peerName !== 'node') {
    const peer = await PEERS[peerName]();
    // two runs: steady state of a warm isolate, as in the Worker
    await peer.run(wl, bytes);
    await peer.run(wl, bytes);
    linear = peer.memory ? peer.memory() : 0;
    peer.close?.();
  }
  // VmHWM, not resourceUsage().maxRSS: Linux carries ru_maxrss over exec from the parent.
  const hwm = /VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'));
  console.log(JSON.stringify({ linear, maxRSS: Number(hwm[1]) * 1024 }));
  process.exit(0);
}

// ---------------------------------------------------------------------------------- main
const rounds = Number(arg('--rounds', 9));
const warmup = Number(arg('--warmup', 1));
const only = arg('--only');
const workloads = only ? WORKLOADS.filter((w) => only.split(',').includes(w.id)) : WORKLOADS;
const peerNames = (arg('--peers') || 'sharp,edgepix-native,edgepix-wasm,wasm-vips,photon,jsquash').split(',');
if (!peerNames.includes('sharp')) peerNames.unshift('sharp');
sharpForRef = require(nm('sharp'));

const inputs = new Map();
for (const wl of workloads) {
  if (!inputs.has(wl.file)) inputs.set(wl.file, new Uint8Array(readFileSync(join(corpus, wl.file))));
}
const peers = {};
for (const name of peerNames) {
  try {
    peers[name] = await PEERS[name]();
  } catch (e) {
    console.error(`skipping ${name}: ${e.message}`);
  }
}
const live = Object.keys(peers);

// results[wl][peer] = { ms: [], ratio: [], out, stages: [] , error }
const results = {};
for (const wl of workloads) {
  results[wl.id] = {};
  for (const p of live) results[wl.id][p] = { ms: [], ratio: [], stages: [] };
}
const total = warmup + rounds;
for (let r = 0; r < total; r++) {
  const t0 = performance.now();
  for (const wl of workloads) {
    const bytes = inputs.get(wl.file);
    const order = live.map((_, i) => live[(i + r) % live.length]);
    const ms = {};
    for (const p of order) {
      const res = results[wl.id][p];
      if (res.error) continue;
      try {
        const { out, ms: t, stages } = await peers[p].run(wl, bytes);
        ms[p] = t;
        if (r >= warmup) {
          res.ms.push(t);
          if (stages) res.stages.push(stages);
        }
        res.out = out;
      } catch (e) {
        res.error = String(e.message || e).slice(0, 120);
      }
    }
    if (r >= warmup && ms.sharp) {
      for (const p of live) if (ms[p] !== undefined) results[wl.id][p].ratio.push(ms[p] / ms.sharp);
    }
  }
  console.error(`round ${r + 1}/${total}${r < warmup ? ' (warm-up)' : ''}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
for (const p of live) peers[p].close?.();

// quality
for (const wl of workloads) {
  const ref = await reference(wl, inputs.get(wl.file));
  for (const p of live) {
    const res = results[wl.id][p];
    if (!res.out) continue;
    try {
      const meta = await sharpForRef(res.out).metadata();
      res.size = `${meta.width}x${meta.height}`;
      res.ssim = ssim(ref.data, await grey(res.out, ref.w, ref.h), ref.w, ref.h);
    } catch (e) {
      res.error ??= `output: ${e.message}`;
    }
  }
}

// memory: one fresh node process per peer and workload
const mem = {};
if (!has('--no-mem')) {
  const self = fileURLToPath(import.meta.url);
  const probe = (peer, wl) => {
    if (peer.startsWith('edgepix-native')) {
      const bin = peer === 'edgepix-native-b' ? process.env.EDGEPIX_BENCH_BIN_B : nativeBin;
      const r = spawnSync(bin, ['once', join(corpus, wl.file), edgepixOpts(wl), '/dev/null', '2'], { encoding: 'utf8' });
      const j = JSON.parse(r.stdout);
      return { linear: 0, maxRSS: j.peak_rss_kib * 1024 };
    }
    const r = spawnSync(process.execPath, [self, '--child', peer, wl.id], { encoding: 'utf8' });
    if (r.status !== 0) return { error: (r.stderr || '').split('\n').slice(-3).join(' ').slice(0, 120) };
    return JSON.parse(r.stdout.trim().split('\n').pop());
  };
  mem.node = probe('node', workloads[0]);
  for (const wl of workloads) {
    mem[wl.id] = {};
    for (const p of live) if (!results[wl.id][p].error) mem[wl.id][p] = probe(p, wl);
  }
  console.error(`memory probes done (bare node process: ${mib(mem.node.maxRSS)} MiB RSS)`);
}

// report
const lines = [];
lines.push(`| workload | peer | median ms | ratio to sharp (median of per-round) | output bytes | size | SSIM vs ref | wasm linear MiB | peak RSS MiB |`);
lines.push(`|---|---|---:|---:|---:|---|---:|---:|---:|`);
for (const wl of workloads) {
  for (const p of live) {
    const res = results[wl.id][p];
    const m = mem[wl.id]?.[p] || {};
    if (res.error) {
      lines.push(`| ${wl.id} | ${p} | error: ${res.error} | | | | | | |`);
      continue;
    }
    const lin = peers[p].wasm && m.linear ? mib(m.linear) : '';
    const rss = m.maxRSS ? mib(m.maxRSS) : m.error ? 'err' : '';
    lines.push(
      `| ${wl.id} | ${p} | ${median(res.ms).toFixed(1)} | ${median(res.ratio).toFixed(2)} | ${res.out.length} | ${res.size ?? ''} | ${res.ssim?.toFixed(4) ?? ''} | ${lin} | ${rss} |`,
    );
  }
}
const stageLines = [];
for (const wl of workloads) {
  for (const p of ['edgepix-native', 'edgepix-wasm']) {
    const st = results[wl.id][p]?.stages;
    if (st?.length) {
      const s = [0, 1, 2].map((i) => median(st.map((x) => x[i])).toFixed(1));
      stageLines.push(`| ${wl.id} | ${p} | ${s[0]} | ${s[1]} | ${s[2]} |`);
    }
  }
}
const notes = live.filter((p) => peers[p].note).map((p) => `- ${p}: ${peers[p].note}`);
console.log(lines.join('\n'));
if (stageLines.length) {
  console.log('\nedgepix stage medians (ms):\n\n| workload | engine | decode | resize+colour | encode |\n|---|---|---:|---:|---:|');
  console.log(stageLines.join('\n'));
}
if (mem.node) console.log(`\nA bare node process peaks at ${mib(mem.node.maxRSS)} MiB RSS (included in the node peers' RSS).`);
if (notes.length) console.log('\n' + notes.join('\n'));
if (arg('--json')) {
  const dump = { rounds, warmup, mem, results: {} };
  for (const wl of workloads) {
    dump.results[wl.id] = {};
    for (const p of live) {
      const { out, ...rest } = results[wl.id][p];
      dump.results[wl.id][p] = { ...rest, bytes: out?.length };
    }
  }
  writeFileSync(arg('--json'), JSON.stringify(dump, null, 1));
}
