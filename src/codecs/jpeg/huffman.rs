//! Huffman tables with a combined lookahead: one table lookup on the next `LOOKUP_BITS` bits
//! gives the code length, the symbol (run/size) and, when the code and the magnitude bits fit
//! in the lookahead, the coefficient value itself. Longer codes use the canonical-code walk.

use super::bits::{extend, Cursor};
use crate::error::{Error, Result};

pub(super) const LOOKUP_BITS: u32 = 10;
/// Lookahead of the multi-symbol skip table.
const SKIP_BITS: u32 = 12;

/// Heap bytes one built table holds (the box and an AC table's skip table).
pub(super) fn heap_bytes() -> u64 {
    std::mem::size_of::<Huffman>() as u64 + (2u64 << SKIP_BITS)
}

/// A table as DHT defines it: code counts per length 1..=16 and the symbols in code order.
#[derive(Clone, PartialEq, Eq)]
pub(super) struct HuffSpec {
    pub counts: [u8; 16],
    pub values: Vec<u8>,
}

pub(super) struct Huffman {
    /// One packed entry per `LOOKUP_BITS`-bit prefix, see `entry`. Inline, so a table
    /// reference reaches it without another pointer.
    lookup: [u32; 1 << LOOKUP_BITS],
    /// Canonical decoding of the long codes: for length l, the largest code (or -1) and the
    /// offset from a code to its index in `values`.
    maxcode: [i32; 17],
    valoffset: [i32; 17],
    values: [u8; 256],
    dc: bool,
    /// AC tables: per `SKIP_BITS`-bit prefix, the complete symbols (code and magnitude bits)
    /// it holds, up to and including an EOB: bits 0..4 their total length, bits 4..11 `need`,
    /// their summed zigzag advance plus one if the last is EOB (the group may be taken at
    /// position k when k + need <= the band's end; 127 when not even one symbol fits), bit
    /// 11 set when the last is EOB.
    skip: Option<Box<[u16; 1 << SKIP_BITS]>>,
}

// Entry layout. `CONSUME`: bits to drop now (the code, plus the magnitude bits when the value
// is inline); 0 marks a code longer than the lookahead. `EXTRA`: magnitude bits still to read
// when the value is not inline. `ADVANCE` (AC tables): zigzag positions the symbol moves past:
// run + 1 for a coefficient, 16 for ZRL, END + r for EOBr. `VALUE`: the sign-extended value.
const CONSUME: u32 = 31;
const EXTRA_SHIFT: u32 = 5;
const ADVANCE_SHIFT: u32 = 9;
/// Advance of an end-of-block symbol (EOBr adds r): past any block position.
pub(super) const END: u32 = 64;

fn pack(consume: u32, sym: u32, dc: bool, inline: Option<i32>) -> u32 {
    let size = if dc { sym } else { sym & 15 };
    let run = sym >> 4;
    let advance = match (dc, size, run) {
        (true, _, _) => 0,
        (false, 0, 15) => 16,
        (false, 0, r) => END + r,
        (false, _, r) => r + 1,
    };
    let (extra, value) = match inline {
        Some(v) => (0, v),
        None => (size, 0),
    };
    consume | extra << EXTRA_SHIFT | advance << ADVANCE_SHIFT | (value as i16 as u16 as u32) << 16
}

