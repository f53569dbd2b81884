//! Progressive scans (ITU T.81 G.1.2): DC first/refine and AC first/refine for one block.
//!
//! A block is kept as the values of the coefficients the IDCT reads (its n x n corner, raw
//! quantized values with their successive-approximation shifts) plus `nz`, a zigzag-order
//! mask of every coefficient that is nonzero so far. Refinement needs exactly that history:
//! a correction bit follows each nonzero coefficient of the band, and runs count only the
//! zero ones. Corrections to coefficients outside the corner change no pixel, so their bits
//! are consumed in bulk. Stored values wrap in 16 bits like libjpeg's, so corrupt files cannot
//! trip an overflow check.

use super::bits::Cursor;
use super::huffman::{is_coefficient, Huffman, END};

/// A block's coefficients as the progressive decoder keeps them.
pub(super) struct Block<'b> {
    /// Corner values, indexed by `Corner::index`.
    pub coef: &'b mut [i16],
    /// Zigzag positions of the nonzero coefficients so far.
    pub nz: &'b mut u64,
}

/// Where each zigzag position lives in a component's corner store.
pub(super) struct Corner {
    /// Zigzag index -> corner index, or `OUTSIDE`.
    pub index: [u8; 64],
    /// Zigzag-order mask of the positions inside the corner.
    pub mask: u64,
}

pub(super) const OUTSIDE: u8 = 255;

impl Corner {
    /// The n x n corner: corner index = row * n + column.
    pub fn new(n: usize) -> Corner {
        let mut index = [OUTSIDE; 64];
        let mut mask = 0u64;
        for (z, &nat) in super::markers::ZIGZAG.iter().enumerate() {
            let (row, col) = (nat as usize / 8, nat as usize % 8);
            if row < n && col < n {
                index[z] = (row * n + col) as u8;
                mask |= 1 << z;
            }
        }
        Corner { index, mask }
    }
}

pub(super) fn dc_first(r: &mut Cursor, dc: &Huffman, pred: &mut i32, b: Block, al: u8) {
    let (_, diff) = dc.decode(r);
    *pred = pred.wrapping_add(diff);
    b.coef[0] = (*pred).wrapping_shl(al as u32) as i16;
    if b.coef[0] != 0 {
        *b.nz |= 1;
    }
}

pub(super) fn dc_refine(r: &mut Cursor, b: Block, al: u8) {
    if r.bit() {
        b.coef[0] |= (1i32 << al) as i16;
        *b.nz |= 1;
    }
}

/// First pass over the band `ss..=se`. Coefficients at zigzag indices above `keep` are
/// decoded for their bit lengths only (neither the output nor a later scan reads them).
#[allow(clippy::too_many_arguments)]
pub(super) fn ac_first(
    r: &mut Cursor,
    ac: &Huffman,
    b: Block,
    corner: &Corner,
    (ss, se, al): (u8, u8, u8),
    keep: usize,
    eobrun: &mut u32,
) {
    if *eobrun > 0 {
        *eobrun -= 1;
        return;
    }
    let se = se as usize;
    let mut k = ss as usize;
    while k <= se {
        if k > keep {
            if let Err(run) = ac.skip_to(r, k, se + 1) {
                *eobrun = end_of_band_run(r, run);
            }
            return;
        }
        let (advance, value) = ac.decode(r);
        if advance >= END {
            *eobrun = end_of_band_run(r, advance - END);
            return;
        }
        k += advance as usize;
        if k > se + 1 {
            return; // corrupt run past the band
        }
        if value != 0 {
            let z = k - 1;
            *b.nz |= 1 << z;
            let i = corner.index[z];
            if i != OUTSIDE {
                b.coef[i as usize] = value.wrapping_shl(al as u32) as i16;
            }
        }
    }
}

/// EOBn: this block ends and `2^n - 1 + n extra bits` further blocks have nothing in the band.
fn end_of_band_run(r: &mut Cursor, run: u32) -> u32 {
    ((1u32 << run) - 1) + r.bits(run)
}

