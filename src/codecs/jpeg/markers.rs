//! Marker segments: the frame header (SOF), the tables (DHT, DQT), the restart interval (DRI),
//! scan headers (SOS) and the APPn segments that change decoding (JFIF, Adobe, ICC profile).
//! Every length comes from the file; positions are only ever advanced with checked arithmetic
//! and every slice is taken with `get`, so 32-bit wasm and 64-bit hosts walk identically.

use super::bits::next_marker;
use super::huffman::HuffSpec;
use crate::error::{Error, Result};

fn corrupt(why: &str) -> Error {
    Error::corrupt("JPEG", why)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Coding {
    /// SOF0 / SOF1: sequential DCT, Huffman
    Sequential,
    /// SOF2: progressive DCT, Huffman
    Progressive,
    /// Anything else (lossless, hierarchical, arithmetic): not decoded here.
    Other,
}

#[derive(Clone, Copy, Debug)]
pub(super) struct Component {
    pub id: u8,
    pub h: u8,
    pub v: u8,
    pub tq: u8,
}

#[derive(Clone, Debug)]
pub(super) struct Frame {
    pub coding: Coding,
    pub precision: u8,
    pub width: u16,
    pub height: u16,
    pub components: Vec<Component>,
}

#[derive(Clone, Copy, Debug)]
pub(super) struct ScanHeader {
    /// Indices into `Frame::components`, in scan order.
    pub comps: [usize; 4],
    pub count: usize,
    pub dc_table: [usize; 4],
    pub ac_table: [usize; 4],
    pub ss: u8,
    pub se: u8,
    pub ah: u8,
    pub al: u8,
}

/// One APP2 ICC_PROFILE chunk, borrowed from the input.
pub(super) struct IccChunk<'a> {
    pub seq: u8,
    pub count: u8,
    pub data: &'a [u8],
}

/// Walks the segments of one file. Table definitions are kept as the file states them; the
/// scan decoder builds lookup tables only for those a scan uses.
pub(super) struct Parser<'a> {
    data: &'a [u8],
    pub pos: usize,
    pub frame: Option<Frame>,
    pub qt: [Option<[u16; 64]>; 4],
    /// DHT slots: DC 0..4, AC 4..8. `version` counts redefinitions so the decoder can tell a
    /// redefined slot from the one it already built.
    pub huff: [Option<HuffSpec>; 8],
    pub huff_version: [u32; 8],
    pub restart_interval: u16,
    pub jfif: bool,
    pub adobe_transform: Option<u8>,
    pub icc: Vec<IccChunk<'a>>,
    /// Scan headers read so far; ICC chunks after the first are ignored, as the probe (and
    /// with it the memory budget) stops at the first scan.
    scans: u32,
}

/// Zigzag index -> natural (row-major) index.
pub(super) const ZIGZAG: [u8; 64] = [
    0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20,
    13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59,
    52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
];

/// The ICC chunk count at most libjpeg and jpeg-decoder accept.
const MAX_ICC_CHUNKS: usize = 255;

