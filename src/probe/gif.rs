use super::{base, FrameScan, Probe, Walked};
use crate::cursor::Cursor;
use crate::error::{Error, Result};
use crate::format::ImageFormat;

/// Reads the logical screen and counts frames by skipping sub-blocks; nothing is decompressed.
pub(super) fn probe(data: &[u8]) -> Result<Walked> {
    let corrupt = |why: &str| Error::corrupt("GIF", why);
    let mut c = Cursor::at(data, 6);
    let truncated = || corrupt("the header is truncated");
    let w = c.le16().ok_or_else(truncated)?;
    let h = c.le16().ok_or_else(truncated)?;
    let flags = c.u8().ok_or_else(truncated)?;
    c.skip(2).ok_or_else(truncated)?;
    let mut p = base(ImageFormat::Gif, data, w as u32, h as u32);
    if flags & 0x80 != 0 {
        c.skip(3 << ((flags & 7) + 1))
            .ok_or_else(|| corrupt("the global colour table is truncated"))?;
    }
    let (scan, outside) = scan_blocks(&mut c, &mut p);
    p.frames = scan.frames.max(1);
    p.animation = Some(scan);
    if scan.frames > 0 && outside == scan.frames {
        // Nothing of the picture lands on the screen it declares: not an image anyone made.
        let damage = corrupt("every frame lies outside the logical screen");
        return Ok(Walked::damaged(p, damage));
    }
    Ok(Walked::sound(p))
}

/// Skips data sub-blocks up to and including the terminator. `None` when the data ends first.
pub(crate) fn skip_sub_blocks(c: &mut Cursor) -> Option<()> {
    loop {
        let n = c.u8()?;
        if n == 0 {
            return Some(());
        }
        c.skip(n as u64)?;
    }
}

/// The frames' facts, and how many frames lie wholly outside the logical screen.
fn scan_blocks(c: &mut Cursor, p: &mut Probe) -> (FrameScan, u32) {
    let mut scan = FrameScan::default();
    let mut outside = 0u32;
    while let Some(b) = c.u8() {
        match b {
            0x2C => {
                let (Some(left), Some(top), Some(fw), Some(fh), Some(f)) =
                    (c.le16(), c.le16(), c.le16(), c.le16(), c.u8())
                else {
                    break;
                };
                if left as u32 >= p.width || top as u32 >= p.height {
                    outside = outside.saturating_add(1);
                }
                scan.add_frame(fw as u32, fh as u32);
                if f & 0x80 != 0 && c.skip(3 << ((f & 7) + 1)).is_none() {
                    break;
                }
                // LZW minimum code size, then the image data sub-blocks. Truncated pixel data
                // ends the walk; the decoder decides whether what is there is usable.
                if c.u8().is_none() || skip_sub_blocks(c).is_none() {
                    break;
                }
            }
            0x21 => {
                let Some(label) = c.u8() else { break };
                // The first sub-block of an extension holds its fixed fields.
                let first = c.peek(1).and_then(|n| c.peek(1 + n[0] as u64));
                if label == 0xF9 && first.is_some_and(|b| b.len() >= 2 && b[1] & 1 != 0) {
                    p.has_alpha = true;
                }
                if label == 0xFF && first.is_some_and(|b| b.get(1..12) == Some(b"ICCRGBG1012")) {
                    p.has_icc = true;
                }
                let netscape = first.filter(|b| b.get(1..12) == Some(b"NETSCAPE2.0"));
                if let (0xFF, Some(b)) = (label, netscape) {
                    // the next sub-block: 3 bytes, id 1, the repetitions (0 = for ever). The
                    // first such extension counts, as in browsers.
                    let mut next = Cursor::at(c.data(), c.pos().saturating_add(b.len()));
                    if let (Some([3, 1, lo, hi]), None) = (next.array::<4>(), scan.loop_count) {
                        scan.loop_count = Some(u16::from_le_bytes([lo, hi]));
                    }
                }
                if skip_sub_blocks(c).is_none() {
                    break;
                }
            }
            _ => break, // 0x3B trailer, or junk after the last frame
        }
    }
    (scan, outside)
}
