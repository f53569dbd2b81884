//! A GIF's metadata blocks dropped for `metadata=copyright` or `none`, pixels untouched: the
//! XMP application extension, comment extensions and application extensions other than the
//! loop count (`NETSCAPE2.0`, `ANIMEXTS1.0`) and the ICC profile (`ICCRGBG1012`: how the
//! untouched pixels look). Image descriptors, colour tables, graphic control and plain-text
//! extensions (drawn, so visible) stay byte for byte. A GIF holds no EXIF, so `copyright` has
//! no tag to keep: it drops what `none` drops.

use super::pieces::Pieces;
use crate::cursor::Cursor;
use crate::error::{Error, Result};
// the same sub-block walk the probe does before any rewrite is asked of the file
use crate::probe::gif::skip_sub_blocks;

/// Application extensions an animation needs (loop count) or its colours (ICC).
const KEPT_APPS: [&[u8; 11]; 3] = [b"NETSCAPE2.0", b"ANIMEXTS1.0", b"ICCRGBG1012"];

pub(super) fn strip(source: &[u8]) -> Result<Vec<u8>> {
    let truncated = || Error::corrupt("GIF", "the header is truncated");
    let mut c = Cursor::at(source, 10);
    let flags = c.u8().ok_or_else(truncated)?;
    c.skip(2).ok_or_else(truncated)?;
    if flags & 0x80 != 0 {
        c.skip(3 << ((flags & 7) + 1)).ok_or_else(truncated)?;
    }
    let mut out = Pieces::new(source);
    out.keep(0..c.pos());
    while let Some(b) = c.u8() {
        let start = c.pos() - 1;
        match b {
            0x2C => {
                // a frame cut short is answered as it came: the decoder decides what it shows
                if image_block(&mut c).is_none() {
                    out.keep(start..source.len());
                    break;
                }
                out.keep(start..c.pos());
            }
            0x21 => {
                let Some(label) = c.u8() else { break };
                let first = c.peek(1).and_then(|n| c.peek(1 + n[0] as u64));
                let app = first.and_then(|b| b.get(1..12));
                let keep = match label {
                    0xF9 | 0x01 => true,
                    0xFF => app.is_some_and(|id| KEPT_APPS.iter().any(|k| &k[..] == id)),
                    _ => false, // 0xFE comments, and labels GIF89a does not define
                };
                let whole = skip_sub_blocks(&mut c);
                if keep {
                    out.keep(start..c.pos());
                }
                if whole.is_none() {
                    break;
                }
            }
            0x3B => {
                out.keep(start..c.pos());
                break;
            }
            _ => break, // junk after the last frame is not answered
        }
    }
    Ok(out.finish())
}

/// Skips an image descriptor's fields, its local colour table and its data.
fn image_block(c: &mut Cursor) -> Option<()> {
    c.skip(8)?;
    let f = c.u8()?;
    if f & 0x80 != 0 {
        c.skip(3 << ((f & 7) + 1))?;
    }
    c.u8()?; // LZW minimum code size
    skip_sub_blocks(c)
}
