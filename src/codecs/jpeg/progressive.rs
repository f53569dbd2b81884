//! Progressive scans (ITU T.81 G.1.2): DC first/refine and AC first/refine for one block.
//! Coefficients are raw (quantized) values in natural order with their successive-
//! approximation shifts applied; dequantization happens at the IDCT. Arithmetic on stored
//! values wraps in 16 bits like libjpeg's, so corrupt files cannot trip an overflow check.

use super::bits::Cursor;
use super::huffman::{is_coefficient, Huffman, END};
use super::markers::ZIGZAG;

pub(super) fn dc_first(r: &mut Cursor, dc: &Huffman, pred: &mut i32, coef: &mut i16, al: u8) {
    let (_, diff) = dc.decode(r);
    *pred = pred.wrapping_add(diff);
    *coef = (*pred).wrapping_shl(al as u32) as i16;
}

pub(super) fn dc_refine(r: &mut Cursor, coef: &mut i16, al: u8) {
    if r.bit() {
        *coef |= (1i32 << al) as i16;
    }
}

/// First pass over the band `ss..=se`. Coefficients at zigzag indices above `keep` are
/// decoded for their bit lengths only (nothing the output or a later scan reads).
#[allow(clippy::too_many_arguments)]
pub(super) fn ac_first(
    r: &mut Cursor,
    ac: &Huffman,
    block: &mut [i16],
    ss: u8,
    se: u8,
    al: u8,
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
            // the rest of this block is never read: lengths only
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
        if value != 0 && k - 1 <= keep {
            block[ZIGZAG[k - 1] as usize] = value.wrapping_shl(al as u32) as i16;
        }
    }
}

/// EOBn: this block ends and `2^n - 1 + n extra bits` further blocks have nothing in the band.
fn end_of_band_run(r: &mut Cursor, run: u32) -> u32 {
    ((1u32 << run) - 1) + r.bits(run)
}

/// Refinement pass over `ss..=se` (G.1.2.3): one correction bit per coefficient that is
/// already nonzero, new coefficients of magnitude 1. Needs the block's complete history in the
/// band, so every coefficient of the band is stored.
pub(super) fn ac_refine(
    r: &mut Cursor,
    ac: &Huffman,
    block: &mut [i16],
    ss: u8,
    se: u8,
    al: u8,
    eobrun: &mut u32,
) {
    let p1 = (1i32 << al) as i16;
    let m1 = (-1i32 << al) as i16;
    let se = se as usize;
    let mut k = ss as usize;
    if *eobrun == 0 {
        while k <= se {
            let (advance, v) = ac.decode(r);
            if advance >= END {
                let n = advance - END;
                *eobrun = (1u32 << n) + r.bits(n);
                break;
            }
            // a new coefficient of magnitude 1 (size 1 in a valid file: its sign bit was
            // read as the symbol's value), or ZRL
            let value = match is_coefficient(advance, v) {
                true if v > 0 => p1,
                true => m1,
                false => 0,
            };
            let mut run = advance as i32 - 1;
            // skip `run` zero-history coefficients, correcting the nonzero ones passed
            while k <= se {
                let c = &mut block[ZIGZAG[k] as usize];
                if *c != 0 {
                    refine(r, c, p1, m1);
                } else {
                    run -= 1;
                    if run < 0 {
                        break;
                    }
                }
                k += 1;
            }
            if value != 0 && k <= se {
                block[ZIGZAG[k] as usize] = value;
            }
            k += 1;
        }
    }
    if *eobrun > 0 {
        // the band's remaining nonzero coefficients still get their correction bits
        while k <= se {
            let c = &mut block[ZIGZAG[k] as usize];
            if *c != 0 {
                refine(r, c, p1, m1);
            }
            k += 1;
        }
        *eobrun -= 1;
    }
}

#[inline(always)]
fn refine(r: &mut Cursor, c: &mut i16, p1: i16, m1: i16) {
    if r.bit() && (*c & p1) == 0 {
        *c = c.wrapping_add(if *c >= 0 { p1 } else { m1 });
    }
}