impl Huffman {
    /// `dc`: symbols are magnitude sizes (0..=15 for 8-bit data; anything larger is corrupt).
    pub fn new(spec: &HuffSpec, dc: bool) -> Result<Box<Huffman>> {
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
        let mut t = Box::new(Huffman {
            lookup: [0; 1 << LOOKUP_BITS],
            maxcode: [-1; 17],
            valoffset: [0; 17],
            values,
            dc,
            skip: None,
        });
        let (lookup, maxcode, valoffset) = (&mut t.lookup, &mut t.maxcode, &mut t.valoffset);
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
                            lookup[idx] = if size == 0 {
                                pack(len, sym, dc, Some(0))
                            } else if len + size <= LOOKUP_BITS {
                                let extra = (fill >> (shift - size)) & ((1 << size) - 1);
                                pack(len + size, sym, dc, Some(extend(extra, size)))
                            } else {
                                pack(len, sym, dc, None)
                            };
                        }
                    }
                    code += 1;
                    k += 1;
                }
                maxcode[len as usize] = code as i32 - 1;
            }
            code <<= 1;
        }
        if !dc {
            t.skip = Some(t.skip_table());
        }
        Ok(t)
    }

    fn skip_table(&self) -> Box<[u16; 1 << SKIP_BITS]> {
        let mut table = Box::new([0u16; 1 << SKIP_BITS]);
        for (v, slot) in table.iter_mut().enumerate() {
            let (mut pos, mut advance) = (0u32, 0u32);
            let mut eob = false;
            while pos < SKIP_BITS {
                // the next LOOKUP_BITS bits of the window, zero beyond its end
                let window = ((v as u32) << pos) & ((1 << SKIP_BITS) - 1);
                let e = self.lookup[(window >> (SKIP_BITS - LOOKUP_BITS)) as usize];
                let bits = (e & CONSUME) + ((e >> EXTRA_SHIFT) & 15);
                let step = (e >> ADVANCE_SHIFT) & 127;
                // long codes, symbols cut by the window's end, and EOBr with run bits stop it
                if e & CONSUME == 0 || pos + bits > SKIP_BITS || step > END {
                    break;
                }
                pos += bits;
                if step == END {
                    eob = true;
                    break;
                }
                advance += step;
            }
            let need = if pos == 0 { 127 } else { advance + eob as u32 };
            *slot = (pos | need << 4 | (eob as u32) << 11) as u16;
        }
        table
    }

    /// The entry of the next symbol, its bits not yet consumed.
    #[inline(always)]
    fn entry(&self, r: &mut Cursor) -> u32 {
        r.ensure(32);
        let e = self.lookup[r.peek(LOOKUP_BITS) as usize];
        if e & CONSUME != 0 {
            return e;
        }
        self.long_entry(r)
    }

    /// The next symbol: (zigzag advance, value). The value is sign-extended from its magnitude
    /// bits, 0 for EOB and ZRL (whose advance tells them apart from coefficients).
    #[inline(always)]
    pub fn decode(&self, r: &mut Cursor) -> (u32, i32) {
        let e = self.entry(r);
        r.consume(e & CONSUME);
        let extra = (e >> EXTRA_SHIFT) & 15;
        let value = if extra == 0 {
            e as i32 >> 16
        } else {
            r.receive_extend(extra)
        };
        ((e >> ADVANCE_SHIFT) & 127, value)
    }

    /// Consumes the next AC symbol with its magnitude bits, without building the value: the
    /// path for coefficients the chosen scale never reads. Returns the zigzag advance.
    #[inline(always)]
    pub fn skip(&self, r: &mut Cursor) -> u32 {
        let e = self.entry(r);
        r.consume((e & CONSUME) + ((e >> EXTRA_SHIFT) & 15));
        (e >> ADVANCE_SHIFT) & 127
    }

    /// Skips the AC symbols of positions `k..end` (the rest of a block or band) whose values
    /// nobody reads. `Ok(k)`: reached `end` (or beyond, on corrupt runs) without an EOB;
    /// `Err(r)`: consumed an EOBr (r = 0 in sequential scans), whose r run bits the caller
    /// reads. Several short symbols go per lookup; a group is only taken when it provably
    /// stays inside the block, otherwise one symbol at a time.
    #[inline(always)]
    pub fn skip_to(&self, r: &mut Cursor, mut k: usize, end: usize) -> Result<usize, u32> {
        while k < end {
            if let Some(skip) = &self.skip {
                r.ensure(32);
                let e = skip[r.peek(SKIP_BITS) as usize] as usize;
                let need = (e >> 4) & 127;
                if k + need <= end {
                    r.consume((e & 15) as u32);
                    if e & 1 << 11 != 0 {
                        return Err(0);
                    }
                    k += need;
                    continue;
                }
            }
            let a = self.skip(r);
            if a >= END {
                return Err(a - END);
            }
            k += a as usize;
        }
        Ok(k)
    }

    /// The entry for a code longer than the lookahead. An invalid code (no length matches)
    /// consumes 16 bits and reads as symbol 0 (EOB, or a zero DC difference), as in libjpeg,
    /// so corrupt data still ends each block.
    #[cold]
    #[inline(never)]
    fn long_entry(&self, r: &mut Cursor) -> u32 {
        let bits = r.peek(16) as i32;
        for len in LOOKUP_BITS + 1..=16 {
            let code = bits >> (16 - len);
            if code <= self.maxcode[len as usize] {
                let idx = (self.valoffset[len as usize] + code) as usize;
                return pack(len, self.values[idx & 255] as u32, self.dc, None);
            }
        }
        pack(16, 0, self.dc, Some(0))
    }
}

