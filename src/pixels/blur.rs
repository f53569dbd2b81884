//! Gaussian blur and unsharp-mask sharpening on output-sized frames.
//!
//! Both work on gamma-encoded sRGB values, as sharp (libvips), ImageMagick and CSS `blur()` do,
//! with colour premultiplied by alpha so that a transparent pixel's colour never bleeds into
//! its neighbours. The working copy is one 16-bit frame (premultiplied values keep their full
//! precision: colour x alpha fits 16 bits) plus one line or one strip of columns of scratch:
//! [`working_bytes`] is what the memory budget counts.
//!
//! Small sigmas get an exact Gaussian kernel. From [`BOX_SIGMA`] on, three box filters stand in
//! for it ("approximate gaussian", as Cloudflare describes its blur): the cost per pixel no
//! longer grows with the radius, which reaches sigma 126 at `blur=250`.

use super::{Layout, Raster};

/// From this sigma on, three box passes replace the exact kernel. At 3 the exact kernel has 25
/// taps per pass (measured in docs/OPTIONS.md: the box passes stay within the reference
/// tolerance from here up).
pub const BOX_SIGMA: f32 = 3.0;

/// The exact kernel reaches 4 sigma each side: the weight it drops is below 1e-4.
const KERNEL_REACH: f32 = 4.0;

/// Columns processed together by a vertical pass: their scratch strip stays in cache.
const STRIP: usize = 64;

/// Bytes a blur of `sigma` on a `w` x `h` frame of `c` channels allocates at once: the 16-bit
/// working frame and the largest scratch. The exact kernel needs one line of f32 for a
/// horizontal pass, or a strip of columns, its unmodified copy and one row of sums for a
/// vertical one; the box passes need two 32-bit copies of a line (or of a strip's columns)
/// extended by their combined reach at both ends.
pub fn working_bytes(w: u32, h: u32, c: usize, sigma: f32) -> u64 {
    let (w, h, c) = (w as u64, h as u64, c as u64);
    let frame = w * h * c * 2;
    let strip = (STRIP as u64).min(w * c);
    // rows: one f32 line; columns: the strip, (exact kernel) its copy and a row of sums, and
    // the unused sums buffer `columns` hands out
    let rows = w * c * 4;
    let scratch = if sigma < BOX_SIGMA {
        rows.max(2 * strip * h * 2 + 2 * strip * 4)
    } else {
        let reach = box_radii(sigma).iter().sum::<usize>() as u64;
        let cascade = 2 * box_capacity(w, h, c, reach) * 4 + c.max(strip) * 4;
        cascade + rows.max(strip * h * 2 + strip * 4)
    };
    frame + scratch
}

/// Samples each of the box cascade's two buffers holds: the longer of a row and a strip's
/// column run, extended by `reach` at both ends.
fn box_capacity(w: u64, h: u64, c: u64, reach: u64) -> u64 {
    let strip = (STRIP as u64).min(w * c);
    ((w + 2 * reach) * c).max((h + 2 * reach) * strip)
}

/// Gaussian blur with standard deviation `sigma` (pixels), edges extended.
pub fn gaussian(r: &mut Raster, sigma: f32) {
    if sigma <= 0.0 || r.width == 0 || r.height == 0 {
        return;
    }
    let mut work = Premultiplied::from(r);
    blur_in_place(&mut work, sigma);
    work.write_to(r);
}

/// Unsharp mask: `out = in + amount * (in - gaussian(in, sigma))`, on premultiplied colour;
/// alpha is left as it was.
pub fn unsharp(r: &mut Raster, sigma: f32, amount: f32) {
    if amount <= 0.0 || r.width == 0 || r.height == 0 {
        return;
    }
    let mut blurred = Premultiplied::from(r);
    blur_in_place(&mut blurred, sigma);
    let c = r.layout.channels();
    let k = (amount * 256.0).round() as i32;
    for (px, bl) in r.data.chunks_exact_mut(c).zip(blurred.data.chunks_exact(c)) {
        let a = if c == 4 { px[3] as i32 } else { 255 };
        if a == 0 {
            continue;
        }
        for i in 0..3 {
            // in premultiplied 16-bit units: colour x alpha
            let orig = px[i] as i32 * a;
            let diff = orig - bl[i] as i32;
            let sharp = (orig + ((diff * k) >> 8)).clamp(0, 255 * a);
            px[i] = ((sharp + a / 2) / a) as u8;
        }
    }
}

