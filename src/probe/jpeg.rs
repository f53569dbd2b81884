use super::{base, be16, JpegHeader, Probe};
use crate::error::{Error, Result};
use crate::format::ImageFormat;

const XMP_SIG: &[u8] = b"http://ns.adobe.com/xap/1.0/\0";

/// Walks the marker segments up to the first scan. Segment lengths come from the file, so every
/// slice is bounds-checked and the walk advances by at least two bytes per step.
pub(super) fn probe(data: &[u8]) -> Result<Probe> {
    let corrupt = |why: &str| Error::corrupt("JPEG", why);
    let mut pos = 2;
    let mut sof: Option<(u8, u16, u16, u8, u8)> = None;
    let mut p = base(ImageFormat::Jpeg, data, 0, 0);
    let mut hdr = JpegHeader::default();
    while pos + 4 <= data.len() {
        if data[pos] != 0xFF {
            return Err(corrupt("expected a marker"));
        }
        let marker = data[pos + 1];
        if marker == 0xFF {
            pos += 1; // fill byte
            continue;
        }
        if (0xD0..=0xD7).contains(&marker) || marker == 0x01 {
            pos += 2;
            continue;
        }
        if marker == 0xD9 || marker == 0xDA {
            break;
        }
        let len = be16(data, pos + 2).unwrap_or(0) as usize;
        if len < 2 {
            return Err(corrupt("a segment has an invalid length"));
        }
        let seg = &data[pos + 4..(pos + 2 + len).min(data.len())];
        match marker {
            0xE1 if seg.starts_with(b"Exif\0\0") && p.exif.is_none() => {
                p.exif = Some(seg[6..].to_vec());
                p.orientation = crate::exif::orientation(&seg[6..]);
            }
            0xE1 if seg.starts_with(XMP_SIG) && p.xmp.is_none() => {
                p.xmp = Some(seg[XMP_SIG.len()..].to_vec())
            }
            0xE2 if seg.starts_with(b"ICC_PROFILE\0") => {
                p.has_icc = true;
                hdr.icc_bytes = hdr
                    .icc_bytes
                    .saturating_add(seg.len().saturating_sub(14) as u32);
            }
            0xEE if seg.starts_with(b"Adobe") && seg.len() >= 12 => {
                hdr.adobe_transform = Some(seg[11])
            }
            0xC0..=0xCF if marker != 0xC4 && marker != 0xC8 && marker != 0xCC => {
                if seg.len() < 6 {
                    return Err(corrupt("the frame header is truncated"));
                }
                if sof.is_none() {
                    for (i, c) in seg[6..]
                        .chunks_exact(3)
                        .take(4.min(seg[5] as usize))
                        .enumerate()
                    {
                        hdr.sampling[i] = c[1];
                    }
                    sof = Some((
                        seg[0],
                        be16(seg, 1).unwrap_or(0),
                        be16(seg, 3).unwrap_or(0),
                        seg[5],
                        marker,
                    ));
                }
            }
            _ => {}
        }
        pos += 2 + len;
    }
    let (precision, height, width, components, marker) =
        sof.ok_or_else(|| corrupt("no frame header (SOF) before the first scan"))?;
    p.width = width as u32;
    p.height = height as u32;
    p.bit_depth = precision;
    p.progressive = matches!(marker, 0xC2 | 0xC6 | 0xCA | 0xCE);
    hdr.components = components;
    hdr.sof_marker = marker;
    hdr.arithmetic = marker >= 0xC9;
    hdr.lossless = matches!(marker, 0xC3 | 0xC7 | 0xCB | 0xCF);
    p.jpeg = Some(hdr);
    Ok(p)
}
