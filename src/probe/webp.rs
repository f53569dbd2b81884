use super::{base, FrameScan, Span, Walked};
use crate::cursor::Cursor;
use crate::error::{Error, Result};
use crate::format::ImageFormat;

/// Walks the RIFF chunks. The first chunk carries the image header; a metadata chunk whose
/// declared length runs past the end of the file is corruption (422). Only the image data
/// itself may be cut short (the decoder then decides what it can still show).
pub(super) fn probe(data: &[u8]) -> Result<Walked> {
    let corrupt = |why: &str| Error::corrupt("WebP", why);
    let mut p = base(ImageFormat::Webp, data, 0, 0);
    let mut c = Cursor::at(data, 12);
    let mut scan = FrameScan::default();
    let mut first = true;
    while let (Some(kind), Some(len)) = (c.array::<4>(), c.le32()) {
        let is_pixels = matches!(&kind, b"VP8 " | b"VP8L" | b"ALPH" | b"ANMF");
        let body = match c.take(len as u64) {
            Some(b) => b,
            None if is_pixels => c.take_at_most(len as u64),
            None => {
                let damage = corrupt(&format!(
                    "chunk {} declares {len} bytes, past the end of the file",
                    String::from_utf8_lossy(&kind)
                ));
                if first {
                    return Err(damage);
                }
                finish(&mut p, scan);
                return Ok(Walked::damaged(p, damage));
            }
        };
        let mut b = Cursor::new(body);
        match &kind {
            b"VP8 " if first => {
                b.skip(3);
                if b.take(3) != Some(&[0x9d, 0x01, 0x2a]) {
                    return Err(corrupt("the VP8 frame has no start code"));
                }
                p.width = (b.le16().unwrap_or(0) & 0x3fff) as u32;
                p.height = (b.le16().unwrap_or(0) & 0x3fff) as u32;
            }
            b"VP8L" if first => {
                if b.u8() != Some(0x2f) {
                    return Err(corrupt("the VP8L signature is wrong"));
                }
                let bits = b
                    .le32()
                    .ok_or_else(|| corrupt("the VP8L header is truncated"))?;
                p.width = (bits & 0x3fff) + 1;
                p.height = ((bits >> 14) & 0x3fff) + 1;
                p.has_alpha = (bits >> 28) & 1 == 1;
            }
            b"VP8X" if first => {
                let truncated = || corrupt("VP8X is truncated");
                let flags = b.u8().ok_or_else(truncated)?;
                p.has_icc = flags & 0x20 != 0;
                p.has_alpha = flags & 0x10 != 0;
                b.skip(3).ok_or_else(truncated)?;
                p.width = b.le24().ok_or_else(truncated)? + 1;
                p.height = b.le24().ok_or_else(truncated)? + 1;
            }
            b"EXIF" => {
                p.orientation = crate::exif::orientation(body);
                p.exif = Some(Span::within(data, crate::exif::tiff_payload(body)));
            }
            b"XMP " => p.xmp = Some(Span::within(data, body)),
            b"ICCP" => p.icc_bytes = body.len() as u64,
            b"ANIM" => scan.loop_count = b.skip(4).and_then(|_| b.le16()),
            b"ANMF" => {
                // offset x/2 and y/2, then width - 1 and height - 1, 24 bits each
                b.skip(6);
                match (b.le24(), b.le24()) {
                    (Some(w), Some(h)) => scan.add_frame(w + 1, h + 1),
                    _ => scan.add_frame(0, 0),
                }
            }
            _ if first => return Err(corrupt("the first chunk is not VP8, VP8L or VP8X")),
            _ => {}
        }
        first = false;
        // RIFF pads odd-sized chunks to an even length; a missing pad byte at the end is fine.
        if len & 1 == 1 {
            c.skip(1);
        }
    }
    if first {
        return Err(corrupt("no image chunk"));
    }
    finish(&mut p, scan);
    Ok(Walked::sound(p))
}

/// An animated file's frame facts go into the probe; a still's frame count is 1.
fn finish(p: &mut super::Probe, scan: FrameScan) {
    p.frames = scan.frames.max(1);
    if scan.frames > 0 {
        p.animation = Some(scan);
    }
}