/// A frame as 16-bit samples: colour x alpha (0..=65025) and alpha x 255, so that averaging
/// premultiplied values keeps every bit the 8-bit input had.
struct Premultiplied {
    width: usize,
    height: usize,
    channels: usize,
    data: Vec<u16>,
}

impl Premultiplied {
    fn from(r: &Raster) -> Premultiplied {
        let c = r.layout.channels();
        // exactly sized: the budget counts one 16-bit copy of the frame
        let mut data = Vec::with_capacity(r.data.len());
        match r.layout {
            Layout::Rgb => data.extend(r.data.iter().map(|&v| v as u16 * 255)),
            Layout::Rgba => {
                for p in r.data.chunks_exact(4) {
                    let a = p[3] as u16;
                    data.extend([p[0] as u16 * a, p[1] as u16 * a, p[2] as u16 * a, a * 255]);
                }
            }
        }
        Premultiplied {
            width: r.width as usize,
            height: r.height as usize,
            channels: c,
            data,
        }
    }

    fn write_to(&self, r: &mut Raster) {
        match r.layout {
            Layout::Rgb => {
                for (o, &v) in r.data.iter_mut().zip(&self.data) {
                    *o = ((v as u32 + 127) / 255) as u8;
                }
            }
            Layout::Rgba => {
                for (o, p) in r.data.chunks_exact_mut(4).zip(self.data.chunks_exact(4)) {
                    let a = p[3] as u32;
                    if a == 0 {
                        o.copy_from_slice(&[0, 0, 0, 0]);
                        continue;
                    }
                    for i in 0..3 {
                        o[i] = ((p[i] as u32 * 255 + a / 2) / a).min(255) as u8;
                    }
                    o[3] = ((a + 127) / 255) as u8;
                }
            }
        }
    }
}

fn blur_in_place(img: &mut Premultiplied, sigma: f32) {
    if sigma < BOX_SIGMA {
        let kernel = gaussian_kernel(sigma);
        rows(img, |line, c, scratch| {
            convolve_line(line, c, &kernel, scratch)
        });
        columns(img, |strip, w, h, scratch| {
            convolve_strip(strip, w, h, &kernel, scratch)
        });
    } else {
        let radii = box_radii(sigma);
        let reach = radii.iter().sum::<usize>() as u64;
        let (w, h, c) = (img.width as u64, img.height as u64, img.channels as u64);
        // sized once for both directions: clear and extend never reallocate (the budget)
        let cap = box_capacity(w, h, c, reach) as usize;
        let (mut a, mut b) = (Vec::with_capacity(cap), Vec::with_capacity(cap));
        rows(img, |line, c, _| {
            box_cascade(line, c, &radii, &mut a, &mut b)
        });
        columns(img, |strip, w, _, _| {
            box_cascade(strip, w, &radii, &mut a, &mut b)
        });
    }
}

/// Normalised weights for offsets -k..=k.
fn gaussian_kernel(sigma: f32) -> Vec<f32> {
    let k = (KERNEL_REACH * sigma).ceil().max(1.0) as i32;
    let w: Vec<f32> = (-k..=k)
        .map(|i| (-(i * i) as f32 / (2.0 * sigma * sigma)).exp())
        .collect();
    let sum: f32 = w.iter().sum();
    w.into_iter().map(|v| v / sum).collect()
}

/// Radii of three box filters whose combined variance is closest to sigma^2 (Kovesi 2010:
/// widths `wl` and `wl + 2`, as many of each as the variance asks for).
fn box_radii(sigma: f32) -> [usize; 3] {
    let n = 3.0f32;
    let ideal = (12.0 * sigma * sigma / n + 1.0).sqrt();
    let mut wl = ideal.floor() as i32;
    if wl % 2 == 0 {
        wl -= 1;
    }
    let wl = wl.max(1);
    let wu = wl + 2;
    let m = ((12.0 * sigma * sigma - n * (wl * wl) as f32 - 4.0 * n * wl as f32 - 3.0 * n)
        / (-4.0 * wl as f32 - 4.0))
        .round()
        .clamp(0.0, 3.0) as usize;
    let mut out = [0; 3];
    for (i, r) in out.iter_mut().enumerate() {
        let width = if i < m { wl } else { wu };
        *r = (width as usize - 1) / 2;
    }
    out
}

