// Node entry (picked through the "node" export condition): reads the wasm file from disk,
// since node's fetch() does not load file: URLs. Everything else is the browser module.
import { readFile } from 'node:fs/promises';
import { _setDefaultSource } from './index.js';

_setDefaultSource(() => readFile(new URL('./wasm/edgepix_wasm_bg.wasm', import.meta.url)));

export * from './index.js';
