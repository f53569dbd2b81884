// edgepix: in-browser (and node) photo preprocessing on the edgepix Rust/wasm engine.
// Hand-written wrapper over the wasm-bindgen module in ./wasm/. No image logic lives here:
// this file turns inputs into bytes, checks the AbortSignal between steps, and wraps errors.
import initWasm, * as wasm from './wasm/edgepix_wasm.js';

/** Error thrown for every engine failure: `code` is stable, `status` is the HTTP status the
 * edge would answer with, `message` says what to change. */
export class EdgepixError extends Error {
  constructor(code, message, status) {
    super(message);
    this.name = 'EdgepixError';
    this.code = code;
    this.status = status;
  }
}

let defaultSource = () => new URL('./wasm/edgepix_wasm_bg.wasm', import.meta.url);
let ready = null;

/** @internal used by the node entry to read the wasm file from disk instead of fetching it. */
export function _setDefaultSource(fn) {
  defaultSource = fn;
}

/**
 * Load the wasm module. Called automatically by transform()/inspect(); call it yourself to
 * preload, or to pass the module explicitly: a URL, a Response, bytes (ArrayBuffer/Uint8Array)
 * or a compiled WebAssembly.Module.
 */
export function init(source) {
  if (!ready) {
    ready = (async () => {
      const src = source !== undefined ? source : await defaultSource();
      await initWasm({ module_or_path: src });
    })();
    ready.catch(() => {
      ready = null; // allow a retry with another source
    });
  }
  return ready;
}

function abortError(signal) {
  if (signal.reason !== undefined) return signal.reason;
  return new DOMException('The operation was aborted.', 'AbortError');
}

function checkAbort(signal) {
  if (signal && signal.aborted) throw abortError(signal);
}

/** Bytes of a File, Blob, ArrayBuffer or any ArrayBuffer view (Uint8Array, Buffer, DataView). */
export async function toBytes(input) {
  if (input instanceof Uint8Array) return input;
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  if (input && typeof input.arrayBuffer === 'function') return new Uint8Array(await input.arrayBuffer());
  throw new TypeError('edgepix: input must be a File, Blob, ArrayBuffer or Uint8Array');
}

function wrapError(e) {
  if (e && e.name === 'EdgepixError' && typeof e.code === 'string' && !(e instanceof EdgepixError)) {
    return new EdgepixError(e.code, e.message, e.status);
  }
  return e;
}

function progress(cb, stage, value) {
  if (typeof cb === 'function') cb({ stage, progress: value });
}

/** Split the JS-only keys (signal, onProgress) from the engine options. */
export function splitOptions(options = {}) {
  if (options === null || typeof options !== 'object') {
    throw new EdgepixError('bad_option', 'options must be an object such as {"width": 640}', 400);
  }
  const { signal, onProgress, ...engine } = options;
  return { signal, onProgress, engine };
}

/** Run the engine on bytes already in memory; shared by transform() and the Web Worker. */
export function transformBytes(bytes, engineOptions) {
  try {
    return wasm.transform(bytes, engineOptions);
  } catch (e) {
    throw wrapError(e);
  }
}

/**
 * Transform an image.
 * @returns {Promise<{blob: Blob, bytes: Uint8Array, width: number, height: number,
 *   format: string, mimeType: string, timings: {decode: number, resize: number, encode: number},
 *   notes: string[], input: object}>}
 */
export async function transform(input, options = {}) {
  const { signal, onProgress, engine } = splitOptions(options);
  checkAbort(signal);
  progress(onProgress, 'read', 0);
  const bytes = await toBytes(input);
  checkAbort(signal);
  progress(onProgress, 'init', 0.1);
  await init();
  checkAbort(signal);
  progress(onProgress, 'transform', 0.2);
  const out = transformBytes(bytes, engine);
  checkAbort(signal);
  const result = withBlob(out);
  progress(onProgress, 'done', 1);
  return result;
}

/** Add a Blob to a raw engine result. */
export function withBlob(out) {
  return { ...out, blob: new Blob([out.bytes], { type: out.mimeType }) };
}

/** Header-only metadata: dimensions (after EXIF orientation), format, orientation, ICC, ... */
export async function inspect(input, options = {}) {
  const { signal } = options;
  checkAbort(signal);
  const bytes = await toBytes(input);
  checkAbort(signal);
  await init();
  checkAbort(signal);
  return inspectBytes(bytes);
}

export function inspectBytes(bytes) {
  try {
    return JSON.parse(wasm.inspect(bytes));
  } catch (e) {
    throw wrapError(e);
  }
}

/** The engine version (changes whenever the same input and options could give other bytes). */
export async function version() {
  await init();
  return wasm.engineVersion();
}
