import type { Input, TransformOptions, TransformResult, ImageInfo } from './index.js';

/** Jobs run one at a time, in call order. */
export interface EdgepixWorker {
  /** The Web Worker running the engine now: a new one after an abort or terminate(). */
  readonly worker: Worker;
  /** An abort (`options.signal`) of the running transform terminates its worker, which stops
   * the engine at once; queued jobs go on in a fresh worker. Progress events arrive by message
   * while the worker works. */
  transform(input: Input, options?: TransformOptions): Promise<TransformResult>;
  inspect(input: Input, options?: { signal?: AbortSignal | null }): Promise<ImageInfo>;
  /** Loads the wasm in the worker now instead of on the first call. */
  ready(): Promise<void>;
  /** Stops the worker; running and queued jobs reject with an AbortError. A later call starts
   * a fresh worker. */
  terminate(): void;
}

export interface WorkerConfig {
  /** Where worker.js is served, if not next to the importing module. */
  url?: string | URL;
  /** Where the .wasm file is served, if not next to worker.js. */
  wasm?: string | URL;
}

export function createWorker(config?: WorkerConfig): EdgepixWorker;