/// Whether a decoded (advance, value) is a coefficient rather than EOB or ZRL.
#[inline(always)]
pub(super) fn is_coefficient(advance: u32, value: i32) -> bool {
    value != 0 || (advance != 16 && advance < END)
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
        let mut r = super::super::bits::BitReader::new(&data, 0);
        assert_eq!(r.run(|c| t.decode(c)), (1, 1)); // run 0: advance 1
        assert_eq!(r.run(|c| t.decode(c)), (16, 0)); // ZRL
        assert_eq!(r.run(|c| t.decode(c)), (16, -1022)); // run 15, size 10, a long code
        assert_eq!(r.run(|c| t.skip(c)), 1);
        assert_eq!(r.run(|c| t.skip(c)), END);
        assert!(!r.overran());
        assert!(is_coefficient(16, -1022) && !is_coefficient(16, 0) && !is_coefficient(END, 0));
    }

    /// Codes of the Annex K luminance AC table, for building streams: symbol -> (code, length).
    fn codes(spec: &HuffSpec) -> std::collections::HashMap<u8, (u32, u32)> {
        let mut out = std::collections::HashMap::new();
        let (mut code, mut k) = (0u32, 0usize);
        for len in 1..=16u32 {
            for _ in 0..spec.counts[len as usize - 1] {
                out.insert(spec.values[k], (code, len));
                code += 1;
                k += 1;
            }
            code <<= 1;
        }
        out
    }

    #[test]
    fn grouped_skips_match_single_symbol_skips() {
        let spec = luma_ac();
        let t = Huffman::new(&spec, false).unwrap();
        // "00"+1 four times: four symbols of 3 bits, advance 4; then "00"+1, EOB "1010": 7 bits
        let skip = t.skip.as_ref().unwrap();
        assert_eq!(skip[0b0010_0100_1001], 12 | 4 << 4); // 001 001 001 001
        assert_eq!(skip[0b0011_0100_0000], 7 | 2 << 4 | 1 << 11); // 001 1010 then zeros
        let codes = codes(&spec);
        let mut seed = 0x9e37_79b9u32;
        let mut rnd = move |n: u32| {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            seed % n
        };
        for _ in 0..400 {
            // one block: a start position, random coefficients, EOB unless it reaches 64
            let start = 1 + rnd(40) as usize;
            let end = if rnd(2) == 0 {
                64
            } else {
                start + 1 + rnd(64 - start as u32) as usize
            };
            let mut bits = Vec::new();
            let mut k = start;
            while k < 64 {
                let run = rnd(4).min(63 - k as u32);
                let big = rnd(8) == 0;
                let size = 1 + rnd(if big { 10 } else { 3 });
                let (code, len) = codes[&((run << 4 | size) as u8)];
                bits.push((code, len));
                bits.push((rnd(1 << size), size));
                k += run as usize + 1;
                if rnd(6) == 0 && k < 64 {
                    bits.push(codes[&0x00]);
                    break;
                }
            }
            bits.push((0b1010_1010, 8)); // what follows the block
            let data = pack(&bits);
            let mut a = super::super::bits::BitReader::new(&data, 0);
            let mut b = super::super::bits::BitReader::new(&data, 0);
            let grouped = a.run(|c| t.skip_to(c, start, end));
            let single = b.run(|c| {
                let mut k = start;
                while k < end {
                    let adv = t.skip(c);
                    if adv >= END {
                        return Err(adv - END);
                    }
                    k += adv as usize;
                }
                Ok(k)
            });
            assert_eq!(grouped, single, "start {start}, end {end}");
            assert_eq!(
                a.run(|c| c.bits(16)),
                b.run(|c| c.bits(16)),
                "position differs"
            );
        }
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
