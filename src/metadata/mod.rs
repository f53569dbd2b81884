//! What of the input's metadata an answer carries, per `metadata=` mode: `kept` for a
//! transformed output (copied once, and only what its encoder writes), `strip` for an answer
//! made of the input's own bytes (an animation served as it came), rewritten without decoding.

mod gif_blocks;
mod pieces;
mod riff;
pub mod strip;

use crate::format::OutputFormat;
use crate::options::Metadata;
use crate::probe::Probe;

/// The metadata a transformed output carries, copied out of the input once: the encoders get
/// these bytes, and nothing the output drops was ever copied.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Kept {
    /// TIFF bytes, no `Exif\0\0` prefix (`crate::exif::for_output`).
    pub exif: Option<Vec<u8>>,
    /// The XMP packet: only the JPEG encoder writes one, and only under `metadata=keep`.
    pub xmp: Option<Vec<u8>>,
}

impl Kept {
    /// What `output` keeps of `source`'s metadata (`probe` is `source`'s probe).
    pub fn for_output(source: &[u8], probe: &Probe, mode: Metadata, output: OutputFormat) -> Kept {
        let exif = probe.exif.map(|s| s.of(source));
        let xmp = match (mode, output) {
            (Metadata::Keep, OutputFormat::Jpeg { .. }) => probe.xmp.map(|s| s.of(source).to_vec()),
            _ => None,
        };
        Kept {
            exif: crate::exif::for_output(exif, mode),
            xmp,
        }
    }

    /// Bytes held: what the budget's output allowance counts for metadata is at least this.
    pub fn bytes(&self) -> u64 {
        self.exif.as_ref().map_or(0, |e| e.len() as u64)
            + self.xmp.as_ref().map_or(0, |x| x.len() as u64)
    }
}
