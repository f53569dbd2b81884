//! The entropy-coded bit stream of one scan. Bytes enter a 64-bit buffer once, with the 0xFF 0x00
//! stuffing removed as they enter, so symbol decoding only ever shifts a register. A marker (or
//! the end of the file) stops the loading; from then on zero bits are supplied, as libjpeg does,
//! and `overran` tells the scan decoder that a block used bits that were never in the file.

pub(super) struct BitReader<'a> {
    src: Source<'a>,
    bits: Bits,
}

/// The bit buffer: valid bits MSB first in `buf`, `count` of them. Bits below `count` are
/// either zero or the stream's own next bits (see `Source::refill`). A plain value, so the
/// symbol loops keep it in registers; only the refill sees the source.
#[derive(Clone, Copy)]
pub(super) struct Bits {
    buf: u64,
    count: u32,
}

/// Where the bytes come from: the data, the next byte to load, and what stopped loading.
pub(super) struct Source<'a> {
    data: &'a [u8],
    pos: usize,
    /// The marker code that stopped loading (`pos` is at its first 0xFF), or `END` at the end
    /// of the data.
    marker: Option<u8>,
    /// Zero bytes supplied after loading stopped.
    padded: u32,
    /// Position of the next 0xFF at or after `pos` (the data's length if none): bytes before
    /// it need no unstuffing, so the fast refill checks one bound instead of each byte.
    ff: usize,
}

/// The decoding view of a reader: its bits by value, its source by reference.
pub(super) struct Cursor<'s, 'a> {
    bits: Bits,
    src: &'s mut Source<'a>,
}

/// `marker` value for "the data ended without a marker".
const END: u8 = 0;

impl<'a> BitReader<'a> {
    pub fn new(data: &'a [u8], pos: usize) -> Self {
        let pos = pos.min(data.len());
        BitReader {
            src: Source {
                data,
                pos,
                marker: None,
                padded: 0,
                ff: find_ff(data, pos),
            },
            bits: Bits { buf: 0, count: 0 },
        }
    }

    /// The decoding view: a cursor whose bit buffer is a copy (write it back with `set`).
    /// Hot loops take the parts as plain parameters, which keeps the buffer in registers.
    #[inline(always)]
    pub fn cursor(&mut self) -> Cursor<'_, 'a> {
        Cursor {
            bits: self.bits,
            src: &mut self.src,
        }
    }

    #[inline(always)]
    pub fn set(&mut self, bits: Bits) {
        self.bits = bits;
    }

    /// Runs `f` on a cursor whose bit buffer is a local copy, written back afterwards.
    #[inline(always)]
    pub fn run<T>(&mut self, f: impl FnOnce(&mut Cursor<'_, 'a>) -> T) -> T {
        let mut c = Cursor {
            bits: self.bits,
            src: &mut self.src,
        };
        let out = f(&mut c);
        let bits = c.bits;
        self.bits = bits;
        out
    }

    /// True once a decoded symbol used bits past the last byte of the segment.
    pub fn overran(&self) -> bool {
        self.src.padded as u64 * 8 > self.bits.count as u64
    }

    /// At a restart interval boundary: drops the buffered bits, finds the next marker and
    /// consumes it if it is RSTn. Returns true when a restart marker was found, so decoding
    /// resumes with fresh predictions; false when the scan's data ended.
    pub fn restart(&mut self) -> bool {
        self.bits = Bits { buf: 0, count: 0 };
        let src = &mut self.src;
        src.padded = 0;
        if src.marker.is_none() {
            // Garbage before the marker is skipped, as libjpeg does (with a warning).
            src.marker = Some(match next_marker(src.data, src.pos) {
                Some((m, at)) => {
                    src.pos = at;
                    m
                }
                None => {
                    src.pos = src.data.len();
                    END
                }
            });
        }
        match src.marker {
            Some(0xD0..=0xD7) => {
                // pos is at the marker's first 0xFF: skip fill bytes and the code
                let mut p = src.pos;
                while src.data.get(p) == Some(&0xFF) {
                    p += 1;
                }
                src.pos = (p + 1).min(src.data.len());
                src.ff = find_ff(src.data, src.pos);
                src.marker = None;
                true
            }
            _ => false,
        }
    }

    /// Where the scan's data ends: the position of the marker that follows it (RSTn markers
    /// inside the data are skipped), for the segment parser to continue from.
    pub fn end_of_scan(&self) -> usize {
        let mut p = self.src.pos;
        loop {
            match next_marker(self.src.data, p) {
                Some((0xD0..=0xD7, at)) => p = at + 2,
                Some((_, at)) => return at,
                None => return self.src.data.len(),
            }
        }
    }
}

