//! Backgrounds: flattening alpha for formats without it, and padding for `fit=pad`.

use super::{Layout, Raster};
use crate::options::Rgba;

#[inline]
fn blend(fg: u8, bg: u8, a: u32) -> u8 {
    ((fg as u32 * a + bg as u32 * (255 - a) + 127) / 255) as u8
}

/// Composite RGBA over an opaque colour, giving RGB.
pub fn flatten(src: Raster, bg: Rgba) -> Raster {
    if src.layout == Layout::Rgb {
        return src;
    }
    let mut data = src.data;
    let n = src.width as usize * src.height as usize;
    for i in 0..n {
        let p = &data[i * 4..i * 4 + 4];
        let a = p[3] as u32;
        let rgb = [
            blend(p[0], bg.r, a),
            blend(p[1], bg.g, a),
            blend(p[2], bg.b, a),
        ];
        data[i * 3..i * 3 + 3].copy_from_slice(&rgb);
    }
    data.truncate(n * 3);
    Raster::new(src.width, src.height, Layout::Rgb, data)
}

/// Composite RGBA over a colour that may itself be translucent ("over" operator), in place.
pub fn underlay(src: &mut Raster, bg: Rgba) {
    if src.layout != Layout::Rgba {
        return;
    }
    let ba = bg.a as u32;
    for p in src.data.chunks_exact_mut(4) {
        let fa = p[3] as u32;
        let out_a = fa + ba * (255 - fa) / 255;
        if out_a == 0 {
            p.copy_from_slice(&[0, 0, 0, 0]);
            continue;
        }
        for (c, b) in p[..3].iter_mut().zip([bg.r, bg.g, bg.b]) {
            let v = (*c as u32 * fa * 255 + b as u32 * ba * (255 - fa)) / (out_a * 255);
            *c = v.min(255) as u8;
        }
        p[3] = out_a as u8;
    }
}

/// Place `src` on a `w` x `h` canvas of `bg` at (x, y).
pub fn pad(src: &Raster, w: u32, h: u32, x: u32, y: u32, bg: Rgba) -> Raster {
    let layout = if bg.a == 255 && src.layout == Layout::Rgb {
        Layout::Rgb
    } else {
        Layout::Rgba
    };
    let c = layout.channels();
    let fill: Vec<u8> = match layout {
        Layout::Rgb => vec![bg.r, bg.g, bg.b],
        Layout::Rgba => vec![bg.r, bg.g, bg.b, bg.a],
    };
    let mut data = fill.repeat(w as usize * h as usize);
    let sc = src.layout.channels();
    for sy in 0..src.height.min(h.saturating_sub(y)) {
        let row_out = ((y + sy) as usize * w as usize + x as usize) * c;
        let row_in = sy as usize * src.width as usize * sc;
        for sx in 0..src.width.min(w.saturating_sub(x)) as usize {
            let sp = &src.data[row_in + sx * sc..row_in + sx * sc + sc];
            let dp = &mut data[row_out + sx * c..row_out + sx * c + c];
            match (sc, c) {
                (3, 3) => dp.copy_from_slice(sp),
                (3, 4) => {
                    dp[..3].copy_from_slice(sp);
                    dp[3] = 255;
                }
                _ => {
                    // source has alpha: composite over the canvas colour
                    let a = sp[3] as u32;
                    for i in 0..3 {
                        dp[i] = blend(sp[i], dp[i], a);
                    }
                    if c == 4 {
                        dp[3] = (a + dp[3] as u32 * (255 - a) / 255) as u8;
                    }
                }
            }
        }
    }
    Raster::new(w, h, layout, data)
}
