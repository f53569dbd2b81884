use super::{base, be32, Probe};
use crate::error::{Error, Result};
use crate::format::ImageFormat;

pub(super) fn probe(data: &[u8]) -> Result<Probe> {
    let corrupt = |why: &str| Error::corrupt("PNG", why);
    if data.get(12..16) != Some(b"IHDR") || be32(data, 8) != Some(13) {
        return Err(corrupt("the first chunk is not a 13-byte IHDR"));
    }
    let ihdr = data
        .get(16..29)
        .ok_or_else(|| corrupt("IHDR is truncated"))?;
    let mut p = base(
        ImageFormat::Png,
        data,
        be32(ihdr, 0).unwrap_or(0),
        be32(ihdr, 4).unwrap_or(0),
    );
    let (depth, color) = (ihdr[8], ihdr[9]);
    let valid = match color {
        0 => matches!(depth, 1 | 2 | 4 | 8 | 16),
        3 => matches!(depth, 1 | 2 | 4 | 8),
        2 | 4 | 6 => matches!(depth, 8 | 16),
        _ => false,
    };
    if !valid {
        return Err(corrupt("IHDR has an invalid bit depth / colour type pair"));
    }
    p.bit_depth = depth;
    p.has_alpha = color == 4 || color == 6;
    p.progressive = ihdr[12] == 1;
    let mut pos = 33;
    while let (Some(len), Some(kind)) = (be32(data, pos), data.get(pos + 4..pos + 8)) {
        let len = len as usize;
        let body = data.get(pos + 8..pos + 8 + len);
        match kind {
            b"IDAT" | b"IEND" => break,
            b"iCCP" => p.has_icc = true,
            b"tRNS" => p.has_alpha = true,
            b"acTL" => p.frames = body.and_then(|b| be32(b, 0)).unwrap_or(1).max(1),
            b"eXIf" => p.exif = body.map(<[u8]>::to_vec),
            _ => {}
        }
        pos = match pos.checked_add(12 + len) {
            Some(next) => next,
            None => break,
        };
    }
    Ok(p)
}
