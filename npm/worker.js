// Two roles in one file:
// - inside a module Web Worker it answers {id, op, bytes, options} messages with engine results;
// - on the main thread, createWorker() starts this file as a module worker and gives back
//   transform()/inspect() with the same results as the main-thread API.
import { init, toBytes, transformBytes, inspectBytes, withBlob, splitOptions, EdgepixError } from './index.js';

const inWorker =
  typeof WorkerGlobalScope !== 'undefined' && globalThis instanceof WorkerGlobalScope; // eslint-disable-line no-undef

function plainError(e) {
  if (e && e.name === 'EdgepixError') {
    return { name: 'EdgepixError', code: e.code, status: e.status, message: e.message };
  }
  return { name: (e && e.name) || 'Error', message: String((e && e.message) || e) };
}

if (inWorker) {
  self.onmessage = async (ev) => {
    const { id, op, bytes, options, wasm } = ev.data || {};
    try {
      await init(wasm);
      if (op === 'transform') {
        self.postMessage({ id, progress: { stage: 'transform', progress: 0.2 } });
        const out = transformBytes(new Uint8Array(bytes), options);
        self.postMessage({ id, ok: true, result: out }, [out.bytes.buffer]);
      } else if (op === 'inspect') {
        self.postMessage({ id, ok: true, result: inspectBytes(new Uint8Array(bytes)) });
      } else if (op === 'init') {
        self.postMessage({ id, ok: true, result: null });
      } else {
        throw new Error(`edgepix worker: unknown op ${op}`);
      }
    } catch (e) {
      self.postMessage({ id, ok: false, error: plainError(e) });
    }
  };
}

function revive(err) {
  if (err.name === 'EdgepixError') return new EdgepixError(err.code, err.message, err.status);
  const e = new Error(err.message);
  e.name = err.name;
  return e;
}

/** A transferable copy of the input (the caller's own buffers are never detached). */
async function transferable(input) {
  if (input instanceof ArrayBuffer) return input.slice(0);
  if (ArrayBuffer.isView(input)) {
    return new Uint8Array(input.buffer, input.byteOffset, input.byteLength).slice().buffer;
  }
  if (input && typeof input.arrayBuffer === 'function') return input.arrayBuffer(); // fresh buffer
  return (await toBytes(input)).slice().buffer; // throws the TypeError for bad inputs
}

/**
 * Start a module Web Worker running the engine.
 * @param {{url?: string|URL, wasm?: string|URL}} [config] `url`: where worker.js is served, if
 *   not next to this module; `wasm`: where the .wasm file is, if not next to it.
 */
export function createWorker(config = {}) {
  const worker = config.url
    ? new Worker(config.url, { type: 'module', name: 'edgepix' })
    : new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name: 'edgepix' });
  const wasm = config.wasm === undefined ? undefined : String(config.wasm);
  const pending = new Map();
  let nextId = 1;

  worker.onmessage = (ev) => {
    const msg = ev.data;
    const job = pending.get(msg.id);
    if (!job) return; // aborted or unknown
    if (msg.progress) {
      if (typeof job.onProgress === 'function') job.onProgress(msg.progress);
      return;
    }
    pending.delete(msg.id);
    job.cleanup();
    if (msg.ok) job.resolve(msg.result);
    else job.reject(revive(msg.error));
  };
  worker.onerror = (ev) => {
    const err = new Error(`edgepix worker failed: ${ev.message || 'could not start'}`);
    for (const job of pending.values()) {
      job.cleanup();
      job.reject(err);
    }
    pending.clear();
  };

  function call(op, buffer, options, signal, onProgress) {
    return new Promise((resolve, reject) => {
      const id = nextId++;
      const onAbort = () => {
        pending.delete(id);
        reject(signal.reason !== undefined ? signal.reason : new DOMException('The operation was aborted.', 'AbortError'));
      };
      const cleanup = () => signal && signal.removeEventListener('abort', onAbort);
      if (signal) signal.addEventListener('abort', onAbort, { once: true });
      pending.set(id, { resolve, reject, onProgress, cleanup });
      worker.postMessage({ id, op, bytes: buffer, options, wasm }, buffer ? [buffer] : []);
    });
  }

  return {
    worker,
    /** Same as the main-thread transform(); the work runs in the worker. An abort rejects at
     * once; the worker finishes the running transform and its result is dropped. */
    async transform(input, options = {}) {
      const { signal, onProgress, engine } = splitOptions(options);
      if (signal && signal.aborted) throw signal.reason;
      if (typeof onProgress === 'function') onProgress({ stage: 'read', progress: 0 });
      const buffer = await transferable(input);
      if (signal && signal.aborted) throw signal.reason;
      const out = await call('transform', buffer, engine, signal, onProgress);
      const result = withBlob(out);
      if (typeof onProgress === 'function') onProgress({ stage: 'done', progress: 1 });
      return result;
    },
    async inspect(input, options = {}) {
      const { signal } = options;
      if (signal && signal.aborted) throw signal.reason;
      return call('inspect', await transferable(input), undefined, signal);
    },
    /** Load the wasm in the worker now instead of on the first call. */
    ready() {
      return call('init', undefined, undefined);
    },
    terminate() {
      worker.terminate();
      for (const job of pending.values()) {
        job.cleanup();
        job.reject(new DOMException('The worker was terminated.', 'AbortError'));
      }
      pending.clear();
    },
  };
}