/// Runs `f` on every row, with a scratch buffer for it.
fn rows(img: &mut Premultiplied, mut f: impl FnMut(&mut [u16], usize, &mut Vec<f32>)) {
    let (w, c) = (img.width, img.channels);
    let mut scratch = Vec::with_capacity(w * c);
    for line in img.data.chunks_exact_mut(w * c) {
        f(line, c, &mut scratch);
    }
}

/// Runs `f` on strips of up to `STRIP` samples across, copied out of the frame (row-major,
/// `h` rows of the strip's width) and copied back: the vertical pass reads rows of a small
/// buffer instead of striding through the whole frame.
fn columns(img: &mut Premultiplied, mut f: impl FnMut(&mut [u16], usize, usize, &mut Vec<u32>)) {
    let (stride, h) = (img.width * img.channels, img.height);
    let mut strip = vec![0u16; STRIP.min(stride) * h];
    let mut scratch = Vec::with_capacity(STRIP);
    let mut x0 = 0;
    while x0 < stride {
        let sw = STRIP.min(stride - x0);
        for y in 0..h {
            strip[y * sw..(y + 1) * sw].copy_from_slice(&img.data[y * stride + x0..][..sw]);
        }
        f(&mut strip[..sw * h], sw, h, &mut scratch);
        for y in 0..h {
            img.data[y * stride + x0..][..sw].copy_from_slice(&strip[y * sw..(y + 1) * sw]);
        }
        x0 += sw;
    }
}

/// One row of `c` interleaved channels convolved with `kernel`, edges extended.
fn convolve_line(line: &mut [u16], c: usize, kernel: &[f32], scratch: &mut Vec<f32>) {
    let w = line.len() / c;
    let k = kernel.len() / 2;
    scratch.clear();
    scratch.extend(line.iter().map(|&v| v as f32));
    for x in 0..w {
        for ch in 0..c {
            let mut acc = 0.0f32;
            for (i, &wt) in kernel.iter().enumerate() {
                let sx = (x + i).saturating_sub(k).min(w - 1);
                acc += wt * scratch[sx * c + ch];
            }
            line[x * c + ch] = (acc + 0.5) as u16;
        }
    }
}

/// A strip (`h` rows of `w` samples) convolved down its columns, edges extended.
fn convolve_strip(strip: &mut [u16], w: usize, h: usize, kernel: &[f32], acc: &mut Vec<u32>) {
    let k = kernel.len() / 2;
    let src: Vec<u16> = strip.to_vec();
    let mut row = vec![0f32; w];
    acc.clear();
    for y in 0..h {
        row.iter_mut().for_each(|v| *v = 0.0);
        for (i, &wt) in kernel.iter().enumerate() {
            let sy = (y + i).saturating_sub(k).min(h - 1);
            for (r, &s) in row.iter_mut().zip(&src[sy * w..(sy + 1) * w]) {
                *r += wt * s as f32;
            }
        }
        for (o, &r) in strip[y * w..(y + 1) * w].iter_mut().zip(&row) {
            *o = (r + 0.5) as u16;
        }
    }
}