impl<'a> Parser<'a> {
    pub fn new(data: &'a [u8]) -> Result<Parser<'a>> {
        if !data.starts_with(&[0xFF, 0xD8]) {
            return Err(corrupt("no SOI marker"));
        }
        Ok(Parser {
            data,
            pos: 2,
            frame: None,
            qt: [None; 4],
            huff: Default::default(),
            huff_version: [0; 8],
            restart_interval: 0,
            jfif: false,
            adobe_transform: None,
            icc: Vec::new(),
            scans: 0,
        })
    }

    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    /// Reads segments up to the next scan header and returns it, with `pos` at the first byte
    /// of its entropy-coded data; None at EOI or at the end of the data.
    pub fn next_scan(&mut self) -> Result<Option<ScanHeader>> {
        loop {
            // Bytes between segments are skipped as libjpeg does; some cameras write them.
            let Some((marker, at)) = next_marker(self.data, self.pos) else {
                return Ok(None);
            };
            let after = at_code(self.data, at);
            match marker {
                0xD8 | 0x01 | 0xD0..=0xD7 => {
                    self.pos = after;
                    continue;
                }
                0xD9 => {
                    self.pos = after;
                    return Ok(None);
                }
                _ => {}
            }
            let len = self
                .data
                .get(after..after.saturating_add(2))
                .map(|b| u16::from_be_bytes([b[0], b[1]]) as usize)
                .ok_or_else(|| corrupt("a segment length is cut off"))?;
            if len < 2 {
                return Err(corrupt("a segment has an invalid length"));
            }
            let end = after
                .checked_add(len)
                .filter(|&e| e <= self.data.len())
                .ok_or_else(|| corrupt("a segment runs past the end of the data"))?;
            let seg = &self.data[after + 2..end];
            self.pos = end;
            match marker {
                0xC0..=0xCF if !matches!(marker, 0xC4 | 0xC8 | 0xCC) => self.sof(marker, seg)?,
                0xC4 => self.dht(seg)?,
                0xDB => self.dqt(seg)?,
                0xDD => {
                    let b = seg.get(..2).ok_or_else(|| corrupt("DRI is too short"))?;
                    self.restart_interval = u16::from_be_bytes([b[0], b[1]]);
                }
                0xDA => {
                    self.scans = self.scans.saturating_add(1);
                    return self.sos(seg).map(Some);
                }
                0xE0 if seg.starts_with(b"JFIF\0") => self.jfif = true,
                0xE2 if seg.starts_with(b"ICC_PROFILE\0")
                    && seg.len() >= 14
                    && self.icc.len() < MAX_ICC_CHUNKS
                    && self.scans == 0 =>
                {
                    self.icc.push(IccChunk {
                        seq: seg[12],
                        count: seg[13],
                        data: &seg[14..],
                    });
                }
                0xEE if seg.starts_with(b"Adobe") && seg.len() >= 12 => {
                    self.adobe_transform = Some(seg[11])
                }
                _ => {}
            }
        }
    }

    fn sof(&mut self, marker: u8, seg: &[u8]) -> Result<()> {
        if self.frame.is_some() {
            return Err(corrupt("a second frame header"));
        }
        let head = seg
            .get(..6)
            .ok_or_else(|| corrupt("the frame header is truncated"))?;
        let n = head[5] as usize;
        let comps = seg
            .get(6..6 + 3 * n)
            .ok_or_else(|| corrupt("the frame header is truncated"))?;
        if n == 0 {
            return Err(corrupt("the frame has no components"));
        }
        let components = comps
            .chunks_exact(3)
            .map(|c| Component {
                id: c[0],
                h: c[1] >> 4,
                v: c[1] & 15,
                tq: c[2],
            })
            .collect();
        self.frame = Some(Frame {
            coding: match marker {
                0xC0 | 0xC1 => Coding::Sequential,
                0xC2 => Coding::Progressive,
                _ => Coding::Other,
            },
            precision: head[0],
            height: u16::from_be_bytes([head[1], head[2]]),
            width: u16::from_be_bytes([head[3], head[4]]),
            components,
        });
        Ok(())
    }

    fn dht(&mut self, mut seg: &[u8]) -> Result<()> {
        while !seg.is_empty() {
            let head = seg
                .get(..17)
                .ok_or_else(|| corrupt("a Huffman table is truncated"))?;
            let (class, id) = (head[0] >> 4, (head[0] & 15) as usize);
            if class > 1 || id > 3 {
                return Err(corrupt("a Huffman table has an invalid class or id"));
            }
            let mut counts = [0u8; 16];
            counts.copy_from_slice(&head[1..17]);
            let n: usize = counts.iter().map(|&c| c as usize).sum();
            let values = seg
                .get(17..17 + n)
                .ok_or_else(|| corrupt("a Huffman table is truncated"))?;
            let slot = class as usize * 4 + id;
            self.huff[slot] = Some(HuffSpec {
                counts,
                values: values.to_vec(),
            });
            self.huff_version[slot] = self.huff_version[slot].wrapping_add(1);
            seg = &seg[17 + n..];
        }
        Ok(())
    }

    fn dqt(&mut self, mut seg: &[u8]) -> Result<()> {
        while let Some(&pq_tq) = seg.first() {
            let (precision, id) = (pq_tq >> 4, (pq_tq & 15) as usize);
            if precision > 1 || id > 3 {
                return Err(corrupt(
                    "a quantization table has an invalid precision or id",
                ));
            }
            let size = 64 << precision;
            let body = seg
                .get(1..1 + size)
                .ok_or_else(|| corrupt("a quantization table is truncated"))?;
            let mut table = [0u16; 64];
            for (z, &nat) in ZIGZAG.iter().enumerate() {
                table[nat as usize] = if precision == 0 {
                    body[z] as u16
                } else {
                    u16::from_be_bytes([body[2 * z], body[2 * z + 1]])
                };
            }
            self.qt[id] = Some(table);
            seg = &seg[1 + size..];
        }
        Ok(())
    }

    fn sos(&mut self, seg: &[u8]) -> Result<ScanHeader> {
        let frame = self
            .frame
            .as_ref()
            .ok_or_else(|| corrupt("a scan before the frame header"))?;
        let n = *seg
            .first()
            .ok_or_else(|| corrupt("the scan header is truncated"))? as usize;
        if n == 0 || n > 4 {
            return Err(corrupt("a scan has an invalid component count"));
        }
        let body = seg
            .get(1..1 + 2 * n + 3)
            .ok_or_else(|| corrupt("the scan header is truncated"))?;
        let mut scan = ScanHeader {
            comps: [0; 4],
            count: n,
            dc_table: [0; 4],
            ac_table: [0; 4],
            ss: body[2 * n],
            se: body[2 * n + 1],
            ah: body[2 * n + 2] >> 4,
            al: body[2 * n + 2] & 15,
        };
        for i in 0..n {
            let id = body[2 * i];
            let ci = frame
                .components
                .iter()
                .position(|c| c.id == id)
                .ok_or_else(|| corrupt("a scan names a component the frame does not have"))?;
            if scan.comps[..i].contains(&ci) {
                return Err(corrupt("a scan names a component twice"));
            }
            scan.comps[i] = ci;
            scan.dc_table[i] = (body[2 * i + 1] >> 4) as usize & 3;
            scan.ac_table[i] = 4 + ((body[2 * i + 1] & 15) as usize & 3);
        }
        Ok(scan)
    }

    /// The ICC profile assembled from its APP2 chunks, or None when the chunks are not one
    /// consistent numbered set (the same rules as jpeg-decoder: every chunk states the same
    /// count, which equals the number of chunks, and numbers 1..=count appear once each).
    pub fn icc_profile(&self) -> Option<Vec<u8>> {
        let n = self.icc.len();
        if n == 0 || n >= MAX_ICC_CHUNKS {
            return None;
        }
        let mut order: [Option<&IccChunk>; 256] = [None; 256];
        for c in &self.icc {
            if c.count as usize != n || c.seq == 0 || order[c.seq as usize].is_some() {
                return None;
            }
            order[c.seq as usize] = Some(c);
        }
        let total: usize = self.icc.iter().map(|c| c.data.len()).sum();
        let mut out = Vec::with_capacity(total);
        for c in order.get(1..=n)? {
            out.extend_from_slice(c.as_ref()?.data);
        }
        Some(out)
    }
}

/// The position just after the marker code whose fill bytes start at `at`.
fn at_code(data: &[u8], at: usize) -> usize {
    let mut p = at;
    while data.get(p) == Some(&0xFF) {
        p += 1;
    }
    p.saturating_add(1).min(data.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app2(seq: u8, count: u8, body: &[u8]) -> Vec<u8> {
        let mut seg = b"ICC_PROFILE\0".to_vec();
        seg.extend([seq, count]);
        seg.extend_from_slice(body);
        let mut out = vec![0xFF, 0xE2];
        out.extend(((seg.len() + 2) as u16).to_be_bytes());
        out.extend(seg);
        out
    }

    fn icc_of(chunks: &[(u8, u8, &[u8])]) -> Option<Vec<u8>> {
        let mut file = vec![0xFF, 0xD8];
        for &(s, c, b) in chunks {
            file.extend(app2(s, c, b));
        }
        file.extend([0xFF, 0xD9]);
        let mut p = Parser::new(&file).unwrap();
        assert!(p.next_scan().unwrap().is_none());
        p.icc_profile()
    }

    #[test]
    fn icc_chunks_assemble_in_sequence_order() {
        assert_eq!(
            icc_of(&[(2, 2, b"cd"), (1, 2, b"ab")]).as_deref(),
            Some(&b"abcd"[..])
        );
        assert_eq!(icc_of(&[(1, 2, b"ab")]), None, "missing chunk");
        assert_eq!(icc_of(&[(1, 2, b"ab"), (1, 2, b"cd")]), None, "twice");
        assert_eq!(icc_of(&[(0, 1, b"ab")]), None, "sequence 0");
        assert_eq!(icc_of(&[(1, 3, b"ab"), (2, 3, b"cd")]), None, "count");
    }

    #[test]
    fn a_segment_past_the_end_is_corrupt() {
        // APP1 declaring 0xFFF0 bytes in a 10-byte file
        let file = [0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xF0, 0, 0, 0, 0];
        let mut p = Parser::new(&file).unwrap();
        assert!(p.next_scan().is_err());
    }
}
