//! Sequential (baseline and extended Huffman) blocks: a DC difference and the AC run/size
//! symbols of one block. Coefficients the chosen scale reads are dequantized on the spot;
//! the rest of the block is walked through `Huffman::skip`, which only consumes bit lengths.

use super::bits::{BitReader, Bits, Cursor, Source};
use super::huffman::Huffman;
use super::markers::ZIGZAG;

/// Block buffers have one slot past the 64 coefficients: coefficients the IDCT does not read
/// are routed there (see `Routing`), so the IDCT corner is all that needs clearing afterwards.
pub(super) const DISCARD: usize = 64;
pub(super) type Block = [i32; 65];

/// Zigzag index -> natural index inside the n x n corner the IDCT reads, or `DISCARD`.
pub(super) fn routing(n: usize) -> [u8; 64] {
    let mut r = [DISCARD as u8; 64];
    for (z, nat) in ZIGZAG.iter().enumerate() {
        let nat = *nat as usize;
        if nat / 8 < n && nat % 8 < n {
            r[z] = nat as u8;
        }
    }
    r
}

/// Decodes one block into `block` (natural order; the corner and `DISCARD` zero on entry).
/// AC coefficients up to zigzag index `keep` are dequantized into their corner position
/// (`route`), later ones are only walked through for their bit lengths. Returns whether any
/// AC coefficient was stored (false: the block is flat, its DC alone gives every pixel).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(super) fn decode_block(
    r: &mut BitReader,
    dc: &Huffman,
    ac: &Huffman,
    pred: &mut i32,
    q: &[i32; 65],
    route: &[u8; 64],
    block: &mut Block,
    keep: usize,
) -> bool {
    let c = r.cursor();
    let (bits, any) = decode_block_with(c.into_parts(), dc, ac, pred, q, route, block, keep);
    r.set(bits);
    any
}

/// The block loop proper. Every input is a plain parameter (no closure environment), so the
/// compiler knows none of them alias and keeps the bit buffer and table pointers in registers.
#[inline(never)]
#[allow(clippy::too_many_arguments)]
fn decode_block_with(
    (bits, src): (Bits, &mut Source),
    dc: &Huffman,
    ac: &Huffman,
    pred: &mut i32,
    q: &[i32; 65],
    route: &[u8; 64],
    block: &mut Block,
    keep: usize,
) -> (Bits, bool) {
    let r = &mut Cursor::new(bits, src);
    let (_, diff) = dc.decode(r);
    *pred = pred.wrapping_add(diff);
    // libjpeg keeps coefficients in 16 bits; a corrupt file's running DC wraps the same way
    block[0] = (*pred as i16 as i32).wrapping_mul(q[0]);
    let mut any = false;
    let mut k = 1usize;
    while k <= keep {
        let (advance, value) = ac.decode(r);
        k += advance as usize;
        if k > 64 {
            // EOB, or a run past the block's end (corrupt: the block just ends)
            return (r.buffer(), any);
        }
        // ZRL stores a zero 15 places on: harmless
        let nat = (route[k - 1] as usize).min(DISCARD);
        block[nat] = value.wrapping_mul(q[nat]);
        any = true;
    }
    if k < 64 {
        let _ = ac.skip_to(r, k, 64);
    }
    (r.buffer(), any)
}

/// Zeroes what `decode_block` may have written: the `n` x `n` corner and `DISCARD`.
#[inline(always)]
pub(super) fn clear_corner(block: &mut Block, n: usize) {
    if n == 8 {
        block.fill(0);
        return;
    }
    for row in block.chunks_exact_mut(8).take(n) {
        row[..n].fill(0);
    }
    block[DISCARD] = 0;
}

/// The largest zigzag index whose natural position lies in the top-left `n` x `n` corner: the
/// last coefficient an `n`-point IDCT reads.
pub(super) fn last_needed(n: usize) -> usize {
    (0..64)
        .filter(|&z| {
            let nat = ZIGZAG[z] as usize;
            nat / 8 < n && nat % 8 < n
        })
        .max()
        .unwrap_or(0)
}

/// Zigzag-order mask of the top-left `n` x `n` corner.
pub(super) fn corner_mask_zigzag(n: usize) -> u64 {
    (0..64)
        .filter(|&z| {
            let nat = ZIGZAG[z] as usize;
            nat / 8 < n && nat % 8 < n
        })
        .fold(0u64, |m, z| m | 1 << z)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routing_keeps_the_corner() {
        let r = routing(2);
        assert_eq!(&r[..5], &[0, 1, 8, DISCARD as u8, 9]);
        assert!(r[5..].iter().all(|&v| v as usize == DISCARD));
        assert!(routing(8).iter().zip(ZIGZAG).all(|(a, b)| *a == b));
    }

    #[test]
    fn corners_in_zigzag_order() {
        assert_eq!(last_needed(8), 63);
        assert_eq!(last_needed(4), 24);
        assert_eq!(last_needed(2), 4);
        assert_eq!(last_needed(1), 0);
        assert_eq!(corner_mask_zigzag(2), 0b10111);
        assert_eq!(corner_mask_zigzag(4).count_ones(), 16);
    }
}
