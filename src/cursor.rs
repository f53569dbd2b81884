//! A checked reader over untrusted bytes, shared by every header and metadata walker (PNG chunks,
//! RIFF/WebP, GIF blocks, JPEG markers, ISOBMFF boxes, TIFF/EXIF).
//!
//! Lengths and offsets come from the file. On wasm32 `usize` is 32 bits, so `pos + 12 + len`
//! with a declared length of `0xFFFF_FFF4` wraps to a position *behind* the cursor and a walk
//! loops for ever, while on 64-bit hosts the same sum just runs past the end. Every position
//! change here is a checked addition against the data length, so the two targets behave the
//! same, and a walker can only move forward or fail.

/// Position `at` plus `len`, or `None` when the sum overflows `usize` or passes `limit`.
#[inline]
pub fn span_end(at: usize, len: u64, limit: usize) -> Option<usize> {
    let len = usize::try_from(len).ok()?;
    at.checked_add(len).filter(|&end| end <= limit)
}

#[derive(Debug, Clone)]
pub struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Cursor { data, pos: 0 }
    }

    /// A cursor at `pos` (which may be past the end: every read then fails).
    pub fn at(data: &'a [u8], pos: usize) -> Self {
        Cursor { data, pos }
    }

    pub fn pos(&self) -> usize {
        self.pos
    }

    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    pub fn remaining(&self) -> usize {
        self.data.len().saturating_sub(self.pos)
    }

    pub fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    /// The next `len` bytes, advancing past them; `None` (cursor unchanged) if fewer remain.
    pub fn take(&mut self, len: u64) -> Option<&'a [u8]> {
        let end = span_end(self.pos, len, self.data.len())?;
        let s = &self.data[self.pos..end];
        self.pos = end;
        Some(s)
    }

    /// Up to `len` bytes: what a truncated file still has of a block.
    pub fn take_at_most(&mut self, len: u64) -> &'a [u8] {
        let n = usize::try_from(len)
            .unwrap_or(usize::MAX)
            .min(self.remaining());
        self.take(n as u64).unwrap_or(&[])
    }

    pub fn skip(&mut self, len: u64) -> Option<()> {
        self.take(len).map(|_| ())
    }

    /// Looks at the next `len` bytes without moving.
    pub fn peek(&self, len: u64) -> Option<&'a [u8]> {
        self.clone().take(len)
    }

    pub fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N as u64)?.try_into().ok()
    }

    pub fn u8(&mut self) -> Option<u8> {
        self.array::<1>().map(|[b]| b)
    }
    pub fn be16(&mut self) -> Option<u16> {
        self.array().map(u16::from_be_bytes)
    }
    pub fn be32(&mut self) -> Option<u32> {
        self.array().map(u32::from_be_bytes)
    }
    pub fn be64(&mut self) -> Option<u64> {
        self.array().map(u64::from_be_bytes)
    }
    pub fn le16(&mut self) -> Option<u16> {
        self.array().map(u16::from_le_bytes)
    }
    pub fn le24(&mut self) -> Option<u32> {
        self.array::<3>()
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], 0]))
    }
    pub fn le32(&mut self) -> Option<u32> {
        self.array().map(u32::from_le_bytes)
    }

    /// A 16- or 32-bit value in the given byte order (TIFF declares its own).
    pub fn u16_in(&mut self, little: bool) -> Option<u16> {
        if little {
            self.le16()
        } else {
            self.be16()
        }
    }
    pub fn u32_in(&mut self, little: bool) -> Option<u32> {
        if little {
            self.le32()
        } else {
            self.be32()
        }
    }
}

/// Reads a fixed-size field at an absolute offset of a slice, without a cursor.
pub fn read_at<const N: usize>(data: &[u8], at: u64) -> Option<[u8; N]> {
    Cursor::at(data, usize::try_from(at).ok()?).array()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_that_would_wrap_a_32_bit_usize_fail_instead() {
        let data = [0u8; 16];
        let mut c = Cursor::at(&data, 8);
        // 8 + 0xFFFF_FFF8 is 0 modulo 2^32: a wrapping walker would jump back to the start.
        assert_eq!(c.take(0xFFFF_FFF8), None);
        assert_eq!(c.pos(), 8);
        assert_eq!(c.take(u64::MAX), None);
        assert_eq!(span_end(usize::MAX - 1, 2, usize::MAX), None);
        assert_eq!(span_end(4, 4, 8), Some(8));
        assert_eq!(span_end(4, 5, 8), None);
    }

    #[test]
    fn reads_advance_and_stop_at_the_end() {
        let data = [1, 2, 3, 4, 5];
        let mut c = Cursor::new(&data);
        assert_eq!(c.be16(), Some(0x0102));
        assert_eq!(c.le16(), Some(0x0403));
        assert_eq!(c.be16(), None);
        assert_eq!(c.u8(), Some(5));
        assert!(c.is_empty());
        assert_eq!(c.take_at_most(10), &[] as &[u8]);
        let mut past = Cursor::at(&data, 99);
        assert_eq!(past.u8(), None);
        assert_eq!(past.remaining(), 0);
        assert_eq!(read_at::<2>(&data, 3), Some([4, 5]));
        assert_eq!(read_at::<2>(&data, u64::MAX), None);
    }
}
