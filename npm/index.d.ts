/** Inputs the API accepts. */
export type Input = Blob | ArrayBuffer | ArrayBufferView;

export type Fit = 'scale-down' | 'contain' | 'cover' | 'crop' | 'pad' | 'squeeze';
export type Format = 'auto' | 'jpeg' | 'baseline-jpeg' | 'png' | 'webp' | 'avif' | 'json';
export type Quality = number | 'high' | 'medium-high' | 'medium-low' | 'low';
export type Gravity = 'auto' | 'center' | 'left' | 'right' | 'top' | 'bottom' | `${number}x${number}` | { x: number; y: number };

export interface ProgressEvent {
  stage: 'read' | 'init' | 'transform' | 'done';
  /** 0..1, coarse: the engine runs each transform as one step. */
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
  anim?: boolean;
  rotate?: 90 | 180 | 270;
  flip?: 'h' | 'v' | 'hv';
  trim?: string | { top?: number; right?: number; bottom?: number; left?: number };
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
  /** Rejects with `signal.reason` (an `AbortError` DOMException by default). */
  signal?: AbortSignal;
  onProgress?: (event: ProgressEvent) => void;
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
}

export interface TransformResult {
  blob: Blob;
  bytes: Uint8Array;
  width: number;
  height: number;
  format: 'jpeg' | 'png' | 'webp' | 'json';
  mimeType: string;
  timings: Timings;
  /** Things served differently from what was asked (e.g. avif served as webp). */
  notes: string[];
  /** The plan's estimate of the transform's peak memory in bytes (docs/RELIABILITY.md). */
  memoryEstimate: number;
  input: InputInfo;
}

export interface ImageInfo {
  width: number;
  height: number;
  original: { file_size: number; width: number; height: number; format: string };
  input: Record<string, unknown>;
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

export class EdgepixError extends Error {
  constructor(code: ErrorCode, message: string, status: number);
  readonly name: 'EdgepixError';
  readonly code: ErrorCode;
  /** The HTTP status the edge Worker answers this error with (400, 413, 415, 422, 500). */
  readonly status: number;
}

export type WasmSource = string | URL | Response | BufferSource | WebAssembly.Module;

/** Load the wasm module (automatic on first use). */
export function init(source?: WasmSource): Promise<void>;
export function transform(input: Input, options?: TransformOptions): Promise<TransformResult>;
export function inspect(input: Input, options?: { signal?: AbortSignal }): Promise<ImageInfo>;
export function version(): Promise<string>;

/**
 * Node entry only (a browser must never hold the secret): the path of a signed request for a
 * Worker with SIGNING_KEYS. `options` in canonical URL form (e.g. "width=640,format=auto") or
 * `variant`, `source` as it appears in the URL, `expires` in Unix seconds. See docs/CACHING.md.
 */
export function sign(o: { key: string; options?: string; variant?: string; source: string; expires?: number }): string;
