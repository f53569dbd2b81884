/** Inputs the API accepts. */
export type Input = Blob | ArrayBuffer | ArrayBufferView;

export type Fit = 'scale-down' | 'scale-up' | 'contain' | 'cover' | 'crop' | 'pad' | 'squeeze' | 'aspect-crop';
export type Format = 'auto' | 'jpeg' | 'baseline-jpeg' | 'png' | 'webp' | 'avif' | 'json';
export type Quality = number | 'high' | 'medium-high' | 'medium-low' | 'low';
export type Gravity = 'auto' | 'center' | 'left' | 'right' | 'top' | 'bottom' | `${number}x${number}` | { x: number; y: number };

/**
 * Where a transform is. `decode`, `resize` and `encode` are reported by the engine as it enters
 * each stage (`resize` covers crop, rotation, colour conversion and background too); `fit`
 * when a `maxBytes` search encodes again after the first encode missed the budget. `read`
 * (input bytes), `init` (loading the wasm) and `done` come from the wrapper. A `format: 'json'`
 * transform has no decode/resize/encode.
 */
export type Stage = 'read' | 'init' | 'decode' | 'resize' | 'encode' | 'fit' | 'done';

export interface ProgressEvent {
  stage: Stage;
  /** Fixed mark of the stage on a 0..1 scale (read 0, init 0.05, decode 0.1, resize 0.45,
   * encode 0.7, fit 0.85, done 1): non-decreasing, for a progress bar; not a time estimate. */
  progress: number;
}

/** The Cloudflare Images option set in object form, plus the package options. */
export interface TransformOptions {
  width?: number;
  height?: number;
  dpr?: number;
  fit?: Fit;
  gravity?: Gravity;
  quality?: Quality;
  format?: Format;
  /** CSS colour, e.g. `"#fff"`, `"rgba(0,0,0,0.5)"`, `"white"`. */
  background?: string;
  /** `keep`, `copyright` or `none`; prefer `preserveMetadata`. Cannot be combined with it. */
  metadata?: 'keep' | 'copyright' | 'none';
  /** Default `true`: an animated GIF/WebP stays animated (WebP, or GIF) with every frame
   * resized, delays and loop count kept; `false` gives the first frame as a still. */
  anim?: boolean;
  rotate?: 90 | 180 | 270;
  flip?: 'h' | 'v' | 'hv';
  /** `"top;right;bottom;left"`, `"border"`, or the object; lengths are times `dpr`. */
  trim?:
    | string
    | {
        top?: number;
        right?: number;
        bottom?: number;
        left?: number;
        /** Width kept from `left` on. */
        width?: number;
        /** Height kept from `top` down. */
        height?: number;
        /** Cut a border of one colour found in the pixels. `tolerance`: 255 must match
         * exactly, 0 matches anything (default 245). `keep`: border pixels left per side. */
        border?: boolean | { color?: string; tolerance?: number; keep?: number };
      };
  /** A frame of one CSS colour around the resized image; widths are times `dpr`. */
  border?: { color?: string; width?: number; top?: number; right?: number; bottom?: number; left?: number };
  /** 0-250: Gaussian blur, sigma = 1 + blur / 2 (docs/OPTIONS.md). */
  blur?: number;
  /** 0-10: unsharp mask, sigma 1, amount sharpen / 2. */
  sharpen?: number;
  /** Multipliers, 1 = unchanged (0-10). Gamma: v^(1/gamma), 2 lightens. Saturation 0 = grey. */
  brightness?: number;
  contrast?: number;
  gamma?: number;
  saturation?: number;
  /** Byte budget: lowers quality first, then size; never larger than the input when the format
   * is unchanged. Rejects with code `output_too_large` when nothing fits. */
  maxBytes?: number;
  /** Keep EXIF/XMP/ICC metadata. Default `false`: all metadata (GPS included) is stripped.
   * EXIF orientation is always applied to the pixels. */
  preserveMetadata?: boolean;
  /** Resource limits, checked from the header before decoding (an over-limit input or a
   * transform whose estimated peak memory passes `maxMemoryBytes` rejects with status 413).
   * Defaults are `Limits::LOCAL`: 256 MiB input, 200 MP, 1 GiB of memory per transform. */
  limits?: Limits;
  /** Rejects with `signal.reason` (an `AbortError` DOMException by default). With
   * `createWorker()` an abort stops a running transform (its worker is terminated and the next
   * job gets a fresh one); on the main thread a transform already inside the engine runs to its
   * end and its result is dropped. */
  signal?: AbortSignal | null;
  /** Called as the transform enters each stage, synchronously from inside the engine on the
   * main thread, by message from a worker. Exceptions it throws are reported, not propagated. */
  onProgress?: ((event: ProgressEvent) => void) | null;
}

