//! The canvas an animation's frames are composed on, one frame at a time, with the disposal and
//! blending rules of GIF and animated WebP as browsers apply them:
//!
//! - The canvas starts fully transparent. Browsers ignore GIF's background colour index and
//!   WebP's ANIM background colour (libwebp's `WebPAnimDecoder` does too), so neither is read.
//! - Before a frame is drawn, the previous frame's disposal is applied to the previous frame's
//!   rectangle: `Keep` leaves it, `Background` clears it to transparent, `Previous` (GIF only)
//!   puts back what the rectangle held before the previous frame was drawn.
//! - `Over` blends the frame onto the canvas with WebP's non-premultiplied "over" formula; a
//!   GIF frame's pixels are fully transparent (its transparent index) or opaque, for which the
//!   formula reduces to "skip" and "copy". `Replace` (WebP's no-blend flag) overwrites the
//!   rectangle, alpha included.
//! - A frame may declare a rectangle partly or wholly outside the canvas; only the part on the
//!   canvas is drawn.

use super::{Layout, Raster};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dispose {
    Keep,
    Background,
    Previous,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Blend {
    Over,
    Replace,
}

/// A decoded frame and where it goes: `pixels` holds `width x height` pixels of `layout`.
pub struct Placed<'a> {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
    pub layout: Layout,
    pub pixels: &'a [u8],
    pub blend: Blend,
    /// What happens to this frame's rectangle before the next frame is drawn.
    pub dispose: Dispose,
}

/// A rectangle clipped to the canvas: (x, y, columns, rows).
type Clip = (usize, usize, usize, usize);

pub struct Canvas {
    width: u32,
    height: u32,
    rgba: Vec<u8>,
    /// The last frame's clipped rectangle and its disposal, applied before the next frame.
    pending: Option<(Clip, Dispose)>,
    /// For `Previous`: the rectangle's pixels from before the frame was drawn.
    saved: Vec<u8>,
}

impl Canvas {
    pub fn new(width: u32, height: u32) -> Canvas {
        Canvas {
            width,
            height,
            rgba: vec![0; width as usize * height as usize * 4],
            pending: None,
            saved: Vec::new(),
        }
    }

    pub fn width(&self) -> u32 {
        self.width
    }

    pub fn height(&self) -> u32 {
        self.height
    }

    /// The composed picture as a frame of its own (a copy: the canvas lives on).
    pub fn snapshot(&self) -> Raster {
        Raster::new(self.width, self.height, Layout::Rgba, self.rgba.clone())
    }

    pub fn rgba(&self) -> &[u8] {
        &self.rgba
    }

    fn clip(&self, x: u32, y: u32, w: u32, h: u32) -> Clip {
        let (cw, ch) = (self.width as usize, self.height as usize);
        let (x, y) = (x as usize, y as usize);
        let cols = (w as usize).min(cw.saturating_sub(x));
        let rows = (h as usize).min(ch.saturating_sub(y));
        (x.min(cw), y.min(ch), cols, rows)
    }

    /// Applies the previous frame's disposal, then draws `frame`.
    pub fn draw(&mut self, frame: &Placed) {
        self.dispose_previous();
        let clip = self.clip(frame.x, frame.y, frame.width, frame.height);
        if frame.dispose == Dispose::Previous {
            self.save(clip);
        }
        self.blit(frame, clip);
        self.pending = Some((clip, frame.dispose));
    }

    fn dispose_previous(&mut self) {
        let Some(((x, y, cols, rows), dispose)) = self.pending.take() else {
            return;
        };
        let stride = self.width as usize * 4;
        for r in 0..rows {
            let at = (y + r) * stride + x * 4;
            let row = &mut self.rgba[at..at + cols * 4];
            match dispose {
                Dispose::Keep => return,
                Dispose::Background => row.fill(0),
                Dispose::Previous => {
                    row.copy_from_slice(&self.saved[r * cols * 4..(r + 1) * cols * 4])
                }
            }
        }
    }

    fn save(&mut self, (x, y, cols, rows): Clip) {
        let stride = self.width as usize * 4;
        self.saved.clear();
        for r in 0..rows {
            let at = (y + r) * stride + x * 4;
            self.saved.extend_from_slice(&self.rgba[at..at + cols * 4]);
        }
    }

    fn blit(&mut self, f: &Placed, (x, y, cols, rows): Clip) {
        let c = f.layout.channels();
        let stride = self.width as usize * 4;
        let src_stride = f.width as usize * c;
        for r in 0..rows {
            // a frame whose data ended early (a truncated file) draws what it has
            let Some(src) = f.pixels.get(r * src_stride..r * src_stride + cols * c) else {
                break;
            };
            let at = (y + r) * stride + x * 4;
            let dst = &mut self.rgba[at..at + cols * 4];
            match (f.layout, f.blend) {
                (Layout::Rgb, _) => {
                    for (d, s) in dst.chunks_exact_mut(4).zip(src.chunks_exact(3)) {
                        d.copy_from_slice(&[s[0], s[1], s[2], 255]);
                    }
                }
                (Layout::Rgba, Blend::Replace) => dst.copy_from_slice(src),
                (Layout::Rgba, Blend::Over) => {
                    for (d, s) in dst.chunks_exact_mut(4).zip(src.chunks_exact(4)) {
                        over(d, s);
                    }
                }
            }
        }
    }
}

