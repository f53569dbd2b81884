// One sweep job in its own worker thread and its own wasm instance: transform one file with one
// set of options through the shipped npm build, and report the outcome and the growth of wasm
// linear memory against the plan's estimate. A trap poisons only this instance; a hang is
// ended by the parent terminating this thread.
import { parentPort, workerData } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import { initSync, transform } from '../../pkg/wasm/edgepix_wasm.js';

const { module, file, options } = workerData;
const exports = initSync({ module });
const memory = () => exports.memory.buffer.byteLength;
const bytes = readFileSync(file);
const before = memory();
const t0 = performance.now();
let result;
try {
  const out = transform(bytes, options);
  result = { outcome: 'ok', estimate: out.memoryEstimate, width: out.width, height: out.height };
} catch (e) {
  if (e && e.name === 'EdgepixError') {
    result = { outcome: String(e.status), code: e.code, message: e.message };
  } else if (e instanceof WebAssembly.RuntimeError) {
    result = { outcome: 'trap', message: String(e.message) };
  } else {
    result = { outcome: 'js-error', message: String((e && e.stack) || e) };
  }
}
result.growth = memory() - before;
result.ms = performance.now() - t0;
parentPort.postMessage(result);
