//! Sequential (baseline and extended Huffman) blocks: a DC difference and the AC run/size
//! symbols of one block. Coefficients the chosen scale reads are dequantized on the spot;
//! the rest of the block is walked through `Huffman::skip`, which only consumes bit lengths.

use super::bits::BitReader;
use super::huffman::Huffman;
use super::markers::ZIGZAG;

/// Decodes one block into `block` (natural order, all zero on entry). AC coefficients up to
/// zigzag index `keep` are stored (value x quantizer), later ones skipped. Returns the mask of
/// natural positions written, so the caller can clear exactly those afterwards.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(super) fn decode_block(
    r: &mut BitReader,
    dc: &Huffman,
    ac: &Huffman,
    pred: &mut i32,
    q: &[i32; 64],
    block: &mut [i32; 64],
    keep: usize,
) -> u64 {
    let diff = dc.decode(r, true).value;
    *pred = pred.wrapping_add(diff);
    // libjpeg keeps coefficients in 16 bits; a corrupt file's running DC wraps the same way
    block[0] = (*pred as i16 as i32).wrapping_mul(q[0]);
    let mut mask = 1u64;
    let mut k = 1usize;
    while k <= keep {
        let s = ac.decode(r, false);
        if s.size == 0 {
            if s.run != 15 {
                return mask; // end of block
            }
            k += 16;
            continue;
        }
        k += s.run as usize;
        if k > 63 {
            return mask; // a run past the block's end: corrupt, the block just ends
        }
        let nat = ZIGZAG[k] as usize;
        block[nat] = s.value.wrapping_mul(q[nat]);
        mask |= 1 << nat;
        k += 1;
    }
    while k < 64 {
        let sym = ac.skip(r);
        let (run, size) = (sym >> 4, sym & 15);
        if size == 0 {
            if run != 15 {
                break;
            }
            k += 16;
        } else {
            k += run as usize + 1;
        }
    }
    mask
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

/// Natural-order mask of the top-left `n` x `n` corner.
pub(super) fn corner_mask(n: usize) -> u64 {
    (0..64)
        .filter(|&nat| nat / 8 < n && nat % 8 < n)
        .fold(0u64, |m, nat| m | 1 << nat)
}

/// Zigzag-order mask of the same corner.
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
    fn corners_in_zigzag_order() {
        assert_eq!(last_needed(8), 63);
        assert_eq!(last_needed(4), 24);
        assert_eq!(last_needed(2), 4);
        assert_eq!(last_needed(1), 0);
        assert_eq!(corner_mask(2), 1 | 1 << 1 | 1 << 8 | 1 << 9);
        assert_eq!(corner_mask_zigzag(2), 0b10111);
        assert_eq!(corner_mask_zigzag(4).count_ones(), 16);
    }
}
