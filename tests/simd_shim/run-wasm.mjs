// Runs tests/simd_shim/intrinsics.c compiled for wasm32 and prints what it wrote, for
// scripts/test-simd-shim.sh to compare with the native build's output.
import { readFileSync } from 'node:fs';

const bytes = readFileSync(process.argv[2]);
const { instance } = await WebAssembly.instantiate(bytes, {});
const { run, out_ptr, memory } = instance.exports;
const len = run();
process.stdout.write(Buffer.from(memory.buffer, out_ptr(), len));
