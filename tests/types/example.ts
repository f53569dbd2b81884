// Compile-only check of the published types (tsc --noEmit -p tests/types).
import { transform, inspect, init, version, EdgepixError } from 'edgepix';
import type { TransformOptions, TransformResult, ErrorCode, Stage, ProgressEvent } from 'edgepix';
import { createWorker } from 'edgepix/worker';

export async function preprocess(file: File, signal?: AbortSignal): Promise<Blob> {
  await init();
  const options: TransformOptions = {
    width: 1600,
    height: 1600,
    fit: 'scale-down',
    format: 'webp',
    quality: 'medium-high',
    maxBytes: 500_000,
    preserveMetadata: false,
    signal,
    onProgress: (e: ProgressEvent) => {
      const stage: Stage = e.stage;
      if (stage === 'decode' || stage === 'fit') console.log(stage, e.progress);
    },
  };
  try {
    const r: TransformResult = await transform(file, options);
    const px: number = r.width * r.height;
    const ms: number = r.timings.decode + r.timings.resize + r.timings.encode;
    console.log(r.mimeType, r.format, r.bytes.byteLength, px, ms, r.notes, r.input.orientation);
    return r.blob;
  } catch (e) {
    if (e instanceof EdgepixError) {
      const code: ErrorCode = e.code;
      console.warn(code, e.status, e.message);
    }
    throw e;
  }
}

export async function inWorker(bytes: Uint8Array | ArrayBuffer): Promise<number> {
  const w = createWorker();
  await w.ready();
  const info = await w.inspect(bytes);
  const r = await w.transform(bytes, { width: info.width >> 1, gravity: { x: 0.5, y: 0.3 }, fit: 'cover', height: 200 });
  w.terminate();
  console.log(await version(), (await inspect(r.blob)).original.format);
  return r.bytes.length;
}

// @ts-expect-error: fit values are checked
transform(new Uint8Array(), { fit: 'sideways' });

// Cloudflare's adjustments, trims and border in the Workers object form.
export const adjusted: TransformOptions = {
  width: 800,
  fit: 'aspect-crop',
  blur: 20,
  sharpen: 1,
  brightness: 1.2,
  contrast: 1.1,
  gamma: 0.9,
  saturation: 0,
  trim: { left: 10, top: 10, width: 300, height: 200, border: { color: '#fff', tolerance: 240, keep: 2 } },
  border: { color: 'hsl(0 100% 50%)', width: 4 },
};

// @ts-expect-error: stages are named
const notAStage: Stage = 'transform';
console.log(notAStage);
// signal and onProgress may be null, as fetch() allows
transform(new Uint8Array(), { signal: null, onProgress: null });
