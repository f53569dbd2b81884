//! The eight EXIF orientations as one small group, so EXIF orientation, `flip` and `rotate`
//! compose into a single transform that is applied once, to the small output.

use super::Raster;

/// Maps a display pixel to a stored pixel: swap the axes if `swap`, then mirror.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Orientation {
    pub swap: bool,
    pub flip_x: bool,
    pub flip_y: bool,
}

const EXIF_TABLE: [(bool, bool, bool); 8] = [
    (false, false, false), // 1 upright
    (false, true, false),  // 2 mirrored horizontally
    (false, true, true),   // 3 rotated 180
    (false, false, true),  // 4 mirrored vertically
    (true, false, false),  // 5 transposed
    (true, false, true),   // 6 needs 90 degrees clockwise
    (true, true, true),    // 7 transversed
    (true, true, false),   // 8 needs 270 degrees clockwise
];

impl Orientation {
    pub const IDENTITY: Orientation = Orientation {
        swap: false,
        flip_x: false,
        flip_y: false,
    };

    /// EXIF value to transform; invalid values (0, 9, ...) are upright.
    pub fn from_exif(v: u16) -> Orientation {
        let (swap, flip_x, flip_y) = EXIF_TABLE[(v.clamp(1, 8) - 1) as usize];
        if !(1..=8).contains(&v) {
            return Orientation::IDENTITY;
        }
        Orientation {
            swap,
            flip_x,
            flip_y,
        }
    }

    pub fn to_exif(self) -> u16 {
        EXIF_TABLE
            .iter()
            .position(|&(s, x, y)| (s, x, y) == (self.swap, self.flip_x, self.flip_y))
            .map(|i| i as u16 + 1)
            .unwrap_or(1)
    }

    /// Clockwise rotation by a multiple of 90 degrees.
    pub fn rotate_cw(degrees: u16) -> Orientation {
        Orientation::from_exif(match degrees % 360 {
            90 => 6,
            180 => 3,
            270 => 8,
            _ => 1,
        })
    }

    /// The transform that undoes this one.
    pub fn inverse(self) -> Orientation {
        (1..=8)
            .map(Orientation::from_exif)
            .find(|u| self.then(*u).is_identity())
            .unwrap_or(Orientation::IDENTITY)
    }

    /// A stored-space rectangle expressed in display coordinates (the inverse of
    /// `rect_to_stored`), for a stored frame of `stored_w` x `stored_h`.
    pub fn rect_to_display(self, r: [f64; 4], stored_w: f64, stored_h: f64) -> [f64; 4] {
        let (dw, dh) = if self.swap {
            (stored_h, stored_w)
        } else {
            (stored_w, stored_h)
        };
        self.inverse().rect_to_stored(r, dw, dh)
    }

    pub fn is_identity(self) -> bool {
        self == Orientation::IDENTITY
    }

    pub fn apply_size(self, w: u32, h: u32) -> (u32, u32) {
        if self.swap {
            (h, w)
        } else {
            (w, h)
        }
    }

    /// Stored coordinates of display pixel (dx, dy) for a stored frame of w x h.
    pub fn map(self, dx: u32, dy: u32, w: u32, h: u32) -> (u32, u32) {
        let (u, v) = if self.swap { (dy, dx) } else { (dx, dy) };
        (
            if self.flip_x { w - 1 - u } else { u },
            if self.flip_y { h - 1 - v } else { v },
        )
    }

    /// `self` first, then `next` (on the result of `self`). Found by testing the eight
    /// candidates on a 3x2 grid, which tells all of them apart: no hand-written table to get wrong.
    pub fn then(self, next: Orientation) -> Orientation {
        let (w, h) = (3, 2);
        let (iw, ih) = self.apply_size(w, h);
        let (fw, fh) = next.apply_size(iw, ih);
        (1..=8)
            .map(Orientation::from_exif)
            .find(|c| {
                c.apply_size(w, h) == (fw, fh)
                    && (0..fh).all(|y| {
                        (0..fw).all(|x| {
                            let (ix, iy) = next.map(x, y, iw, ih);
                            self.map(ix, iy, w, h) == c.map(x, y, w, h)
                        })
                    })
            })
            .unwrap_or(Orientation::IDENTITY)
    }

