//! Huffman tables with a combined lookahead: one table lookup on the next `LOOKUP_BITS` bits
//! gives the code length, the symbol (run/size) and, when the code and the magnitude bits fit
//! in the lookahead, the coefficient value itself. Longer codes use the canonical-code walk.

use super::bits::{extend, BitReader};
use crate::error::{Error, Result};

pub(super) const LOOKUP_BITS: u32 = 10;

/// A table as DHT defines it: code counts per length 1..=16 and the symbols in code order.
#[derive(Clone, PartialEq, Eq)]
pub(super) struct HuffSpec {
    pub counts: [u8; 16],
    pub values: Vec<u8>,
}

pub(super) struct Huffman {
    /// Packed entries: bits 0..5 code length (0: longer than the lookahead), bit 5 the value
    /// field is valid, bits 8..16 the symbol, bits 16..32 the value (i16).
    lookup: Box<[u32; 1 << LOOKUP_BITS]>,
    /// Canonical decoding of the long codes: for length l, the largest code (or -1) and the
    /// offset from a code to its index in `values`.
    maxcode: [i32; 17],
    valoffset: [i32; 17],
    values: [u8; 256],
}

const HAS_VALUE: u32 = 1 << 5;

/// A decoded symbol: `value` is already sign-extended from its magnitude bits (AC/DC
/// coefficients), or 0 for symbols with size 0.
pub(super) struct Symbol {
    pub run: u32,
    pub size: u32,
    pub value: i32,
}

impl Huffman {
    /// `dc`: symbols are magnitude sizes (0..=15 for 8-bit data; anything larger is corrupt).
    pub fn new(spec: &HuffSpec, dc: bool) -> Result<Huffman> {
        let corrupt = |why: &str| Error::corrupt("JPEG", why);
        let n: usize = spec.counts.iter().map(|&c| c as usize).sum();
        if n > 256 || n > spec.values.len() {
            return Err(corrupt("a Huffman table has more codes than symbols"));
        }
        if dc && spec.values[..n].iter().any(|&s| s > 15) {
            return Err(corrupt("a DC Huffman table has a symbol above 15"));
        }
        let mut values = [0u8; 256];
        values[..n].copy_from_slice(&spec.values[..n]);
        let mut lookup = Box::new([0u32; 1 << LOOKUP_BITS]);
        let mut maxcode = [-1i32; 17];
        let mut valoffset = [0i32; 17];
        let mut code: u32 = 0;
        let mut k = 0usize;
        for len in 1..=16u32 {
            let count = spec.counts[len as usize - 1] as usize;
            if count > 0 {
                valoffset[len as usize] = k as i32 - code as i32;
                for _ in 0..count {
                    if code >= 1 << len {
                        return Err(corrupt("a Huffman table has too many codes of one length"));
                    }
                    if len <= LOOKUP_BITS {
                        let sym = values[k] as u32;
                        let size = if dc { sym } else { sym & 15 };
                        let shift = LOOKUP_BITS - len;
                        for fill in 0..1u32 << shift {
                            let idx = (code << shift | fill) as usize;
                            let mut e = len | sym << 8;
                            if size == 0 {
                                e |= HAS_VALUE;
                            } else if len + size <= LOOKUP_BITS {
                                let extra = (fill >> (shift - size)) & ((1 << size) - 1);
                                let v = extend(extra, size) as i16 as u16 as u32;
                                e |= HAS_VALUE | v << 16;
                            }
                            lookup[idx] = e;
                        }
                    }
                    code += 1;
                    k += 1;
                }
                maxcode[len as usize] = code as i32 - 1;
            }
            code <<= 1;
        }
        Ok(Huffman {
            lookup,
            maxcode,
            valoffset,
            values,
        })
    }

    /// The next symbol and its value. `run` is the high nibble of the symbol for AC tables;
    /// for DC tables the caller uses `size` only (`run` is then meaningless).
    #[inline(always)]
    pub fn decode(&self, r: &mut BitReader, dc: bool) -> Symbol {
        r.ensure(32);
        let e = self.lookup[r.peek(LOOKUP_BITS) as usize];
        let len = e & 31;
        if len != 0 {
            let sym = (e >> 8) & 0xFF;
            let size = if dc { sym } else { sym & 15 };
            if e & HAS_VALUE != 0 {
                r.consume(len + size);
                return Symbol {
                    run: sym >> 4,
                    size,
                    value: (e >> 16) as u16 as i16 as i32,
                };
            }
            r.consume(len);
            return Symbol {
                run: sym >> 4,
                size,
                value: r.receive_extend(size),
            };
        }
        let sym = self.decode_long(r);
        let size = if dc { sym } else { sym & 15 };
        Symbol {
            run: sym >> 4,
            size,
            value: r.receive_extend(size),
        }
    }

    /// Consumes the next AC symbol and its magnitude bits without building the value: the
    /// path for coefficients the chosen scale never reads. Returns the symbol (run/size).
    #[inline(always)]
    pub fn skip(&self, r: &mut BitReader) -> u32 {
        r.ensure(32);
        let e = self.lookup[r.peek(LOOKUP_BITS) as usize];
        let len = e & 31;
        if len != 0 {
            let sym = (e >> 8) & 0xFF;
            r.consume(len + (sym & 15));
            return sym;
        }
        let sym = self.decode_long(r);
        r.consume(sym & 15);
        sym
    }