export interface Timings {
  decode: number;
  resize: number;
  encode: number;
}

export interface InputInfo {
  format: 'jpeg' | 'png' | 'gif' | 'webp' | 'avif';
  /** After EXIF orientation. */
  width: number;
  height: number;
  bytes: number;
  orientation: number;
}

export interface Limits {
  maxInputBytes?: number;
  maxInputPixels?: number;
  maxOutputDimension?: number;
  maxOutputPixels?: number;
  maxFrames?: number;
  maxDecodedBytes?: number;
  maxMemoryBytes?: number;
  /** Largest output area encoded as AVIF (a package built with the `avif` feature); larger is WebP with a note. */
  maxAvifPixels?: number;
}

export interface TransformResult {
  blob: Blob;
  bytes: Uint8Array;
  width: number;
  height: number;
  /** `gif` only for an animation kept as GIF. */
  format: 'jpeg' | 'png' | 'webp' | 'avif' | 'gif' | 'json';
  mimeType: string;
  timings: Timings;
  /** Things served differently from what was asked (e.g. avif served as webp, and why). */
  notes: string[];
  /** The plan's estimate of the transform's peak memory in bytes (docs/RELIABILITY.md). */
  memoryEstimate: number;
  input: InputInfo;
}

export interface ImageInfo {
  width: number;
  height: number;
  original: { file_size: number; width: number; height: number; format: string };
  /** edgepix's own facts, kept apart from Cloudflare's documented shape above. */
  edgepix: { input: Record<string, unknown> };
}

export type ErrorCode =
  | 'bad_option'
  | 'unknown_option'
  | 'unsupported_option'
  | 'input_too_large'
  | 'too_many_pixels'
  | 'output_too_large'
  | 'too_many_frames'
  | 'unsupported_format'
  | 'corrupt_image'
  | 'internal';

/**
 * Every engine failure. `internal` (500) is a bug: the engine trapped (e.g. a panic) on this
 * input; the call rejects with it, `cause` holds the WebAssembly.RuntimeError, and the engine
 * is re-instantiated so the next call works.
 */
export class EdgepixError extends Error {
  constructor(code: ErrorCode, message: string, status: number, options?: { cause?: unknown });
  readonly name: 'EdgepixError';
  readonly code: ErrorCode;
  /** The HTTP status the edge Worker answers this error with (400, 413, 415, 422, 500). */
  readonly status: number;
}

export type WasmSource = string | URL | Response | BufferSource | WebAssembly.Module;

/** Load the wasm module (automatic on first use). */
export function init(source?: WasmSource): Promise<void>;
export function transform(input: Input, options?: TransformOptions): Promise<TransformResult>;
export function inspect(input: Input, options?: { signal?: AbortSignal | null }): Promise<ImageInfo>;
export function version(): Promise<string>;

/**
 * Node entry only (a browser must never hold the secret): the path of a signed request for a
 * Worker with SIGNING_KEYS. `options` in canonical URL form (e.g. "width=640,format=auto") or
 * `variant`, `source` as it appears in the URL, `expires` in Unix seconds. See docs/CACHING.md.
 */
export function sign(o: { key: string; options?: string; variant?: string; source: string; expires?: number }): string;