impl<'s, 'a> Cursor<'s, 'a> {
    #[inline(always)]
    pub fn new(bits: Bits, src: &'s mut Source<'a>) -> Self {
        Cursor { bits, src }
    }

    #[inline(always)]
    pub fn into_parts(self) -> (Bits, &'s mut Source<'a>) {
        (self.bits, self.src)
    }

    /// The current bit buffer (to hand back to the reader).
    #[inline(always)]
    pub fn buffer(&self) -> Bits {
        self.bits
    }

    /// Ensures at least `n` (<= 56) bits are buffered.
    #[inline(always)]
    pub fn ensure(&mut self, n: u32) {
        if self.bits.count < n {
            self.bits = self.src.refill(self.bits);
        }
    }

    /// The next `n` (1..=32) bits without consuming them; needs `ensure(n)` first.
    #[inline(always)]
    pub fn peek(&self, n: u32) -> u32 {
        (self.bits.buf >> (64 - n)) as u32
    }

    /// Drops `n` (<= count) bits.
    #[inline(always)]
    pub fn consume(&mut self, n: u32) {
        debug_assert!(n <= self.bits.count);
        self.bits.buf <<= n;
        self.bits.count -= n;
    }

    /// `n` (0..=16) bits as an unsigned number.
    #[inline(always)]
    pub fn bits(&mut self, n: u32) -> u32 {
        if n == 0 {
            return 0;
        }
        self.ensure(n);
        let v = self.peek(n);
        self.consume(n);
        v
    }

    #[inline(always)]
    pub fn bit(&mut self) -> bool {
        self.ensure(1);
        let v = self.bits.buf >> 63 != 0;
        self.consume(1);
        v
    }

    /// `s` (0..=15) magnitude bits decoded as the JPEG "extend" rule: a leading 0 bit means a
    /// negative value.
    #[inline(always)]
    pub fn receive_extend(&mut self, s: u32) -> i32 {
        if s == 0 {
            return 0;
        }
        extend(self.bits(s), s)
    }
}

impl Source<'_> {
    /// `b` topped up to at least 56 bits.
    #[inline(always)]
    fn refill(&mut self, mut b: Bits) -> Bits {
        // Fast path: the next 8 bytes come before the next 0xFF, so no stuffing and no marker:
        // OR all of them in at once and count the whole bytes that fit. The bits of the partly
        // fitting byte stay below `count`; they are the stream's own next bits, and every later
        // load ORs the same bits into the same place, so they never need clearing.
        if self.pos.wrapping_add(8) <= self.ff {
            if let Some(chunk) = self.data.get(self.pos..self.pos + 8) {
                let w = u64::from_be_bytes(chunk.try_into().unwrap_or([0; 8]));
                b.buf |= w >> b.count;
                let bytes = (63 - b.count) >> 3;
                self.pos += bytes as usize;
                b.count += bytes << 3;
                return b;
            }
        }
        self.refill_bytewise(b)
    }

    /// Near a 0xFF (stuffing or a marker) and at the end: byte by byte. Out of line, so the
    /// symbol loops that inline the fast path above keep their registers.
    #[cold]
    #[inline(never)]
    fn refill_bytewise(&mut self, mut b: Bits) -> Bits {
        while b.count <= 56 {
            let byte = self.next_byte() as u64;
            b.buf |= byte << (56 - b.count);
            b.count += 8;
        }
        b
    }

    /// One unstuffed byte, or 0 once a marker or the end has been reached.
    fn next_byte(&mut self) -> u8 {
        if self.marker.is_some() {
            self.padded = self.padded.saturating_add(1);
            return 0;
        }
        match self.data.get(self.pos) {
            None => {
                self.marker = Some(END);
                self.padded = self.padded.saturating_add(1);
                0
            }
            Some(0xFF) => {
                // 0xFF 0x00 is a data byte 0xFF; fill bytes (more 0xFF) may precede either.
                let mut p = self.pos + 1;
                while self.data.get(p) == Some(&0xFF) {
                    p += 1;
                }
                match self.data.get(p) {
                    Some(0x00) => {
                        self.pos = p + 1;
                        self.ff = find_ff(self.data, self.pos);
                        0xFF
                    }
                    Some(&m) => {
                        self.marker = Some(m);
                        self.padded = self.padded.saturating_add(1);
                        0
                    }
                    None => {
                        self.pos = self.data.len();
                        self.marker = Some(END);
                        self.padded = self.padded.saturating_add(1);
                        0
                    }
                }
            }
            Some(&b) => {
                self.pos += 1;
                b
            }
        }
    }
}

