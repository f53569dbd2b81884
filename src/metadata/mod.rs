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

/// The largest APP1 segment the JPEG encoder writes (a segment's length field is 16 bits).
pub const JPEG_SEGMENT_MAX: usize = 65_000;
/// What precedes the TIFF bytes in a JPEG's EXIF segment, and the packet in its XMP segment.
pub const EXIF_PREFIX: &[u8] = b"Exif\0\0";
pub const XMP_PREFIX: &[u8] = b"http://ns.adobe.com/xap/1.0/\0";

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
        let jpeg = matches!(output, OutputFormat::Jpeg { .. });
        // a JPEG holds each in one APP1 segment: a larger one is not written, so not copied
        let fits = |prefix: usize, len: usize| !jpeg || prefix + len < JPEG_SEGMENT_MAX;
        let exif = probe
            .exif
            .filter(|s| mode == Metadata::Copyright || fits(EXIF_PREFIX.len(), s.len))
            .map(|s| s.of(source));
        let xmp = match (mode, jpeg) {
            (Metadata::Keep, true) => probe
                .xmp
                .filter(|s| fits(XMP_PREFIX.len(), s.len))
                .map(|s| s.of(source).to_vec()),
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
