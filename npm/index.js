// edgepix: in-browser (and node) photo preprocessing on the edgepix Rust/wasm engine.
// Hand-written wrapper over the wasm-bindgen module in ./wasm/. No image logic lives here:
// this file turns inputs into bytes, checks the AbortSignal between steps, reports progress,
// wraps errors, and replaces the engine's instance after a trap.
import initWasm, * as wasm from './wasm/edgepix_wasm.js';

/** Error thrown for every engine failure: `code` is stable, `status` is the HTTP status the
 * edge would answer with, `message` says what to change. */
export class EdgepixError extends Error {
  constructor(code, message, status, options) {
    super(message, options);
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

/**
 * Where each stage sits on the 0..1 `progress` scale. The engine reports the moment it enters
 * decode, resize and encode (and `fit`, when a maxBytes search encodes again); the numbers are
 * fixed marks for a progress bar, not a time estimate.
 */
export const STAGES = Object.freeze({ read: 0, init: 0.05, decode: 0.1, resize: 0.45, encode: 0.7, fit: 0.85, done: 1 });

/** Calls the caller's onProgress; a throwing callback must not fail the transform. */
export function progress(cb, stage) {
  if (typeof cb !== 'function') return;
  try {
    cb({ stage, progress: STAGES[stage] });
  } catch (e) {
    reportLater(e);
  }
}

function reportLater(e) {
  // Surfaces the callback's bug (console, window 'error' event) without failing the transform.
  if (typeof globalThis.reportError === 'function') globalThis.reportError(e);
  else console.error('edgepix: onProgress threw', e);
}

export function abortError(signal) {
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

/** The engine's own errors arrive as plain `{name: 'EdgepixError', code, status, message}`. */
function isEngineError(e) {
  return e !== null && typeof e === 'object' && e.name === 'EdgepixError' && typeof e.code === 'string';
}

/**
 * Runs one call into the engine. Anything it throws other than its own typed errors means the
 * wasm instance stopped mid-call (a trap: `unreachable` after a panic, an out-of-bounds access,
 * a stack overflow): its stack pointer, allocator and memory are whatever the trap left, so
 * that instance is never called again. wasm-bindgen's reset (built with
 * --experimental-reset-state-function) instantiates the compiled module afresh, with new
 * memory, before the error is thrown, so the next call works.
 */
let broken = false; // set if a restart after a trap failed: never call that instance again

function engineCall(fn) {
  if (broken) {
    throw new EdgepixError('internal', 'edgepix: the engine trapped earlier and could not be restarted; reload it (a new page or Web Worker)', 500);
  }
  try {
    return fn();
  } catch (e) {
    if (e instanceof EdgepixError) throw e;
    if (isEngineError(e)) throw new EdgepixError(e.code, e.message, e.status);
    try {
      wasm.__wbg_reset_state();
    } catch {
      broken = true;
    }
    throw new EdgepixError(
      'internal',
      `edgepix: the engine failed on this input (${(e && e.message) || e}); this is a bug, please ` +
        `report it with the input. ${broken ? 'The engine could not be restarted.' : 'The engine was restarted.'}`,
      500,
      { cause: e },
    );
  }
}

/** Split the JS-only keys (signal, onProgress) from the engine options. */
export function splitOptions(options = {}) {
  if (options === null || typeof options !== 'object') {
    throw new EdgepixError('bad_option', 'options must be an object such as {"width": 640}', 400);
  }
  const { signal, onProgress, ...engine } = options;
  // null is accepted for both, as fetch() accepts `signal: null`.
  if (onProgress != null && typeof onProgress !== 'function') {
    throw new EdgepixError('bad_option', "'onProgress' must be a function", 400);
  }
  if (signal != null && typeof signal.aborted !== 'boolean') {
    throw new EdgepixError('bad_option', "'signal' must be an AbortSignal", 400);
  }
  return { signal: signal ?? undefined, onProgress: onProgress ?? undefined, engine };
}

/**
 * Run the engine on bytes already in memory; shared by transform() and the Web Worker.
 * `onStage(stage)` is called synchronously as the engine enters decode, resize, encode, fit.
 */
export function transformBytes(bytes, engineOptions, onStage) {
  const stage = typeof onStage === 'function' ? onStage : undefined;
  return engineCall(() => wasm.transform(bytes, engineOptions, stage));
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
  progress(onProgress, 'read');
  const bytes = await toBytes(input);
  checkAbort(signal);
  progress(onProgress, 'init');
  await init();
  checkAbort(signal);
  // On the main thread the engine runs to the end once started (wasm cannot be interrupted
  // from the same thread); an abort during it drops the result. createWorker() stops it.
  const out = transformBytes(bytes, engine, onProgress && ((s) => progress(onProgress, s)));
  checkAbort(signal);
  const result = withBlob(out);
  progress(onProgress, 'done');
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
  return JSON.parse(engineCall(() => wasm.inspect(bytes)));
}

/** The engine version (changes whenever the same input and options could give other bytes). */
export async function version() {
  await init();
  return wasm.engineVersion();
}
