//! Overlays composited over a frame (`draw`, prepared by `crate::draw`): Porter-Duff "over" on
//! straight (non-premultiplied) alpha in gamma-encoded sRGB, as sharp's `composite` and
//! Cloudflare do it: no linearisation, `opacity` multiplies the overlay's alpha.

use super::{Layout, Raster};

/// An overlay rendered at its own size, ready to composite.
pub struct Prepared {
    pub raster: Raster,
    pub opacity: f32,
    /// Repeated along the axis (`repeat=x`, `y` or both).
    pub tile_x: bool,
    pub tile_y: bool,
    pub top: Option<i32>,
    pub left: Option<i32>,
    pub bottom: Option<i32>,
    pub right: Option<i32>,
}

/// Where the overlay's first copy goes on one axis: from the near edge, from the far edge, or
/// centred.
fn place(base: u32, size: u32, near: Option<i32>, far: Option<i32>) -> i64 {
    match (near, far) {
        (Some(n), _) => n as i64,
        (None, Some(f)) => base as i64 - size as i64 - f as i64,
        (None, None) => (base as i64 - size as i64) / 2,
    }
}

/// The output pixels an overlay covers on one axis: the whole axis when tiled, else the
/// placed copy clipped to the output.
fn covered(base: u32, size: u32, at: i64, tiled: bool) -> std::ops::Range<i64> {
    if tiled {
        0..base as i64
    } else {
        at.max(0)..(at + size as i64).min(base as i64)
    }
}

/// Composites every overlay over `base`, in order.
pub fn composite_all(base: &mut Raster, overlays: &[Prepared]) {
    for o in overlays {
        composite(base, o);
    }
}

/// One overlay over `dst`: every covered output pixel takes the overlay pixel at its offset
/// from the placed copy, modulo the overlay's size on a tiled axis (so a tiny tile over a
/// large output costs one blend per pixel, not a call per tile).
fn composite(dst: &mut Raster, o: &Prepared) {
    let src = &o.raster;
    let (ow, oh) = (src.width, src.height);
    if ow == 0 || oh == 0 {
        return;
    }
    let x = place(dst.width, ow, o.left, o.right);
    let y = place(dst.height, oh, o.top, o.bottom);
    let cols = covered(dst.width, ow, x, o.tile_x);
    let rows = covered(dst.height, oh, y, o.tile_y);
    let (dc, sc) = (dst.layout.channels(), src.layout.channels());
    let op = o.opacity.clamp(0.0, 1.0);
    let dst_alpha = dst.layout == Layout::Rgba;
    for dy in rows {
        let sy = (dy - y).rem_euclid(oh as i64) as usize;
        let srow = sy * ow as usize;
        let drow = dy as usize * dst.width as usize;
        for dx in cols.clone() {
            let sx = (dx - x).rem_euclid(ow as i64) as usize;
            let s = &src.data[(srow + sx) * sc..(srow + sx + 1) * sc];
            let d = &mut dst.data[(drow + dx as usize) * dc..(drow + dx as usize + 1) * dc];
            let sa = if sc == 4 { s[3] as f32 / 255.0 } else { 1.0 } * op;
            if sa <= 0.0 {
                continue;
            }
            // straight-alpha "over": out_a = sa + da (1 - sa), out_c = (sc sa + dc da (1 - sa)) / out_a
            let da = if dst_alpha { d[3] as f32 / 255.0 } else { 1.0 };
            let out_a = sa + da * (1.0 - sa);
            for c in 0..3 {
                let v = (s[c] as f32 * sa + d[c] as f32 * da * (1.0 - sa)) / out_a;
                d[c] = v.round().clamp(0.0, 255.0) as u8;
            }
            if dst_alpha {
                d[3] = (out_a * 255.0).round().clamp(0.0, 255.0) as u8;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prepared(raster: Raster, tile_x: bool, left: Option<i32>) -> Prepared {
        Prepared {
            raster,
            opacity: 1.0,
            tile_x,
            tile_y: false,
            top: Some(0),
            left,
            bottom: None,
            right: None,
        }
    }

    #[test]
    fn a_tiled_row_repeats_through_the_placed_copy() {
        // a 2x1 tile (values 10, 20) placed at x = 1 over a 5x1 row: 20 10 20 10 20
        let tile = Raster::new(2, 1, Layout::Rgb, vec![10, 10, 10, 20, 20, 20]);
        let mut row = Raster::new(5, 1, Layout::Rgb, vec![0; 15]);
        composite(&mut row, &prepared(tile.clone(), true, Some(1)));
        let reds: Vec<u8> = row.data.chunks(3).map(|p| p[0]).collect();
        assert_eq!(reds, vec![20, 10, 20, 10, 20]);
        // untiled: only x = 1, 2
        let mut row = Raster::new(5, 1, Layout::Rgb, vec![0; 15]);
        composite(&mut row, &prepared(tile, false, Some(1)));
        let reds: Vec<u8> = row.data.chunks(3).map(|p| p[0]).collect();
        assert_eq!(reds, vec![0, 10, 20, 0, 0]);
    }

    #[test]
    fn over_a_transparent_pixel_keeps_straight_colour() {
        // half-transparent red over fully transparent: red at alpha 128, not darkened
        let red = Raster::new(1, 1, Layout::Rgba, vec![255, 0, 0, 128]);
        let mut clear = Raster::new(1, 1, Layout::Rgba, vec![0, 0, 0, 0]);
        composite(&mut clear, &prepared(red, false, Some(0)));
        assert_eq!(clear.data, vec![255, 0, 0, 128]);
    }

    #[test]
    fn placement_from_each_edge_and_centred() {
        assert_eq!(place(100, 20, Some(5), None), 5);
        assert_eq!(place(100, 20, None, Some(5)), 75);
        assert_eq!(place(100, 20, None, None), 40);
    }
}
