//! Chroma upsampling to the output grid. The 2x cases are libjpeg's "fancy" triangular filter
//! (3/4 of the nearer sample, 1/4 of the further one, with libjpeg's alternating rounding
//! bias), so output matches libjpeg-based decoders; other integer factors replicate samples.
//! Rows are given with their neighbours already chosen by the caller (clamped at the image
//! edges as libjpeg does: the first row repeats above, the last real row repeats below).

/// Horizontal 2x of `width` samples into `out[..2 * width]`.
pub(super) fn h2_fancy(src: &[u8], width: usize, out: &mut [u8]) {
    let out = &mut out[..2 * width];
    if width == 1 {
        // libjpeg reads the IDCT's padding column here; with none, repeat the sample
        let a = src[0] as u32;
        let b = src.get(1).map_or(a, |&b| b as u32);
        out[0] = a as u8;
        out[1] = ((a * 3 + b + 2) >> 2) as u8;
        return;
    }
    let src = &src[..width];
    out[0] = src[0];
    out[1] = ((src[0] as u16 * 3 + src[1] as u16 + 2) >> 2) as u8;
    for (o, w) in out[2..].chunks_exact_mut(2).zip(src.windows(3)) {
        let v = w[1] as u16 * 3;
        o[0] = ((v + w[0] as u16 + 1) >> 2) as u8;
        o[1] = ((v + w[2] as u16 + 2) >> 2) as u8;
    }
    let last = width - 1;
    out[2 * last] = ((src[last] as u32 * 3 + src[last - 1] as u32 + 1) >> 2) as u8;
    out[2 * last + 1] = src[last];
}

/// Vertical and horizontal 2x: one output row from its nearer and further input rows.
/// `cols` is scratch space of at least `width` column sums.
pub(super) fn h2v2_fancy(near: &[u8], far: &[u8], width: usize, cols: &mut [u16], out: &mut [u8]) {
    let out = &mut out[..2 * width];
    let cols = &mut cols[..width];
    for ((c, &n), &f) in cols.iter_mut().zip(&near[..width]).zip(&far[..width]) {
        *c = n as u16 * 3 + f as u16;
    }
    if width == 1 {
        out[0] = ((cols[0] * 4 + 8) >> 4) as u8;
        out[1] = ((cols[0] * 4 + 7) >> 4) as u8;
        return;
    }
    out[0] = ((cols[0] * 4 + 8) >> 4) as u8;
    out[1] = ((cols[0] * 3 + cols[1] + 7) >> 4) as u8;
    for (o, w) in out[2..].chunks_exact_mut(2).zip(cols.windows(3)) {
        let v = w[1] * 3;
        o[0] = ((v + w[0] + 8) >> 4) as u8;
        o[1] = ((v + w[2] + 7) >> 4) as u8;
    }
    let x = width - 1;
    out[2 * x] = ((cols[x] * 3 + cols[x - 1] + 8) >> 4) as u8;
    out[2 * x + 1] = ((cols[x] * 4 + 7) >> 4) as u8;
}

/// Vertical 2x only (4:4:0), libjpeg-turbo's `h1v2_fancy_upsample`: bias 1 for the upper
/// output row of a pair, 2 for the lower.
pub(super) fn v2_fancy(near: &[u8], far: &[u8], width: usize, upper: bool, out: &mut [u8]) {
    let bias = if upper { 1 } else { 2 };
    for ((o, &n), &f) in out[..width].iter_mut().zip(near).zip(far) {
        *o = ((n as u16 * 3 + f as u16 + bias) >> 2) as u8;
    }
}

/// Any integer horizontal factor by repetition (vertical repetition is the caller's choice of
/// row). Fills `out[..out_w]`.
pub(super) fn replicate(src: &[u8], factor: usize, out_w: usize, out: &mut [u8]) {
    for (chunk, &s) in out[..out_w].chunks_mut(factor).zip(src) {
        chunk.fill(s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn triangle_filter_weights() {
        let mut out = [0u8; 6];
        h2_fancy(&[0, 100, 200], 3, &mut out);
        // edges repeat; inside 3/4 nearer + 1/4 further
        assert_eq!(out, [0, 25, 75, 125, 175, 200]);
        h2v2_fancy(&[100, 100, 100], &[0, 0, 0], 3, &mut [0; 3], &mut out);
        assert_eq!(out, [75, 75, 75, 75, 75, 75]);
        let mut col = [0u8; 2];
        v2_fancy(&[100, 0], &[0, 100], 2, true, &mut col);
        assert_eq!(col, [75, 25]);
        let mut rep = [0u8; 5];
        replicate(&[1, 2, 3], 2, 5, &mut rep);
        assert_eq!(rep, [1, 1, 2, 2, 3]);
    }
}