/// WebP's blending of a non-premultiplied source pixel over a non-premultiplied canvas pixel
/// (container spec, "Alpha-blending"): alpha = sa + da (1 - sa), colour = (sc sa + dc da
/// (1 - sa)) / alpha, with alpha 0 giving 0, in 8-bit integers rounded to nearest.
fn over(d: &mut [u8], s: &[u8]) {
    let sa = s[3] as u32;
    match sa {
        0 => {}
        255 => d.copy_from_slice(s),
        _ => {
            let da = (d[3] as u32 * (255 - sa) + 127) / 255;
            let a = sa + da;
            if a == 0 {
                d.fill(0);
                return;
            }
            for i in 0..3 {
                d[i] = ((s[i] as u32 * sa + d[i] as u32 * da + a / 2) / a) as u8;
            }
            d[3] = a as u8;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn px(c: &Canvas, x: usize, y: usize) -> [u8; 4] {
        let at = (y * c.width() as usize + x) * 4;
        c.rgba()[at..at + 4].try_into().unwrap()
    }

    fn solid(w: u32, h: u32, p: [u8; 4]) -> Vec<u8> {
        p.repeat((w * h) as usize)
    }

    fn placed(x: u32, y: u32, w: u32, h: u32, pixels: &[u8], dispose: Dispose) -> Placed<'_> {
        Placed {
            x,
            y,
            width: w,
            height: h,
            layout: Layout::Rgba,
            pixels,
            blend: Blend::Over,
            dispose,
        }
    }

    #[test]
    fn disposal_applies_to_the_previous_frame_before_the_next_is_drawn() {
        let mut c = Canvas::new(4, 4);
        let red = solid(4, 4, [255, 0, 0, 255]);
        let green = solid(2, 2, [0, 255, 0, 255]);
        let clear = solid(1, 1, [0, 0, 0, 0]);
        c.draw(&placed(0, 0, 4, 4, &red, Dispose::Keep));
        // green over the top-left, to be restored afterwards
        c.draw(&placed(0, 0, 2, 2, &green, Dispose::Previous));
        assert_eq!(px(&c, 1, 1), [0, 255, 0, 255]);
        c.draw(&placed(3, 3, 1, 1, &clear, Dispose::Background));
        assert_eq!(px(&c, 1, 1), [255, 0, 0, 255], "Previous restored");
        assert_eq!(
            px(&c, 3, 3),
            [255, 0, 0, 255],
            "a transparent pixel shows the canvas"
        );
        c.draw(&placed(0, 0, 1, 1, &clear, Dispose::Keep));
        assert_eq!(
            px(&c, 3, 3),
            [0, 0, 0, 0],
            "Background cleared to transparent"
        );
        assert_eq!(px(&c, 2, 2), [255, 0, 0, 255], "only the frame's rectangle");
    }

    #[test]
    fn frames_outside_the_canvas_are_clipped() {
        let mut c = Canvas::new(3, 3);
        let blue = solid(5, 5, [0, 0, 255, 255]);
        c.draw(&placed(2, 2, 5, 5, &blue, Dispose::Background));
        assert_eq!(px(&c, 2, 2), [0, 0, 255, 255]);
        assert_eq!(px(&c, 1, 1), [0, 0, 0, 0]);
        c.draw(&placed(60000, 60000, 5, 5, &blue, Dispose::Keep));
        assert_eq!(
            px(&c, 2, 2),
            [0, 0, 0, 0],
            "disposed, and nothing drawn off-canvas"
        );
    }

    #[test]
    fn blending_follows_the_webp_formula() {
        let mut d = [0, 0, 255, 255];
        over(&mut d, &[255, 0, 0, 128]);
        // alpha 1, colour half way
        assert_eq!(d, [128, 0, 127, 255]);
        let mut d = [0, 0, 255, 128];
        over(&mut d, &[255, 0, 0, 128]);
        // da = 128 * 127 / 255 = 64; a = 192; r = 255 * 128 / 192 = 170; b = 255 * 64 / 192 = 85
        assert_eq!(d, [170, 0, 85, 192]);
        let mut d = [9, 9, 9, 0];
        over(&mut d, &[1, 2, 3, 0]);
        assert_eq!(d, [9, 9, 9, 0], "a transparent source leaves the canvas");
        let mut c = Canvas::new(1, 1);
        let half = [10, 20, 30, 100];
        c.draw(&Placed {
            blend: Blend::Replace,
            ..placed(0, 0, 1, 1, &half, Dispose::Keep)
        });
        c.draw(&Placed {
            blend: Blend::Replace,
            ..placed(0, 0, 1, 1, &half, Dispose::Keep)
        });
        assert_eq!(px(&c, 0, 0), half, "no-blend overwrites");
    }
}
