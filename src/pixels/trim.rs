//! `trim=border`: the box that remains once a surrounding border of one colour is cut away.

use super::Raster;
use crate::options::Rgba;

/// The pixel at (x, y) as RGBA.
pub fn pixel(r: &Raster, x: u32, y: u32) -> Rgba {
    let c = r.layout.channels();
    let i = (y as usize * r.width as usize + x as usize) * c;
    let p = &r.data[i..i + c];
    Rgba {
        r: p[0],
        g: p[1],
        b: p[2],
        a: if c == 4 { p[3] } else { 255 },
    }
}

/// A pixel is border when no channel differs from `color` by more than `255 - tolerance`
/// (Cloudflare's scale: 255 must match exactly, 0 matches anything). Two fully transparent
/// pixels match whatever colour their invisible channels hold.
fn is_border(p: &[u8], color: Rgba, max_diff: u8) -> bool {
    let a = if p.len() == 4 { p[3] } else { 255 };
    if a == 0 && color.a == 0 {
        return true;
    }
    p[0].abs_diff(color.r) <= max_diff
        && p[1].abs_diff(color.g) <= max_diff
        && p[2].abs_diff(color.b) <= max_diff
        && a.abs_diff(color.a) <= max_diff
}

/// The smallest box (x, y, w, h) inside `within` that holds every pixel of `r` that is not
/// border; `None` when all of `within` is border.
pub fn content_box(r: &Raster, within: [u32; 4], color: Rgba, tolerance: u8) -> Option<[u32; 4]> {
    let max_diff = 255 - tolerance;
    let c = r.layout.channels();
    let [x0, y0, w, h] = within;
    let (x1, y1) = (x0 + w, y0 + h);
    let row = |y: u32, from: u32, to: u32| {
        let start = (y as usize * r.width as usize + from as usize) * c;
        let end = (y as usize * r.width as usize + to as usize) * c;
        r.data[start..end]
            .chunks_exact(c)
            .all(|p| is_border(p, color, max_diff))
    };
    let column = |x: u32, from: u32, to: u32| {
        (from..to).all(|y| {
            let i = (y as usize * r.width as usize + x as usize) * c;
            is_border(&r.data[i..i + c], color, max_diff)
        })
    };
    let top = (y0..y1).find(|&y| !row(y, x0, x1))?;
    let bottom = (top..y1).rev().find(|&y| !row(y, x0, x1))? + 1;
    let left = (x0..x1).find(|&x| !column(x, top, bottom))?;
    let right = (left..x1).rev().find(|&x| !column(x, top, bottom))? + 1;
    Some([left, top, right - left, bottom - top])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pixels::Layout;

    #[test]
    fn finds_the_box_inside_a_noisy_margin() {
        // 6x5 white with a slightly off-white pixel in the margin and a red 2x2 block
        let mut data = [255u8, 255, 255].repeat(30);
        let mut put = |x: usize, y: usize, p: [u8; 3]| {
            data[(y * 6 + x) * 3..(y * 6 + x) * 3 + 3].copy_from_slice(&p)
        };
        put(0, 0, [250, 250, 250]);
        put(2, 1, [255, 0, 0]);
        put(3, 2, [255, 0, 0]);
        let r = Raster::new(6, 5, Layout::Rgb, data);
        let white = Rgba::WHITE;
        assert_eq!(
            content_box(&r, [0, 0, 6, 5], white, 245),
            Some([2, 1, 2, 2])
        );
        // exact matching keeps the off-white corner
        assert_eq!(
            content_box(&r, [0, 0, 6, 5], white, 255),
            Some([0, 0, 4, 3])
        );
        // a box without content
        assert_eq!(content_box(&r, [4, 3, 2, 2], white, 245), None);
    }
}
