//! A WebP's metadata chunks rewritten for `metadata=copyright` or `none`, pixels untouched.
//! `EXIF` becomes a one-entry copyright EXIF (`crate::exif::copyright_only`, as the
//! transformed path writes) or goes; `XMP ` and chunks the container does not define go; the
//! image chunks and `ICCP` stay byte for byte (the profile says how the untouched pixels look,
//! so it is colour, not metadata; the transformed path converts to sRGB instead). The VP8X
//! flags and the RIFF size are set to what remains.

use super::pieces::Pieces;
use crate::cursor::Cursor;
use crate::error::{Error, Result};
use crate::options::Metadata;

const EXIF_FLAG: u8 = 0x08;
const XMP_FLAG: u8 = 0x04;

pub(super) fn strip(source: &[u8], mode: Metadata) -> Result<Vec<u8>> {
    let corrupt = |why: String| Error::corrupt("WebP", why);
    if source.len() < 12 || &source[..4] != b"RIFF" || &source[8..12] != b"WEBP" {
        return Err(corrupt("no RIFF/WEBP header".into()));
    }
    let mut out = Pieces::new(source);
    let header = out.add(source[..12].to_vec());
    let mut vp8x = None;
    let mut has_exif = false;
    let mut c = Cursor::at(source, 12);
    while let (Some(kind), Some(len)) = (c.array::<4>(), c.le32()) {
        let start = c.pos() - 8;
        let pixels = matches!(&kind, b"VP8 " | b"VP8L" | b"ALPH" | b"ANMF");
        let body = match c.take(len as u64) {
            Some(b) => b,
            // as the probe: only image data may be cut short, and it is answered as it came
            None if pixels => c.take_at_most(len as u64),
            None => {
                return Err(corrupt(format!(
                    "chunk {} declares {len} bytes, past the end of the file",
                    String::from_utf8_lossy(&kind)
                )))
            }
        };
        if len & 1 == 1 {
            c.skip(1); // the pad byte; missing at the very end is fine
        }
        let end = c.pos();
        match &kind {
            b"VP8X" if vp8x.is_none() => {
                vp8x = Some(out.add(source[start..end].to_vec()));
            }
            b"VP8 " | b"VP8L" | b"ALPH" | b"ANIM" | b"ANMF" | b"ICCP" => out.keep(start..end),
            b"EXIF" if mode == Metadata::Copyright && !has_exif => {
                let tiff = crate::exif::tiff_payload(body);
                // never larger than the chunk it replaces, so the answer never outgrows the
                // input (only an unterminated ASCII tag could make it one byte longer)
                if let Some(new) = crate::exif::copyright(tiff)
                    .map(|text| crate::exif::copyright_only(&text))
                    .filter(|t| t.len() <= body.len())
                {
                    let mut chunk = Vec::with_capacity(8 + new.len() + 1);
                    chunk.extend_from_slice(b"EXIF");
                    chunk.extend_from_slice(&(new.len() as u32).to_le_bytes());
                    chunk.extend_from_slice(&new);
                    if new.len() & 1 == 1 {
                        chunk.push(0);
                    }
                    out.add(chunk);
                    has_exif = true;
                }
            }
            // EXIF under `none`, XMP, and chunks the container does not define
            _ => {}
        }
    }
    if let Some(flags) = vp8x.and_then(|i| out.patch(i)).and_then(|v| v.get_mut(8)) {
        *flags &= !XMP_FLAG;
        if !has_exif {
            *flags &= !EXIF_FLAG;
        }
    }
    let riff_size = u32::try_from(out.len() - 8)
        .map_err(|_| corrupt("larger than a RIFF file can be".into()))?;
    if let Some(h) = out.patch(header) {
        h[4..8].copy_from_slice(&riff_size.to_le_bytes());
    }
    Ok(out.finish())
}
