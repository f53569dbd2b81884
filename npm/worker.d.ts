import type { Input, TransformOptions, TransformResult, ImageInfo } from './index.js';

export interface EdgepixWorker {
  readonly worker: Worker;
  transform(input: Input, options?: TransformOptions): Promise<TransformResult>;
  inspect(input: Input, options?: { signal?: AbortSignal }): Promise<ImageInfo>;
  ready(): Promise<void>;
  terminate(): void;
}

export interface WorkerConfig {
  /** Where worker.js is served, if not next to the importing module. */
  url?: string | URL;
  /** Where the .wasm file is served, if not next to worker.js. */
  wasm?: string | URL;
}

export function createWorker(config?: WorkerConfig): EdgepixWorker;