/// Zigzag positions `from..=to` as a mask (empty when from > to).
#[inline(always)]
fn range(from: usize, to: usize) -> u64 {
    if from > to || from > 63 {
        return 0;
    }
    (u64::MAX << from) & (u64::MAX >> (63 - to.min(63)))
}

/// Refinement pass over `ss..=se` (G.1.2.3): one correction bit per coefficient that is
/// already nonzero, new coefficients of magnitude 1.
pub(super) fn ac_refine(
    r: &mut Cursor,
    ac: &Huffman,
    mut b: Block,
    corner: &Corner,
    (ss, se, al): (u8, u8, u8),
    eobrun: &mut u32,
) {
    let p1 = (1i32 << al) as i16;
    let m1 = (-1i32 << al) as i16;
    let se = (se as usize).min(63);
    let band = range(ss as usize, se);
    // positions from k on, within the band (k <= se < 64 wherever it is used)
    let from = |k: usize| band & (u64::MAX << k);
    let mut k = ss as usize;
    if *eobrun == 0 {
        while k <= se {
            let (advance, v) = ac.decode(r);
            if advance >= END {
                let n = advance - END;
                *eobrun = (1u32 << n) + r.bits(n);
                break;
            }
            // a new coefficient of magnitude 1 (size 1 in a valid file: its sign bit was read
            // as the symbol's value), or ZRL; either way the target is the (run + 1)-th
            // coefficient from k with a zero history
            let mut zeros = !*b.nz & from(k);
            for _ in 1..advance {
                zeros &= zeros.wrapping_sub(1);
            }
            let (target, passed) = if zeros == 0 {
                (se + 1, *b.nz & from(k)) // ran out of the band (corrupt)
            } else {
                let t = zeros.trailing_zeros() as usize;
                (t, *b.nz & from(k) & ((1u64 << t) - 1))
            };
            correct(r, &mut b, corner, passed, p1, m1);
            if target <= se && is_coefficient(advance, v) {
                *b.nz |= 1 << target;
                let i = corner.index[target];
                if i != OUTSIDE {
                    b.coef[i as usize] = if v > 0 { p1 } else { m1 };
                }
            }
            k = target + 1;
        }
    }
    if *eobrun > 0 {
        // the band's remaining nonzero coefficients still get their correction bits
        if k <= se {
            let rest = *b.nz & from(k);
            correct(r, &mut b, corner, rest, p1, m1);
        }
        *eobrun -= 1;
    }
}

/// Reads one correction bit per position in `positions`, in order, applying those of the
/// corner (the others change no pixel: their bits are only consumed).
#[inline(always)]
fn correct(r: &mut Cursor, b: &mut Block, corner: &Corner, positions: u64, p1: i16, m1: i16) {
    let mut rest = positions;
    while rest != 0 {
        if rest & corner.mask == 0 {
            // no corner position left: consume the remaining bits together
            let mut n = rest.count_ones();
            while n > 0 {
                let m = n.min(32);
                r.ensure(m);
                r.consume(m);
                n -= m;
            }
            return;
        }
        let z = rest.trailing_zeros() as usize;
        let i = corner.index[z];
        let bit = r.bit();
        if i != OUTSIDE {
            let c = &mut b.coef[i as usize];
            if bit && (*c & p1) == 0 {
                *c = c.wrapping_add(if *c >= 0 { p1 } else { m1 });
            }
        }
        rest &= rest - 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corner_indices_follow_rows() {
        let c = Corner::new(2);
        assert_eq!(&c.index[..5], &[0, 1, 2, OUTSIDE, 3]);
        assert_eq!(c.mask, 0b10111);
        assert_eq!(range(1, 5), 0b111110);
        assert_eq!(range(3, 2), 0);
        assert_eq!(range(0, 63), u64::MAX);
    }
}