/// Three box passes of `radii` along `data`, pixels of `c` interleaved samples (a row of a
/// frame, or the rows of a strip read as one column of `c`-sample pixels). The input is
/// extended once, by the passes' combined reach at both ends, with copies of its edge pixels:
/// then the cascade sees the edge pixel repeated as a Gaussian with clamped edges does (a
/// cascade that clamped at every pass would repeat the already blurred edge instead, and a dark
/// frame edge would fade by half).
fn box_cascade(data: &mut [u16], c: usize, radii: &[usize; 3], a: &mut Vec<u32>, b: &mut Vec<u32>) {
    let n = data.len() / c;
    let reach: usize = radii.iter().sum();
    let padded = n + 2 * reach;
    a.clear();
    for i in 0..padded {
        let x = i.saturating_sub(reach).min(n - 1);
        a.extend(data[x * c..(x + 1) * c].iter().map(|&v| v as u32));
    }
    b.clear();
    b.resize(padded * c, 0);
    let mut sums = vec![0u32; c];
    for &r in radii {
        if r == 0 {
            continue;
        }
        let width = (2 * r + 1) as u32;
        let at = |x: isize| (x.clamp(0, padded as isize - 1) as usize) * c;
        sums.iter_mut().for_each(|s| *s = 0);
        for x in -(r as isize)..=r as isize {
            let i = at(x);
            for (s, &v) in sums.iter_mut().zip(&a[i..i + c]) {
                *s += v;
            }
        }
        for x in 0..padded {
            for (o, &s) in b[x * c..(x + 1) * c].iter_mut().zip(&sums) {
                *o = (s + width / 2) / width;
            }
            let (add, sub) = (at(x as isize + r as isize + 1), at(x as isize - r as isize));
            for ((s, &p), &q) in sums.iter_mut().zip(&a[add..add + c]).zip(&a[sub..sub + c]) {
                *s = *s + p - q;
            }
        }
        std::mem::swap(a, b);
    }
    for (o, &v) in data.iter_mut().zip(&a[reach * c..(reach + n) * c]) {
        *o = v as u16;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn box_radii_match_the_variance() {
        for sigma in [3.0f32, 5.5, 20.0, 126.0] {
            let var: f32 = box_radii(sigma)
                .iter()
                .map(|&r| {
                    let w = (2 * r + 1) as f32;
                    (w * w - 1.0) / 12.0
                })
                .sum();
            let got = var.sqrt();
            assert!((got - sigma).abs() / sigma < 0.08, "{sigma}: {got}");
        }
    }

    #[test]
    fn a_flat_frame_stays_flat_and_transparent_stays_transparent() {
        let mut r = Raster::new(9, 7, Layout::Rgba, [10u8, 200, 30, 255].repeat(63));
        gaussian(&mut r, 2.0);
        assert!(r.data.chunks_exact(4).all(|p| p == [10, 200, 30, 255]));
        gaussian(&mut r, 8.0);
        assert!(r.data.chunks_exact(4).all(|p| p == [10, 200, 30, 255]));
        let mut t = Raster::new(5, 5, Layout::Rgba, [0u8, 0, 0, 0].repeat(25));
        t.data[12 * 4..13 * 4].copy_from_slice(&[255, 0, 0, 255]);
        gaussian(&mut t, 1.0);
        // the red pixel spreads as red: no black fringe from the transparent neighbours
        for p in t.data.chunks_exact(4).filter(|p| p[3] > 0) {
            assert_eq!(&p[..3], &[255, 0, 0], "{p:?}");
        }
    }

    #[test]
    fn working_bytes_covers_the_buffers() {
        // one 16-bit frame and a scratch line or strip
        assert!(working_bytes(100, 50, 4, 1.0) >= 100 * 50 * 4 * 2 + 100 * 4 * 4);
        assert!(working_bytes(3, 5000, 3, 1.0) >= 3 * 5000 * 3 * 2 + 2 * 5000 * 9 * 2);
        // box passes: two u32 copies of a column strip extended by the reach (3 x 126)
        assert!(working_bytes(3, 5000, 3, 126.0) >= 3 * 5000 * 3 * 2 + 2 * 5700 * 9 * 4);
    }

    #[test]
    fn box_cascade_repeats_the_original_edge_pixel() {
        // a dark last pixel on a bright line: a Gaussian with clamped edges weighs the pixel
        // and its virtual copies beyond the edge, about half the kernel
        let mut line: Vec<u16> = vec![60000; 200];
        line[199] = 0;
        let radii = box_radii(10.0);
        box_cascade(&mut line, 1, &radii, &mut Vec::new(), &mut Vec::new());
        let end = line[199] as f64 / 60000.0;
        assert!(
            (0.4..0.6).contains(&end),
            "edge at {end} of the bright level"
        );
    }
}