    /// A display-space rectangle (x, y, w, h) expressed in stored coordinates.
    pub fn rect_to_stored(self, r: [f64; 4], stored_w: f64, stored_h: f64) -> [f64; 4] {
        let [x, y, w, h] = r;
        let (mut u, mut v, uw, vh) = if self.swap {
            (y, x, h, w)
        } else {
            (x, y, w, h)
        };
        if self.flip_x {
            u = stored_w - u - uw;
        }
        if self.flip_y {
            v = stored_h - v - vh;
        }
        [u, v, uw, vh]
    }

    pub fn apply(self, src: Raster) -> Raster {
        if self.is_identity() {
            return src;
        }
        let c = src.layout.channels();
        let (w, h) = (src.width, src.height);
        let (dw, dh) = self.apply_size(w, h);
        let mut out = vec![0u8; src.data.len()];
        for dy in 0..dh {
            let row = &mut out[(dy * dw) as usize * c..((dy + 1) * dw) as usize * c];
            for (dx, px) in row.chunks_exact_mut(c).enumerate() {
                let (sx, sy) = self.map(dx as u32, dy, w, h);
                let at = (sy as usize * w as usize + sx as usize) * c;
                px.copy_from_slice(&src.data[at..at + c]);
            }
        }
        Raster::new(dw, dh, src.layout, out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exif_round_trip_and_group_laws() {
        for v in 1..=8 {
            let o = Orientation::from_exif(v);
            assert_eq!(o.to_exif(), v);
            assert_eq!(o.then(Orientation::IDENTITY), o);
            // every element has an inverse
            assert!((1..=8).any(|u| o.then(Orientation::from_exif(u)).is_identity()));
        }
        let r90 = Orientation::rotate_cw(90);
        assert_eq!(r90.then(r90), Orientation::rotate_cw(180));
        assert_eq!(r90.then(r90).then(r90), Orientation::rotate_cw(270));
        assert!(Orientation::rotate_cw(270).then(r90).is_identity());
    }

    #[test]
    fn rotate_90_moves_pixels_clockwise() {
        // 2x1 image [A B] rotated clockwise becomes a 1x2 column [A; B]
        let src = Raster::new(2, 1, crate::pixels::Layout::Rgb, vec![1, 1, 1, 2, 2, 2]);
        let out = Orientation::rotate_cw(90).apply(src);
        assert_eq!((out.width, out.height), (1, 2));
        assert_eq!(out.data, vec![1, 1, 1, 2, 2, 2]);
        let src = Raster::new(2, 1, crate::pixels::Layout::Rgb, vec![1, 1, 1, 2, 2, 2]);
        let out = Orientation::rotate_cw(270).apply(src);
        assert_eq!(out.data, vec![2, 2, 2, 1, 1, 1]);
    }

    #[test]
    fn rect_to_display_undoes_rect_to_stored() {
        let (w, h) = (7.0, 5.0);
        for v in 1..=8 {
            let o = Orientation::from_exif(v);
            assert!(o.then(o.inverse()).is_identity(), "v={v}");
            let stored = [1.0, 2.0, 3.0, 2.5];
            let display = o.rect_to_display(stored, w, h);
            assert_eq!(o.rect_to_stored(display, w, h), stored, "v={v}");
        }
    }

    #[test]
    fn rect_mapping_agrees_with_pixel_mapping() {
        let (w, h) = (7u32, 5u32);
        for v in 1..=8 {
            let o = Orientation::from_exif(v);
            let (dw, dh) = o.apply_size(w, h);
            let r = [1.0, 2.0, (dw - 2) as f64, (dh - 3) as f64];
            let s = o.rect_to_stored(r, w as f64, h as f64);
            // the display rectangle's corner pixels land inside the stored rectangle
            for (dx, dy) in [(1, 2), (dw - 2, dh - 2)] {
                let (sx, sy) = o.map(dx, dy, w, h);
                assert!(sx as f64 >= s[0] && (sx as f64) < s[0] + s[2], "v={v}");
                assert!(sy as f64 >= s[1] && (sy as f64) < s[1] + s[3], "v={v}");
            }
        }
    }
}
