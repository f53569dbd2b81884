use super::{base, JpegHeader, Span, Walked};
use crate::cursor::Cursor;
use crate::error::{Error, Result};
use crate::format::ImageFormat;

const XMP_SIG: &[u8] = b"http://ns.adobe.com/xap/1.0/\0";

/// Walks the marker segments up to the first scan. A segment whose declared length runs past
/// the end of the file is corruption (422); every step moves forward by at least one byte.
pub(super) fn probe(data: &[u8]) -> Result<Walked> {
    let corrupt = |why: &str| Error::corrupt("JPEG", why);
    let mut c = Cursor::at(data, 2);
    let mut sof: Option<(u8, JpegHeader, u16, u16)> = None;
    let mut p = base(ImageFormat::Jpeg, data, 0, 0);
    let mut adobe = None;
    while c.remaining() >= 4 {
        if c.u8() != Some(0xFF) {
            return Err(corrupt("expected a marker"));
        }
        let marker = c.peek(1).map_or(0, |m| m[0]);
        if marker == 0xFF {
            continue; // fill byte: the next 0xFF is the marker's
        }
        c.skip(1);
        if (0xD0..=0xD7).contains(&marker) || marker == 0x01 {
            continue; // standalone markers carry no length
        }
        if marker == 0xD9 || marker == 0xDA {
            break;
        }
        let len = c.be16().unwrap_or(0);
        if len < 2 {
            return Err(corrupt("a segment has an invalid length"));
        }
        let seg = c.take(len as u64 - 2).ok_or_else(|| {
            corrupt(&format!(
                "segment FF{marker:02X} declares {len} bytes, past the end of the file"
            ))
        })?;
        match marker {
            0xE1 if seg.starts_with(b"Exif\0\0") && p.exif.is_none() => {
                p.exif = Some(Span::within(data, &seg[6..]));
                p.orientation = crate::exif::orientation(&seg[6..]);
            }
            0xE1 if seg.starts_with(XMP_SIG) && p.xmp.is_none() => {
                p.xmp = Some(Span::within(data, &seg[XMP_SIG.len()..]))
            }
            0xE2 if seg.starts_with(b"ICC_PROFILE\0") => {
                p.has_icc = true;
                p.icc_bytes += seg.len() as u64 - 12;
            }
            0xEE if seg.starts_with(b"Adobe") && seg.len() >= 12 => adobe = Some(seg[11]),
            0xC0..=0xCF if marker != 0xC4 && marker != 0xC8 && marker != 0xCC && sof.is_none() => {
                sof = Some(frame_header(marker, seg)?);
            }
            _ => {}
        }
    }
    let (precision, mut hdr, height, width) =
        sof.ok_or_else(|| corrupt("no frame header (SOF) before the first scan"))?;
    hdr.adobe_transform = adobe;
    p.width = width as u32;
    p.height = height as u32;
    p.bit_depth = precision;
    p.progressive = hdr.progressive;
    p.jpeg = Some(hdr);
    Ok(Walked::sound(p))
}

/// SOFn: precision, height, width, then per component its id, sampling factors and table.
fn frame_header(marker: u8, seg: &[u8]) -> Result<(u8, JpegHeader, u16, u16)> {
    let truncated = || Error::corrupt("JPEG", "the frame header is truncated");
    let mut c = Cursor::new(seg);
    let precision = c.u8().ok_or_else(truncated)?;
    let height = c.be16().ok_or_else(truncated)?;
    let width = c.be16().ok_or_else(truncated)?;
    let components = c.u8().ok_or_else(truncated)?;
    let mut hdr = JpegHeader {
        components,
        arithmetic: marker >= 0xC9,
        lossless: matches!(marker, 0xC3 | 0xC7 | 0xCB | 0xCF),
        progressive: matches!(marker, 0xC2 | 0xC6 | 0xCA | 0xCE),
        sof_marker: marker,
        ..JpegHeader::default()
    };
    for i in 0..components as usize {
        let [_id, hv, _table] = c.array().ok_or_else(truncated)?;
        let (h, v) = (hv >> 4, hv & 15);
        if !(1..=4).contains(&h) || !(1..=4).contains(&v) {
            return Err(Error::corrupt(
                "JPEG",
                "a component has sampling factors outside 1..4",
            ));
        }
        if let Some(s) = hdr.sampling.get_mut(i) {
            *s = (h, v);
        }
    }
    Ok((precision, hdr, height, width))
}