/// Sign-extends `v`, the `s` magnitude bits of a coefficient.
#[inline(always)]
pub(super) fn extend(v: u32, s: u32) -> i32 {
    let v = v as i32;
    if v < 1 << (s - 1) {
        v - (1 << s) + 1
    } else {
        v
    }
}

/// The next marker at or after `from`: (code, position of its first 0xFF). Stuffed zeros and
/// fill bytes are not markers.
pub(super) fn next_marker(data: &[u8], from: usize) -> Option<(u8, usize)> {
    let mut p = from;
    loop {
        let ff = p + data.get(p..)?.iter().position(|&b| b == 0xFF)?;
        let mut q = ff + 1;
        while data.get(q) == Some(&0xFF) {
            q += 1;
        }
        match data.get(q) {
            None => return None,
            Some(0x00) => p = q + 1,
            Some(&m) => return Some((m, q - 1)),
        }
    }
}

/// Position of the first 0xFF at or after `from`, or the data's length.
fn find_ff(data: &[u8], from: usize) -> usize {
    let rest = data.get(from..).unwrap_or(&[]);
    let mut chunks = rest.chunks_exact(8);
    let mut at = from;
    for c in chunks.by_ref() {
        if has_ff_byte(u64::from_le_bytes(c.try_into().unwrap_or([0; 8]))) {
            break;
        }
        at += 8;
    }
    match data[at.min(data.len())..].iter().position(|&b| b == 0xFF) {
        Some(i) => at + i,
        None => data.len(),
    }
}

#[inline(always)]
fn has_ff_byte(w: u64) -> bool {
    // a byte of !w is zero exactly where w has 0xFF
    let v = !w;
    (v.wrapping_sub(0x0101_0101_0101_0101) & !v & 0x8080_8080_8080_8080) != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unstuffs_and_stops_at_markers() {
        // 0xAB, stuffed 0xFF, 0x12, then RST0 and more data
        let data = [0xAB, 0xFF, 0x00, 0x12, 0xFF, 0xD0, 0x34];
        let mut r = BitReader::new(&data, 0);
        assert_eq!(r.run(|c| c.bits(8)), 0xAB);
        assert_eq!(r.run(|c| c.bits(8)), 0xFF);
        assert_eq!(r.run(|c| c.bits(8)), 0x12);
        assert!(!r.overran());
        assert_eq!(r.run(|c| c.bits(8)), 0, "zeros after the marker");
        assert!(r.overran());
        assert!(r.restart());
        assert_eq!(r.run(|c| c.bits(8)), 0x34);
        assert!(!r.restart(), "end of data is not a restart marker");
    }

    #[test]
    fn fast_path_matches_bytewise_loading() {
        let data: Vec<u8> = (0..40u8).map(|i| i.wrapping_mul(37)).collect();
        let mut r = BitReader::new(&data, 0);
        let mut got = Vec::new();
        for n in [3, 13, 1, 7, 16, 5, 11, 9, 2, 16, 16, 16, 4] {
            got.push((n, r.run(|c| c.bits(n))));
        }
        // reference: a plain MSB-first bit walk
        let mut bitpos = 0usize;
        for (n, v) in got {
            let mut e = 0u32;
            for _ in 0..n {
                let b = (data[bitpos / 8] >> (7 - bitpos % 8)) & 1;
                e = e << 1 | b as u32;
                bitpos += 1;
            }
            assert_eq!(v, e, "{n} bits at {bitpos}");
        }
    }

    #[test]
    fn extend_follows_the_spec() {
        assert_eq!(extend(0, 1), -1);
        assert_eq!(extend(1, 1), 1);
        assert_eq!(extend(0b010, 3), -5);
        assert_eq!(extend(0b110, 3), 6);
    }

    #[test]
    fn finds_the_marker_after_the_data() {
        let data = [1, 0xFF, 0x00, 0xFF, 0xFF, 0xD1, 5, 0xFF, 0xDA];
        assert_eq!(next_marker(&data, 0), Some((0xD1, 4)));
        let r = BitReader::new(&data, 0);
        assert_eq!(r.end_of_scan(), 7);
    }
}
