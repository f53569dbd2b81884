//! edgepix: one image engine for the edge (Cloudflare Worker), the browser (npm) and batch
//! jobs (CLI). Data flows one way: options -> probe -> plan -> decode -> transform -> encode.
//! The adapters (`edge`, `web`, `bin/edgepix`) only translate their inputs and outputs.

pub mod budget;
pub mod codecs;
pub mod cursor;
pub mod error;
pub mod exif;
pub mod fit_bytes;
pub mod format;
pub mod info;
pub mod limits;
pub mod options;
pub mod pipeline;
pub mod pixels;
pub mod plan;
pub mod probe;

#[cfg(feature = "web")]
pub mod web;

#[cfg(feature = "worker")]
pub mod edge;

pub use error::{Error, ErrorCode, Result};
pub use format::{Accepts, ImageFormat};
pub use limits::Limits;
pub use options::Options;
pub use pipeline::{transform, Output, Timings};
pub use plan::OutputFormat;
pub use probe::{probe, Probe};

/// Bumped whenever the same input and options could produce different bytes; part of every
/// cache key, so a deploy never serves variants made by an older pipeline.
pub const ENGINE_VERSION: &str = concat!("edgepix-", env!("CARGO_PKG_VERSION"), "-p1");

/// Metadata of an image (the `format=json` document) from its header alone.
pub fn inspect(bytes: &[u8], limits: &Limits) -> Result<String> {
    let p = probe::probe(bytes, limits)?;
    Ok(info::json(&p, None))
}
