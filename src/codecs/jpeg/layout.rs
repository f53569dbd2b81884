//! Where every component's samples go at a given decode scale: block counts, the IDCT size of
//! each component, the sample grid it produces and the upsampling that maps it to the output.
//! Computed from header facts only, so the memory bound uses the same numbers as the decoder.

/// One component at one scale.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct CompLayout {
    pub h: usize,
    pub v: usize,
    /// Pixels per block side after the IDCT: 1, 2, 4 or 8.
    pub idct: usize,
    /// Blocks per row and rows of blocks that hold image data (what a non-interleaved scan
    /// codes); interleaved scans also code the padding up to whole MCUs.
    pub blocks_w: usize,
    pub blocks_h: usize,
    /// Samples per row and rows at this scale (libjpeg's `downsampled_width/height`).
    pub width: usize,
    pub height: usize,
    /// Samples per buffer row: whole MCUs.
    pub stride: usize,
    /// Upsampling factors from this component's grid to the output grid.
    pub fh: usize,
    pub fv: usize,
}

impl CompLayout {
    /// Rows of samples in one MCU row.
    pub fn mcu_rows(&self) -> usize {
        self.v * self.idct
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Layout {
    pub out_w: usize,
    pub out_h: usize,
    /// Output pixels per block side of a full-resolution component (8 / scale denominator).
    pub scale: usize,
    pub hmax: usize,
    pub vmax: usize,
    pub mcus_x: usize,
    pub mcus_y: usize,
    pub comps: Vec<CompLayout>,
    /// libjpeg's triangular ("fancy") chroma upsampling; like libjpeg, not at 1/8, where a
    /// component's pixel is a whole block's mean.
    pub fancy: bool,
}

impl Layout {
    /// `sampling`: (h, v) per component in frame order. None when the factors are outside
    /// 1..=4 or do not divide the largest ones (fractional upsampling, which libjpeg refuses
    /// too); the caller then leaves the file to the fallback decoder.
    pub fn new(width: u32, height: u32, sampling: &[(u8, u8)], denom: u32) -> Option<Layout> {
        if width == 0 || height == 0 || sampling.is_empty() || !matches!(denom, 1 | 2 | 4 | 8) {
            return None;
        }
        // A single-component frame has one-block MCUs whatever factors it states.
        let sampling: Vec<(usize, usize)> = if sampling.len() == 1 {
            vec![(1, 1)]
        } else {
            sampling
                .iter()
                .map(|&(h, v)| (h as usize, v as usize))
                .collect()
        };
        if sampling
            .iter()
            .any(|&(h, v)| !(1..=4).contains(&h) || !(1..=4).contains(&v))
        {
            return None;
        }
        let hmax = sampling.iter().map(|s| s.0).max()?;
        let vmax = sampling.iter().map(|s| s.1).max()?;
        if sampling
            .iter()
            .any(|&(h, v)| !hmax.is_multiple_of(h) || !vmax.is_multiple_of(v))
        {
            return None;
        }
        let (w, h) = (width as usize, height as usize);
        let scale = 8 / denom as usize;
        let mcus_x = w.div_ceil(8 * hmax);
        let mcus_y = h.div_ceil(8 * vmax);
        let comps = sampling
            .iter()
            .map(|&(ch, cv)| {
                // libjpeg's rule: decode a subsampled component with a larger IDCT instead of
                // upsampling it, as far as that stays within 8x8 and keeps integer factors.
                let mut idct = scale;
                while idct < 8
                    && (hmax * scale).is_multiple_of(ch * idct * 2)
                    && (vmax * scale).is_multiple_of(cv * idct * 2)
                {
                    idct *= 2;
                }
                CompLayout {
                    h: ch,
                    v: cv,
                    idct,
                    blocks_w: (w * ch).div_ceil(hmax).div_ceil(8),
                    blocks_h: (h * cv).div_ceil(vmax).div_ceil(8),
                    width: (w * ch * idct).div_ceil(hmax * 8),
                    height: (h * cv * idct).div_ceil(vmax * 8),
                    stride: mcus_x * ch * idct,
                    fh: hmax * scale / (ch * idct),
                    fv: vmax * scale / (cv * idct),
                }
            })
            .collect();
        Some(Layout {
            out_w: (w * scale).div_ceil(8),
            out_h: (h * scale).div_ceil(8),
            scale,
            hmax,
            vmax,
            mcus_x,
            mcus_y,
            comps,
            fancy: scale > 1,
        })
    }

    /// Output rows of one MCU row.
    pub fn mcu_out_rows(&self) -> usize {
        self.vmax * self.scale
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subsampled_chroma_uses_a_larger_idct_when_scaled() {
        // 4:2:0 at 1/2: chroma decodes 8x8 blocks and needs no upsampling
        let l = Layout::new(5640, 3172, &[(2, 2), (1, 1), (1, 1)], 2).unwrap();
        assert_eq!((l.out_w, l.out_h), (2820, 1586));
        assert_eq!((l.comps[0].idct, l.comps[0].fh, l.comps[0].fv), (4, 1, 1));
        assert_eq!((l.comps[1].idct, l.comps[1].fh, l.comps[1].fv), (8, 1, 1));
        assert_eq!(l.comps[1].width, 2820);
        // 4:2:2 at 1/4: chroma stays 2x2 and is upsampled horizontally
        let l = Layout::new(5640, 3172, &[(2, 1), (1, 1), (1, 1)], 4).unwrap();
        assert_eq!((l.out_w, l.out_h), (1410, 793));
        assert_eq!((l.comps[1].idct, l.comps[1].fh, l.comps[1].fv), (2, 2, 1));
        assert_eq!(l.comps[1].width, 705);
        // full size 4:2:0: 8x8 everywhere, chroma upsampled 2x2
        let l = Layout::new(17, 17, &[(2, 2), (1, 1), (1, 1)], 1).unwrap();
        assert_eq!((l.mcus_x, l.mcus_y), (2, 2));
        assert_eq!((l.comps[1].width, l.comps[1].fh, l.comps[1].fv), (9, 2, 2));
        assert_eq!((l.comps[0].blocks_w, l.comps[1].blocks_w), (3, 2));
    }

    #[test]
    fn odd_factors_are_refused() {
        assert!(Layout::new(100, 100, &[(3, 1), (2, 1), (1, 1)], 1).is_none());
        assert!(Layout::new(100, 100, &[(0, 1), (1, 1), (1, 1)], 1).is_none());
        // a grey frame ignores its factors
        assert!(Layout::new(100, 100, &[(3, 2)], 1).is_some());
    }
}
