//! Resource limits, all checked from headers before any pixel buffer exists.
//!
//! What each one guarantees is stated on the field. Together they bound one transform: the
//! input bytes are read only up to `max_input_bytes`, the probe refuses bombs by their declared
//! size and frame count, and the plan refuses any transform whose estimated peak memory
//! (`crate::budget`) is above `max_memory_bytes`. docs/RELIABILITY.md has the arithmetic that
//! fits the defaults into a 128 MB Worker isolate.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Limits {
    /// Encoded input size. The Worker checks Content-Length before reading a body and counts
    /// the bytes while reading, so it never holds more than this of a source. Cloudflare Images
    /// accepts up to 70 MB; an isolate of 128 MB cannot decode what such a file usually holds.
    pub max_input_bytes: usize,
    /// Declared width x height of the input, checked by the probe (decompression bombs are
    /// refused before a decoder runs). 100 MP matches Cloudflare Images.
    pub max_input_pixels: u64,
    /// Largest width or height of the output (Cloudflare's limit is 12,000 px).
    pub max_output_dimension: u32,
    /// Largest output area (width x height, including a `pad` canvas). The memory budget is
    /// usually the tighter bound; this one holds whatever budget a caller sets.
    pub max_output_pixels: u64,
    /// Frames of an animation accepted at all, counted from the headers.
    pub max_frames: u32,
    /// Pixels in all frames of an animation (`Probe::animation_area`) that may still be served
    /// as an animation: past it the request is refused (413 `too_many_pixels`) unless it asks
    /// for a still (`anim=false`, or a JPEG/PNG output). Cloudflare's limit: 100 MP.
    pub max_animation_pixels: u64,
    /// Above this many pixels in all frames an animation is served as it came, untransformed,
    /// as Cloudflare does above 50 MP: no frame is decoded.
    pub max_transformed_animation_pixels: u64,
    /// Output pixels of an animation in all frames (frames x output width x height): each
    /// frame is resized and encoded on its own, so this bounds the encoder's share of the CPU
    /// time one request takes (the input's share is bounded by the two limits above). Past it
    /// the animation is served as it came, as above `max_transformed_animation_pixels`. At
    /// the edge 20 MP: the worst case measured on the wasm32 build (noise-like frames with
    /// alpha, ~1 us per output pixel in node on a loaded 2-core machine) stays near 20 s.
    pub max_animation_output_pixels: u64,
    /// Largest buffer a third-party decoder may allocate, handed to it as its own limit: a
    /// second line of defence behind the plan's budget, for the buffers the plan cannot see.
    pub max_decoded_bytes: usize,
    /// Peak bytes one transform may hold at once (input, decoder, resampler, encoder and output
    /// buffers, with the allocator's slack), estimated by the plan from header facts. A plan
    /// above it is refused with 413 `over_memory_budget` before anything is decoded; an
    /// encoder whose output would pass the allowance the plan gave it stops with the same code.
    pub max_memory_bytes: usize,
    /// Largest output (width x height) encoded as AVIF; a larger `format=avif` is answered as
    /// WebP with a note, as Cloudflare answers WebP "when encoding would be slow". rav1e costs
    /// seconds per megapixel on the Worker's one thread (docs/OPTIONS.md, AVIF output), so
    /// this bounds the CPU time of one AVIF answer. 0 turns AVIF output off. Cloudflare's
    /// other AVIF rule, 1,200 px on the longest side, is `plan::AVIF_MAX_SIDE`.
    pub max_avif_pixels: u64,
}

impl Limits {
    /// The Worker's defaults: one transform fits a 128 MB isolate beside the compiled module,
    /// the JS heap and the response copies (docs/RELIABILITY.md).
    pub const EDGE: Limits = Limits {
        max_input_bytes: 32 * 1024 * 1024,
        max_input_pixels: 100_000_000,
        max_output_dimension: 12_000,
        max_output_pixels: 36_000_000,
        max_frames: 1_000,
        max_animation_pixels: 100_000_000,
        max_transformed_animation_pixels: 50_000_000,
        max_animation_output_pixels: 20_000_000,
        max_decoded_bytes: 96 * 1024 * 1024,
        max_memory_bytes: 96 * 1024 * 1024,
        max_avif_pixels: 1_000_000,
    };

    /// The defaults of the npm package and the CLI: a browser tab or a process has far more than an
    /// isolate, and photos are re-encoded at full size there; wasm32 stops at 4 GiB.
    pub const LOCAL: Limits = Limits {
        max_input_bytes: 256 * 1024 * 1024,
        max_input_pixels: 200_000_000,
        max_output_dimension: 16_383,
        max_output_pixels: 100_000_000,
        max_frames: 1_000,
        max_animation_pixels: 100_000_000,
        max_transformed_animation_pixels: 50_000_000,
        max_animation_output_pixels: 200_000_000,
        max_decoded_bytes: 1024 * 1024 * 1024,
        max_memory_bytes: 1024 * 1024 * 1024,
        // the 1,200 px side is the bound here
        max_avif_pixels: 1_440_000,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::EDGE
    }
}