    /// A code longer than the lookahead. An invalid code (no length matches) consumes 16 bits
    /// and yields symbol 0, as libjpeg does, so corrupt data still ends each block.
    #[cold]
    fn decode_long(&self, r: &mut BitReader) -> u32 {
        let bits = r.peek(16) as i32;
        for len in LOOKUP_BITS + 1..=16 {
            let code = bits >> (16 - len);
            if code <= self.maxcode[len as usize] {
                r.consume(len);
                let idx = (self.valoffset[len as usize] + code) as usize;
                return self.values[idx & 255] as u32;
            }
        }
        r.consume(16);
        0
    }
}

/// The example tables of ITU T.81 Annex K.3, which Motion-JPEG frames use without a DHT
/// segment (libjpeg and jpeg-decoder supply them the same way): slot 0 luminance, slot 1
/// chrominance, for DC (`dc`) or AC.
pub(super) fn standard_table(dc: bool, id: usize) -> Option<HuffSpec> {
    let (counts, values): ([u8; 16], &[u8]) = match (dc, id) {
        (true, 0) => ([0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0], &DC_VALUES),
        (true, 1) => ([0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0], &DC_VALUES),
        (false, 0) => (
            [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d],
            &LUMA_AC,
        ),
        (false, 1) => (
            [0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77],
            &CHROMA_AC,
        ),
        _ => return None,
    };
    Some(HuffSpec {
        counts,
        values: values.to_vec(),
    })
}

const DC_VALUES: [u8; 12] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];

#[rustfmt::skip]
const LUMA_AC: [u8; 162] = [
    0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21, 0x31, 0x41, 0x06, 0x13, 0x51,
    0x61, 0x07, 0x22, 0x71, 0x14, 0x32, 0x81, 0x91, 0xa1, 0x08, 0x23, 0x42, 0xb1, 0xc1,
    0x15, 0x52, 0xd1, 0xf0, 0x24, 0x33, 0x62, 0x72, 0x82, 0x09, 0x0a, 0x16, 0x17, 0x18,
    0x19, 0x1a, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39,
    0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x53, 0x54, 0x55, 0x56, 0x57,
    0x58, 0x59, 0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x73, 0x74, 0x75,
    0x76, 0x77, 0x78, 0x79, 0x7a, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x92,
    0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
    0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3,
    0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8,
    0xd9, 0xda, 0xe1, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf1, 0xf2,
    0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa,
            ];

#[rustfmt::skip]
const CHROMA_AC: [u8; 162] = [
    0x00, 0x01, 0x02, 0x03, 0x11, 0x04, 0x05, 0x21, 0x31, 0x06, 0x12, 0x41, 0x51, 0x07, 0x61, 0x71,
    0x13, 0x22, 0x32, 0x81, 0x08, 0x14, 0x42, 0x91, 0xa1, 0xb1, 0xc1, 0x09, 0x23, 0x33, 0x52, 0xf0,
    0x15, 0x62, 0x72, 0xd1, 0x0a, 0x16, 0x24, 0x34, 0xe1, 0x25, 0xf1, 0x17, 0x18, 0x19, 0x1a, 0x26,
    0x27, 0x28, 0x29, 0x2a, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48,
    0x49, 0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68,
    0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87,
    0x88, 0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5,
    0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3,
    0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda,
    0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8,
    0xf9, 0xfa,
];

#[cfg(test)]
mod tests {
    use super::*;

    fn luma_ac() -> HuffSpec {
        standard_table(false, 0).unwrap()
    }

    /// Writes bits MSB first, padding with 1 bits and stuffing 0xFF as an encoder does.
    fn pack(bits: &[(u32, u32)]) -> Vec<u8> {
        let mut out = Vec::new();
        let (mut acc, mut n) = (0u64, 0u32);
        for &(v, len) in bits {
            acc = acc << len | v as u64;
            n += len;
            while n >= 8 {
                out.push((acc >> (n - 8)) as u8);
                n -= 8;
            }
        }
        if n > 0 {
            out.push((acc << (8 - n)) as u8 | ((1 << (8 - n)) - 1));
        }
        out.iter()
            .flat_map(|&b| if b == 0xFF { vec![0xFF, 0] } else { vec![b] })
            .collect()
    }

    #[test]
    fn decodes_short_long_and_skipped_codes() {
        let t = Huffman::new(&luma_ac(), false).unwrap();
        // Annex K.5: 0x01 = "00", 0x00 (EOB) = "1010", 0xf0 (ZRL) = "11111111001",
        // 0xfa = "1111111111111110"
        let data = pack(&[
            (0b00, 2),
            (1, 1), // 0x01, value +1
            (0b11111111001, 11),
            (0b1111111111111110, 16),
            (0b0000000001, 10), // 0xfa: size 10, value -1022
            (0b00, 2),
            (0, 1), // 0x01, value -1 (skipped)
            (0b1010, 4),
        ]);
        let mut r = BitReader::new(&data, 0);
        let s = t.decode(&mut r, false);
        assert_eq!((s.run, s.size, s.value), (0, 1, 1));
        let s = t.decode(&mut r, false);
        assert_eq!((s.run, s.size, s.value), (15, 0, 0));
        let s = t.decode(&mut r, false);
        assert_eq!((s.run, s.size, s.value), (15, 10, -1022));
        assert_eq!(t.skip(&mut r), 0x01);
        assert_eq!(t.skip(&mut r), 0x00);
        assert!(!r.overran());
    }

    #[test]
    fn rejects_overfull_tables() {
        let mut spec = luma_ac();
        spec.counts[0] = 3; // three codes of length 1
        spec.values.extend([0; 3]);
        assert!(Huffman::new(&spec, false).is_err());
        let dc = HuffSpec {
            counts: [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
            values: vec![16],
        };
        assert!(Huffman::new(&dc, true).is_err());
    }
}
