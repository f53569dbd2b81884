use super::{base, Span, Walked};
use crate::cursor::Cursor;
use crate::error::{Error, Result};
use crate::format::ImageFormat;

/// Inflated iCCP bytes the decoder may hold: real profiles stay under 600 kB. The plan's
/// decode estimate includes it and becomes the png crate's own byte limit, so a profile that
/// inflates past it is refused (413) rather than allocated.
pub const PNG_ICC_ALLOWANCE: u64 = 1 << 20;

/// Walks the chunks before the first IDAT. A chunk whose declared length runs past the end of
/// the file is corruption (422): the walk never guesses where the next chunk might be. That
/// damage is reported after the size limits, so a bomb is still called a bomb.
pub(super) fn probe(data: &[u8]) -> Result<Walked> {
    let corrupt = |why: &str| Error::corrupt("PNG", why);
    let mut c = Cursor::at(data, 8);
    if c.be32() != Some(13) || c.take(4) != Some(b"IHDR") {
        return Err(corrupt("the first chunk is not a 13-byte IHDR"));
    }
    let mut ihdr = Cursor::new(c.take(13).ok_or_else(|| corrupt("IHDR is truncated"))?);
    c.skip(4).ok_or_else(|| corrupt("IHDR is truncated"))?; // CRC
    let (w, h) = (ihdr.be32().unwrap_or(0), ihdr.be32().unwrap_or(0));
    let mut p = base(ImageFormat::Png, data, w, h);
    let [depth, color, _compression, _filter, interlace] =
        ihdr.array().ok_or_else(|| corrupt("IHDR is truncated"))?;
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
    p.png_color_type = Some(color);
    p.has_alpha = color == 4 || color == 6;
    p.progressive = interlace == 1;
    // A file may end right after IHDR or inside a chunk header: the decoder reports that.
    while let (Some(len), Some(kind)) = (c.be32(), c.array::<4>()) {
        match &kind {
            b"IDAT" | b"IEND" => break,
            _ => {}
        }
        let Some(body) = c.take(len as u64) else {
            let damage = corrupt(&format!(
                "chunk {} declares {len} bytes, past the end of the file",
                String::from_utf8_lossy(&kind)
            ));
            return Ok(Walked::damaged(p, damage));
        };
        match &kind {
            b"iCCP" => {
                p.has_icc = true;
                p.icc_bytes = PNG_ICC_ALLOWANCE;
            }
            b"tRNS" => p.has_alpha = true,
            b"acTL" => p.frames = Cursor::new(body).be32().unwrap_or(1).max(1),
            b"eXIf" => p.exif = Some(Span::within(data, body)),
            _ => {}
        }
        if c.skip(4).is_none() {
            break; // CRC cut off: the decoder decides what the truncated file still holds
        }
    }
    Ok(Walked::sound(p))
}
