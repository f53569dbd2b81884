use super::{base, le16, le24, le32, Probe};
use crate::error::{Error, Result};
use crate::format::ImageFormat;

pub(super) fn probe(data: &[u8]) -> Result<Probe> {
    let corrupt = |why: &str| Error::corrupt("WebP", why);
    let mut p = base(ImageFormat::Webp, data, 0, 0);
    let mut pos = 12;
    let mut frames = 0u32;
    let mut first = true;
    while let (Some(kind), Some(len)) = (data.get(pos..pos + 4), le32(data, pos + 4)) {
        let len = len as usize;
        let body = &data[(pos + 8).min(data.len())..(pos + 8).saturating_add(len).min(data.len())];
        match kind {
            b"VP8 " if first => {
                if body.get(3..6) != Some(&[0x9d, 0x01, 0x2a]) {
                    return Err(corrupt("the VP8 frame has no start code"));
                }
                p.width = (le16(body, 6).unwrap_or(0) & 0x3fff) as u32;
                p.height = (le16(body, 8).unwrap_or(0) & 0x3fff) as u32;
            }
            b"VP8L" if first => {
                if body.first() != Some(&0x2f) {
                    return Err(corrupt("the VP8L signature is wrong"));
                }
                let bits = le32(body, 1).ok_or_else(|| corrupt("the VP8L header is truncated"))?;
                p.width = (bits & 0x3fff) + 1;
                p.height = ((bits >> 14) & 0x3fff) + 1;
                p.has_alpha = (bits >> 28) & 1 == 1;
            }
            b"VP8X" if first => {
                let flags = *body.first().ok_or_else(|| corrupt("VP8X is truncated"))?;
                p.has_icc = flags & 0x20 != 0;
                p.has_alpha = flags & 0x10 != 0;
                p.width = le24(body, 4).ok_or_else(|| corrupt("VP8X is truncated"))? + 1;
                p.height = le24(body, 7).ok_or_else(|| corrupt("VP8X is truncated"))? + 1;
            }
            b"EXIF" => {
                p.orientation = crate::exif::orientation(body);
                p.exif = Some(crate::exif::tiff_payload(body).to_vec());
            }
            b"XMP " => p.xmp = Some(body.to_vec()),
            b"ANMF" => frames += 1,
            _ if first => return Err(corrupt("the first chunk is not VP8, VP8L or VP8X")),
            _ => {}
        }
        first = false;
        pos = match pos.checked_add(8 + len + (len & 1)) {
            Some(next) => next,
            None => break,
        };
    }
    if first {
        return Err(corrupt("no image chunk"));
    }
    p.frames = frames.max(1);
    Ok(p)
}
