//! Resource limits, checked from headers before any pixel buffer exists.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Limits {
    /// Encoded input size. Cloudflare Images accepts up to 70 MB; the edge default is lower
    /// because the isolate has 128 MB in total.
    pub max_input_bytes: usize,
    /// Declared width x height of the input. 100 MP matches Cloudflare Images.
    pub max_input_pixels: u64,
    /// Largest width or height we will produce (Cloudflare's limit is 12,000 px).
    pub max_output_dimension: u32,
    /// Frames in an animation we accept at all (only the first is decoded today).
    pub max_frames: u32,
    /// Largest decoded buffer (after shrink-on-load) we allow, in bytes. This is what keeps a
    /// transform inside the isolate's 128 MB: a 100 MP RGBA frame would need 400 MB.
    pub max_decoded_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_input_bytes: 40 * 1024 * 1024,
            max_input_pixels: 100_000_000,
            max_output_dimension: 12_000,
            max_frames: 1_000,
            max_decoded_bytes: 96 * 1024 * 1024,
        }
    }
}
