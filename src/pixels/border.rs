//! `border`: a frame of one colour around the finished image. The image's own pixels are
//! copied unchanged (a transparent pixel stays transparent; `background` later goes under
//! both), so the frame never tints the picture.

use super::{Layout, Raster};
use crate::options::{Border, Rgba};

/// The layout of `src` framed with `color`: RGBA when either has transparency.
pub fn layout(src: Layout, color: Rgba) -> Layout {
    if src == Layout::Rgb && color.a == 255 {
        Layout::Rgb
    } else {
        Layout::Rgba
    }
}

pub fn add(src: &Raster, b: &Border) -> Raster {
    let layout = layout(src.layout, b.color);
    let c = layout.channels();
    let w = src.width as usize + b.left as usize + b.right as usize;
    let h = src.height as usize + b.top as usize + b.bottom as usize;
    let fill = [b.color.r, b.color.g, b.color.b, b.color.a];
    let mut data = fill[..c].repeat(w * h);
    let sc = src.layout.channels();
    for (y, row) in src.data.chunks_exact(src.width as usize * sc).enumerate() {
        let at = ((y + b.top as usize) * w + b.left as usize) * c;
        let out = &mut data[at..at + src.width as usize * c];
        if sc == c {
            out.copy_from_slice(row);
        } else {
            for (o, p) in out.chunks_exact_mut(4).zip(row.chunks_exact(3)) {
                o[..3].copy_from_slice(p);
                o[3] = 255;
            }
        }
    }
    Raster::new(w as u32, h as u32, layout, data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_surrounds_the_unchanged_picture() {
        let src = Raster::new(2, 1, Layout::Rgba, vec![1, 2, 3, 0, 4, 5, 6, 255]);
        let red = Rgba {
            r: 255,
            g: 0,
            b: 0,
            a: 255,
        };
        let out = add(
            &src,
            &Border {
                color: red,
                top: 1,
                right: 2,
                bottom: 0,
                left: 1,
            },
        );
        assert_eq!((out.width, out.height), (5, 2));
        assert_eq!(&out.data[..4], &[255, 0, 0, 255]);
        // row 1: left border, the two pixels as they were, two border pixels
        assert_eq!(&out.data[5 * 4..6 * 4], &[255, 0, 0, 255]);
        assert_eq!(&out.data[6 * 4..8 * 4], &[1, 2, 3, 0, 4, 5, 6, 255]);
        assert_eq!(&out.data[9 * 4..10 * 4], &[255, 0, 0, 255]);
    }
}
