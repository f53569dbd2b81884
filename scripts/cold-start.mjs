#!/usr/bin/env node
// Cold start of the shipped wasm modules (issue #12 item 3): size raw and gzipped, and the
// time V8 takes to compile each module (what a new isolate pays before its first request),
// median of N compiles of fresh copies of the bytes; and in workerd, the first request of a
// new isolate against the following ones.
//
//   node scripts/cold-start.mjs [N=7]     needs scripts/build-worker.sh and scripts/build-npm.sh
import fs from 'node:fs';
import zlib from 'node:zlib';

const N = Number(process.argv[2] || 7);
const modules = [
  ['Worker (build/index_bg.wasm)', 'build/index_bg.wasm'],
  ['npm package (pkg/wasm/edgepix_wasm_bg.wasm)', 'pkg/wasm/edgepix_wasm_bg.wasm'],
];
console.log(`| module | raw KiB | gzip -9 KiB | compile ms (median of ${N}) | min | max |`);
console.log('|---|---:|---:|---:|---:|---:|');
for (const [name, file] of modules) {
  if (!fs.existsSync(file)) {
    console.log(`| ${name} | missing: build it first | | | | |`);
    continue;
  }
  const bytes = fs.readFileSync(file);
  const gz = zlib.gzipSync(bytes, { level: 9 }).length;
  const ms = [];
  for (let i = 0; i < N; i++) {
    const copy = new Uint8Array(bytes); // a fresh buffer: nothing cached by identity
    const t0 = performance.now();
    try {
      await WebAssembly.compile(copy);
    } catch (e) {
      // the Worker build uses wasm exception handling, which node 20's V8 lacks (workerd has it)
      ms.push(NaN);
      break;
    }
    ms.push(performance.now() - t0);
  }
  if (ms.some(Number.isNaN)) {
    console.log(`| ${name} | ${(bytes.length / 1024).toFixed(0)} | ${(gz / 1024).toFixed(0)} | not compilable by this node (wasm exception handling): see workerd below | | |`);
    continue;
  }
  ms.sort((a, b) => a - b);
  console.log(`| ${name} | ${(bytes.length / 1024).toFixed(0)} | ${(gz / 1024).toFixed(0)} | ${ms[N >> 1].toFixed(1)} | ${ms[0].toFixed(1)} | ${ms[N - 1].toFixed(1)} |`);
}
const t0 = performance.now();
const pkg = await import(new URL('../pkg/node.js', import.meta.url));
if (pkg.default) await pkg.default();
const ready = performance.now() - t0;
console.log(`\nnpm package, node entry: import + instantiate ${ready.toFixed(1)} ms (once, this process)`);
// workerd: the first image request of a new isolate against the next ones (a 400 for a bad
// option, answered by the wasm module without any fetch or transform)
const { startWrangler, writeTestConfig, tmpDir } = await import('../tests/worker/harness.mjs');
const path = await import('node:path');
const dir = tmpDir('edgepix-cold-');
const wr = await startWrangler({ config: writeTestConfig(dir), persist: path.join(dir, 'state') });
try {
  const hit = async () => {
    const t = performance.now();
    const r = await fetch(`${wr.url}/cdn-cgi/image/width=abc/x.jpg`);
    await r.arrayBuffer();
    return performance.now() - t;
  };
  const first = await hit();
  const next = [];
  for (let i = 0; i < 15; i++) next.push(await hit());
  next.sort((a, b) => a - b);
  console.log(`workerd (wrangler dev): first request of a new isolate ${first.toFixed(1)} ms, next requests median ${next[7].toFixed(1)} ms`);
} finally {
  await wr.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
console.log(`load average: ${fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
