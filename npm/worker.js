// Two roles in one file:
// - inside a module Web Worker it answers {id, op, bytes, options} messages with engine results,
//   posting {id, progress} as the engine enters each stage;
// - on the main thread, createWorker() starts this file as a module worker and gives back
//   transform()/inspect() with the same results as the main-thread API. Jobs run one at a time;
//   aborting the running job terminates the worker (the only way to stop wasm mid-call) and the
//   next job gets a fresh one.
import {
  init,
  toBytes,
  transformBytes,
  inspectBytes,
  withBlob,
  splitOptions,
  progress,
  abortError,
  EdgepixError,
} from './index.js';

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
    const { id, op, bytes, options, wasm, wantProgress } = ev.data || {};
    const stage = (s) => self.postMessage({ id, stage: s });
    try {
      if (wantProgress) stage('init');
      await init(wasm);
      if (op === 'transform') {
        const out = transformBytes(new Uint8Array(bytes), options, wantProgress ? stage : undefined);
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
  const url = config.url ? config.url : new URL('./worker.js', import.meta.url);
  const wasm = config.wasm === undefined ? undefined : String(config.wasm);
  let worker = null; // started on first use, replaced after an abort or terminate()
  let running = null; // the job the worker is working on
  const queue = []; // jobs waiting for the worker; their buffers are still ours
  let nextId = 1;

  function start() {
    const w = new Worker(url, { type: 'module', name: 'edgepix' });
    w.onmessage = (ev) => w === worker && onMessage(ev.data);
    w.onerror = (ev) => {
      if (w !== worker) return;
      // The worker could not start (bad URL, a syntax error): every job waiting fails alike.
      const err = new Error(`edgepix worker failed: ${ev.message || 'could not start'}`);
      stop();
      for (const job of [running, ...queue.splice(0)]) if (job) finish(job, job.reject, err);
      running = null;
    };
    return w;
  }

  function stop() {
    if (worker) worker.terminate();
    worker = null;
  }

  function pump() {
    if (running || queue.length === 0) return;
    const job = queue.shift();
    running = job;
    worker ??= start();
    const { id, op, buffer, options, onProgress } = job;
    worker.postMessage({ id, op, bytes: buffer, options, wasm, wantProgress: !!onProgress }, buffer ? [buffer] : []);
  }

  function finish(job, settle, value) {
    if (job.signal) job.signal.removeEventListener('abort', job.onAbort);
    settle(value);
  }

  function onMessage(msg) {
    const job = running;
    if (!job || msg.id !== job.id) return;
    if (msg.stage) {
      progress(job.onProgress, msg.stage);
      return;
    }
    running = null;
    if (msg.ok) finish(job, job.resolve, msg.result);
    else finish(job, job.reject, revive(msg.error));
    pump();
  }

  function call(op, buffer, options, signal, onProgress) {
    return new Promise((resolve, reject) => {
      const job = { id: nextId++, op, buffer, options, signal, onProgress, resolve, reject };
      job.onAbort = () => {
        if (running === job) {
          // wasm cannot be interrupted from outside its thread; ending the thread stops it.
          stop();
          running = null;
        } else {
          const i = queue.indexOf(job);
          if (i >= 0) queue.splice(i, 1);
        }
        finish(job, reject, abortError(signal));
        pump();
      };
      if (signal) signal.addEventListener('abort', job.onAbort, { once: true });
      queue.push(job);
      pump();
    });
  }

  return {
    /** The Web Worker running the engine now (a new one after an abort or terminate()). */
    get worker() {
      return (worker ??= start());
    },
    /** Same as the main-thread transform(); the work runs in the worker. An abort rejects at
     * once and stops the running transform by terminating the worker. */
    async transform(input, options = {}) {
      const { signal, onProgress, engine } = splitOptions(options);
      if (signal && signal.aborted) throw abortError(signal);
      progress(onProgress, 'read');
      const buffer = await transferable(input);
      if (signal && signal.aborted) throw abortError(signal);
      const out = await call('transform', buffer, engine, signal, onProgress);
      const result = withBlob(out);
      progress(onProgress, 'done');
      return result;
    },
    async inspect(input, options = {}) {
      const { signal } = options;
      if (signal && signal.aborted) throw abortError(signal);
      const buffer = await transferable(input);
      if (signal && signal.aborted) throw abortError(signal);
      return call('inspect', buffer, undefined, signal);
    },
    /** Load the wasm in the worker now instead of on the first call. */
    ready() {
      return call('init', undefined, undefined);
    },
    /** Stops the worker; jobs running or waiting reject with an AbortError. A later call
     * starts a fresh worker. */
    terminate() {
      stop();
      const jobs = [running, ...queue.splice(0)];
      running = null;
      for (const job of jobs) {
        if (job) finish(job, job.reject, new DOMException('The worker was terminated.', 'AbortError'));
      }
    },
  };
}
