use super::{base, le16, Probe};
use crate::error::{Error, Result};
use crate::format::ImageFormat;

/// Reads the logical screen and counts frames by skipping sub-blocks; nothing is decompressed.
pub(super) fn probe(data: &[u8]) -> Result<Probe> {
    let corrupt = |why: &str| Error::corrupt("GIF", why);
    let w = le16(data, 6).ok_or_else(|| corrupt("the header is truncated"))?;
    let h = le16(data, 8).ok_or_else(|| corrupt("the header is truncated"))?;
    let mut p = base(ImageFormat::Gif, data, w as u32, h as u32);
    let flags = *data
        .get(10)
        .ok_or_else(|| corrupt("the header is truncated"))?;
    let mut pos = 13;
    if flags & 0x80 != 0 {
        pos += 3 << ((flags & 7) + 1);
    }
    let mut frames = 0u32;
    let skip_sub_blocks = |mut pos: usize| -> Option<usize> {
        loop {
            let n = *data.get(pos)? as usize;
            pos += 1 + n;
            if n == 0 {
                return Some(pos);
            }
        }
    };
    while let Some(&b) = data.get(pos) {
        match b {
            0x2C => {
                let f = match data.get(pos + 9) {
                    Some(f) => *f,
                    None => break,
                };
                pos += 10;
                if f & 0x80 != 0 {
                    pos += 3 << ((f & 7) + 1);
                }
                frames += 1;
                match skip_sub_blocks(pos + 1) {
                    Some(next) => pos = next,
                    None => break, // truncated data: the decoder decides whether it is usable
                }
            }
            0x21 => {
                let label = data.get(pos + 1).copied();
                if label == Some(0xF9) && data.get(pos + 3).is_some_and(|f| f & 1 != 0) {
                    p.has_alpha = true;
                }
                if label == Some(0xFF) && data.get(pos + 3..pos + 14) == Some(b"ICCRGBG1012") {
                    p.has_icc = true;
                }
                match skip_sub_blocks(pos + 2) {
                    Some(next) => pos = next,
                    None => break,
                }
            }
            _ => break, // 0x3B trailer, or junk after the last frame
        }
    }
    p.frames = frames.max(1);
    Ok(p)
}
