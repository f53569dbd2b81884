//! An answer made of the input's own bytes (an animation above the transform limits, served
//! as it came) still honours `metadata=`: the container's metadata is rewritten without
//! decoding a pixel. One linear walk of the chunk or block headers decides which runs of the
//! input the answer keeps; they are then copied into one allocation of the answer's exact size,
//! never more than the input's.

use crate::error::{Error, Result};
use crate::format::ImageFormat;
use crate::options::Metadata;

/// The input's bytes as an untransformed answer under `mode`: `keep` is the input itself;
/// `copyright` and `none` drop what the transformed path drops (`super::Kept`).
pub fn untransformed(source: &[u8], format: ImageFormat, mode: Metadata) -> Result<Vec<u8>> {
    if mode == Metadata::Keep {
        return Ok(source.to_vec());
    }
    match format {
        ImageFormat::Webp => super::riff::strip(source, mode),
        ImageFormat::Gif => super::gif_blocks::strip(source),
        // Only GIF and WebP animate here (`plan::frames`), so nothing else is served as it
        // came; were it to be, refusing beats answering metadata the mode drops.
        other => Err(Error::internal(format!(
            "{} reached the untransformed answer",
            other.name()
        ))),
    }
}
