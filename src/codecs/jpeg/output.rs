//! From IDCT output to pixels, one MCU row at a time. Each component keeps three MCU rows of
//! samples (the row being written plus the ones above and below the row being emitted, which
//! the vertical triangle filter reads); a row is upsampled and colour-converted once the next
//! one has been decoded. Nothing of the image is held besides the output frame.

use super::convert::{convert_row, ColorSpace};
use super::layout::{CompLayout, Layout};
use super::upsample;

const SLOTS: usize = 3;

pub(super) struct Rows {
    pub layout: Layout,
    space: ColorSpace,
    ring: Vec<Vec<u8>>,
    tmp: Vec<Vec<u8>>,
    /// Column sums of the 2x2 triangle filter.
    cols: Vec<u16>,
    pub pixels: Vec<u8>,
}

/// Bytes of one component's ring.
pub(super) fn ring_len(c: &CompLayout) -> usize {
    SLOTS * c.mcu_rows() * c.stride
}

/// Bytes of the per-component upsampled row.
pub(super) fn tmp_len(l: &Layout) -> usize {
    l.comps
        .iter()
        .map(|c| (2 * c.width).max(c.fh * c.stride))
        .max()
        .unwrap_or(0)
        .max(l.out_w)
}

/// Column sums kept for the 2x2 triangle filter.
pub(super) fn cols_len(l: &Layout) -> usize {
    l.comps.iter().map(|c| c.width).max().unwrap_or(0)
}

impl Rows {
    /// `pixels`: the zeroed output frame, out_w x out_h x channels.
    pub fn new(layout: Layout, space: ColorSpace, pixels: Vec<u8>) -> Rows {
        let ring = layout
            .comps
            .iter()
            .map(|c| vec![0u8; ring_len(c)])
            .collect();
        let tmp = vec![vec![0u8; tmp_len(&layout)]; layout.comps.len()];
        let cols = vec![0u16; cols_len(&layout)];
        Rows {
            layout,
            space,
            ring,
            tmp,
            cols,
            pixels,
        }
    }

    /// The samples of block (`by`, `bx`) of MCU row `row` for component `c`: a slice starting
    /// at its top-left sample, and the row stride.
    #[inline(always)]
    pub fn block(&mut self, c: usize, row: usize, by: usize, bx: usize) -> (&mut [u8], usize) {
        let cl = &self.layout.comps[c];
        let base = (row % SLOTS) * cl.mcu_rows() * cl.stride;
        let at = base + by * cl.idct * cl.stride + bx * cl.idct;
        (&mut self.ring[c][at..], cl.stride)
    }

    /// Writes the output rows of MCU row `row`; needs MCU row `row + 1` decoded (if any).
    pub fn emit(&mut self, row: usize) {
        let l = &self.layout;
        let per = l.mcu_out_rows();
        let y0 = row * per;
        let y1 = (y0 + per).min(l.out_h);
        let channels = self.space.channels();
        let line = l.out_w * channels;
        for y in y0..y1 {
            for (c, cl) in l.comps.iter().enumerate() {
                if cl.fh == 1 && cl.fv == 1 {
                    continue;
                }
                let ring = &self.ring[c];
                let cy = y / cl.fv;
                let tmp = &mut self.tmp[c];
                if l.fancy && cl.fv == 2 && cl.fh <= 2 {
                    let upper = y % 2 == 0;
                    let far = if upper { cy.saturating_sub(1) } else { cy + 1 };
                    let (near, far) = (ring_row(ring, cl, cy), ring_row(ring, cl, far));
                    if cl.fh == 2 {
                        upsample::h2v2_fancy(near, far, cl.width, &mut self.cols, tmp);
                    } else {
                        upsample::v2_fancy(near, far, cl.width, upper, tmp);
                    }
                } else if l.fancy && cl.fh == 2 && cl.fv == 1 {
                    upsample::h2_fancy(ring_row(ring, cl, cy), cl.width, tmp);
                } else {
                    upsample::replicate(ring_row(ring, cl, cy), cl.fh, l.out_w, tmp);
                }
            }
            let mut rows: [&[u8]; 4] = [&[]; 4];
            for (c, cl) in l.comps.iter().enumerate() {
                rows[c] = if cl.fh == 1 && cl.fv == 1 {
                    ring_row(&self.ring[c], cl, y)
                } else {
                    &self.tmp[c]
                };
            }
            let out = &mut self.pixels[y * line..(y + 1) * line];
            convert_row(self.space, &rows[..l.comps.len()], l.out_w, out);
        }
    }
}

/// Component row `y` (clamped to the component's real rows, as libjpeg repeats the edge rows)
/// from the ring.
#[inline(always)]
fn ring_row<'r>(ring: &'r [u8], cl: &CompLayout, y: usize) -> &'r [u8] {
    let y = y.min(cl.height.saturating_sub(1));
    let mh = cl.mcu_rows();
    let at = ((y / mh) % SLOTS) * mh * cl.stride + (y % mh) * cl.stride;
    &ring[at..at + cl.stride]
}
