//! edgepix: one image engine for the edge (Cloudflare Worker), the browser (npm) and batch
//! jobs (CLI). Data flows one way: options -> probe -> plan -> decode -> transform -> encode.
//! The adapters (`edge`, `web`, `bin/edgepix`) only translate their inputs and outputs.

pub mod answer;
pub mod budget;
pub mod codecs;
pub mod cursor;
pub mod draw;
pub mod error;
pub mod exif;
pub mod experiments;
pub mod fit_bytes;
pub mod format;
pub mod heap;
pub mod info;
pub mod limits;
pub mod metadata;
pub mod metrics;
pub mod options;
pub mod pipeline;
pub mod pixels;
pub mod plan;
pub mod probe;
pub mod quality;
pub mod raster;
pub mod resolve;
pub mod signing;
pub mod smart_crop;
pub mod steps;
pub mod svg;

#[cfg(feature = "web")]
pub mod web;

#[cfg(feature = "worker")]
pub mod edge;

pub use draw::transform_with_overlays;
pub use error::{Error, ErrorCode, Result};
pub use format::{Accepts, ImageFormat, OutputFormat};
pub use limits::Limits;
pub use options::Options;
pub use pipeline::{transform, transform_resolved, Output, Timings};
pub use probe::{probe, Probe};
pub use resolve::{Client, Resolved};

/// Part of every cache key, so a deploy never serves variants made by an older pipeline. The
/// suffix is a hash of `tests/golden/engine.tsv` (see build.rs): the output hashes of a fixed
/// set of transforms on the wasm32 build, which `tests/golden/check.mjs` verifies. Bytes that
/// change without the table failing the test cannot exist; a table that changes, changes this.
pub const ENGINE_VERSION: &str = concat!(
    "edgepix-",
    env!("CARGO_PKG_VERSION"),
    "-",
    env!("EDGEPIX_GOLDEN")
);

/// Metadata of an image (the `format=json` document) from its header alone.
pub fn inspect(bytes: &[u8], limits: &Limits) -> Result<String> {
    let p = probe::probe(bytes, limits)?;
    Ok(info::json(&p, None))
}
