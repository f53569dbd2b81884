//! Animations in and out: frames read one at a time from an animated GIF or WebP, and the
//! animated encoders, with the rules that carry loop counts and delays between the formats.
//!
//! The pipeline decodes one frame, composes it on the canvas (`pixels::canvas`), runs the
//! single-frame steps on a copy of the canvas and gives the result to an [`AnimEncoder`]; one
//! decoded frame and one output frame exist at a time, whatever the frame count.

use super::gif::anim::{GifAnimWriter, GifFrames};
use super::webp::anim::{WebpAnimWriter, WebpFrames};
use crate::error::{Error, Result};
use crate::format::ImageFormat;
use crate::limits::Limits;
use crate::pixels::canvas::Placed;
use crate::pixels::Raster;
use crate::plan::OutputFormat;
use crate::probe::Probe;

pub use crate::probe::Plays;

/// Browsers show a frame whose delay is 10 ms or less for 100 ms (Chromium's
/// `DeferredImageDecoder::FrameDurationAtIndex`, WebKit's `ScalableImageDecoder`, Firefox:
/// "follow Firefox's behavior"), for GIF and WebP alike.
pub fn shown_ms(delay_ms: u32) -> u32 {
    if delay_ms <= 10 {
        100
    } else {
        delay_ms
    }
}

/// The WebP duration of a frame that lasts `delay_ms` in the input: kept as stored when the
/// input is WebP, else the time browsers show the input frame for.
pub fn webp_duration_ms(input: ImageFormat, delay_ms: u32) -> u32 {
    let ms = if input == ImageFormat::Webp {
        delay_ms
    } else {
        shown_ms(delay_ms)
    };
    ms.min(0xFF_FFFF)
}

/// The GIF delay (centiseconds) of a frame that lasts `delay_ms` in the input: kept as stored
/// when the input is GIF; else the time browsers show the input frame for, to the nearest
/// centisecond but never 1 cs or less, which browsers would stretch to 100 ms.
pub fn gif_delay_cs(input: ImageFormat, delay_ms: u32) -> u16 {
    let cs = if input == ImageFormat::Gif {
        delay_ms / 10
    } else {
        ((shown_ms(delay_ms) + 5) / 10).max(2)
    };
    cs.min(65535) as u16
}

/// The ICC profile an animation's frames are in (WebP's ICCP chunk); GIF's ICC extension is
/// not applied, as for a still GIF.
pub fn icc_profile(bytes: &[u8], probe: &Probe) -> Option<Vec<u8>> {
    if probe.format != ImageFormat::Webp || !probe.has_icc {
        return None;
    }
    let mut d = vaam_webp::WebPDecoder::new(std::io::Cursor::new(bytes)).ok()?;
    d.icc_profile().ok().flatten()
}

/// One decoded frame, its placement on the canvas and its delay in milliseconds as stored.
pub struct AnimFrame<'a> {
    pub placed: Placed<'a>,
    pub delay_ms: u32,
}

/// The frames of an animated input, decoded one at a time.
pub enum FrameSource<'a> {
    // boxed: the GIF decoder's state is large, and one source exists per request
    Gif(Box<GifFrames<'a>>),
    Webp(WebpFrames<'a>),
}

impl<'a> FrameSource<'a> {
    pub fn open(bytes: &'a [u8], probe: &Probe, limits: &Limits) -> Result<FrameSource<'a>> {
        match probe.format {
            ImageFormat::Gif => Ok(FrameSource::Gif(Box::new(GifFrames::new(
                bytes, probe, limits,
            )?))),
            ImageFormat::Webp => Ok(FrameSource::Webp(WebpFrames::new(bytes, probe, limits))),
            f => Err(Error::internal(format!("{} has no animation", f.name()))),
        }
    }

    /// The next frame, `None` after the last.
    pub fn next_frame(&mut self) -> Result<Option<AnimFrame<'_>>> {
        Ok(match self {
            FrameSource::Gif(g) => g.next_frame()?.map(|f| AnimFrame {
                placed: f.placed,
                delay_ms: f.delay_ms,
            }),
            FrameSource::Webp(w) => w.next_frame()?.map(|f| AnimFrame {
                placed: f.placed,
                delay_ms: f.duration_ms,
            }),
        })
    }
}

/// An animated output being written, one finished frame at a time.
pub enum AnimEncoder {
    Webp {
        writer: WebpAnimWriter,
        quality: u8,
        /// Ceiling of one frame's still encoding.
        frame_allowance: u64,
        input: ImageFormat,
        /// The previous finished frame, to encode only the rectangle that changed.
        previous: Option<Raster>,
    },
    Gif {
        writer: GifAnimWriter,
        input: ImageFormat,
    },
}

/// What an animated encoder needs to start.
pub struct AnimTarget {
    pub output: OutputFormat,
    pub width: u32,
    pub height: u32,
    pub plays: Plays,
    pub quality: u8,
    /// Ceiling of the whole output.
    pub allowance: u64,
    /// Ceiling of one frame's still encoding (WebP).
    pub frame_allowance: u64,
    pub input: ImageFormat,
}

impl AnimEncoder {
    pub fn new(t: &AnimTarget) -> Result<AnimEncoder> {
        match t.output {
            OutputFormat::Webp => Ok(AnimEncoder::Webp {
                writer: WebpAnimWriter::new(
                    t.width,
                    t.height,
                    t.plays.webp_loop_count(),
                    t.allowance,
                )?,
                quality: t.quality,
                frame_allowance: t.frame_allowance,
                input: t.input,
                previous: None,
            }),
            OutputFormat::Gif => Ok(AnimEncoder::Gif {
                writer: GifAnimWriter::new(
                    t.width,
                    t.height,
                    t.plays.gif_repetitions(),
                    t.allowance,
                )?,
                input: t.input,
            }),
            o => Err(Error::internal(format!("{} cannot animate", o.name()))),
        }
    }

    /// Encodes `frame`, shown for `delay_ms` as the input stored it.
    pub fn push(&mut self, frame: &Raster, delay_ms: u32) -> Result<()> {
        match self {
            AnimEncoder::Webp {
                writer,
                quality,
                frame_allowance,
                input,
                previous,
            } => {
                // Only the rectangle that differs from the previous frame is encoded (as
                // libwebp's WebPAnimEncoder and gif2webp do): the rest of the canvas already
                // shows those pixels. Encoding time and output size follow what moves.
                // (a frame whose every pixel is opaque comes without alpha, so two frames may
                // differ in layout: then the whole frame is new)
                let rect = match previous.as_ref() {
                    Some(p) if p.layout == frame.layout => changed_rect(p, frame),
                    _ => Rect::whole(frame),
                };
                let duration = webp_duration_ms(*input, delay_ms);
                if rect == Rect::whole(frame) {
                    let still = super::webp::encode(frame, *quality, None, *frame_allowance)?;
                    writer.push(&still, (0, 0), duration)?;
                } else {
                    let part = rect.copy_of(frame);
                    let still = super::webp::encode(&part, *quality, None, *frame_allowance)?;
                    writer.push(&still, (rect.x, rect.y), duration)?;
                }
                match previous {
                    Some(p) if p.layout == frame.layout => p.data.copy_from_slice(&frame.data),
                    _ => *previous = Some(frame.clone()),
                }
                Ok(())
            }
            AnimEncoder::Gif { writer, input } => {
                writer.push(frame, gif_delay_cs(*input, delay_ms))
            }
        }
    }

    pub fn finish(self) -> Result<Vec<u8>> {
        match self {
            AnimEncoder::Webp { writer, .. } => writer.finish(),
            AnimEncoder::Gif { writer, .. } => writer.finish(),
        }
    }
}

/// A rectangle of a frame, its left and top even as an ANMF offset must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rect {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

impl Rect {
    fn whole(r: &Raster) -> Rect {
        Rect {
            x: 0,
            y: 0,
            width: r.width,
            height: r.height,
        }
    }

    /// The pixels of `r` inside this rectangle, as a frame of their own.
    fn copy_of(&self, r: &Raster) -> Raster {
        let c = r.layout.channels();
        let stride = r.width as usize * c;
        let (x, w) = (self.x as usize * c, self.width as usize * c);
        let mut data = Vec::with_capacity(w * self.height as usize);
        for row in r
            .data
            .chunks_exact(stride)
            .skip(self.y as usize)
            .take(self.height as usize)
        {
            data.extend_from_slice(&row[x..x + w]);
        }
        Raster::new(self.width, self.height, r.layout, data)
    }
}

/// The smallest rectangle, with even left and top, that holds every pixel where `b` differs
/// from `a` (frames of one size and layout). A frame equal to the one before still needs a
/// frame of its own to keep its delay: then the 1x1 rectangle at the origin.
pub fn changed_rect(a: &Raster, b: &Raster) -> Rect {
    let c = b.layout.channels();
    let stride = b.width as usize * c;
    let (mut x0, mut y0, mut x1, mut y1) = (usize::MAX, usize::MAX, 0, 0);
    for (y, (ra, rb)) in a
        .data
        .chunks_exact(stride)
        .zip(b.data.chunks_exact(stride))
        .enumerate()
    {
        if ra == rb {
            continue;
        }
        let first = ra.iter().zip(rb).position(|(p, q)| p != q).unwrap_or(0) / c;
        let last = ra.iter().zip(rb).rposition(|(p, q)| p != q).unwrap_or(0) / c;
        x0 = x0.min(first);
        x1 = x1.max(last);
        y0 = y0.min(y);
        y1 = y;
    }
    if x0 == usize::MAX {
        return Rect {
            x: 0,
            y: 0,
            width: 1,
            height: 1,
        };
    }
    let (x0, y0) = (x0 & !1, y0 & !1);
    Rect {
        x: x0 as u32,
        y: y0 as u32,
        width: (x1 - x0 + 1) as u32,
        height: (y1 - y0 + 1) as u32,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_changed_rectangle_holds_every_change_from_an_even_corner() {
        use crate::pixels::Layout;
        let a = Raster::new(5, 4, Layout::Rgb, vec![0; 5 * 4 * 3]);
        let mut b = a.clone();
        assert_eq!(
            changed_rect(&a, &b),
            Rect {
                x: 0,
                y: 0,
                width: 1,
                height: 1
            },
            "no change"
        );
        b.data[(2 * 5 + 3) * 3 + 1] = 9; // (3, 2)
        b.data[(3 * 5 + 4) * 3] = 9; // (4, 3)
        let r = changed_rect(&a, &b);
        assert_eq!(
            r,
            Rect {
                x: 2,
                y: 2,
                width: 3,
                height: 2
            }
        );
        let part = r.copy_of(&b);
        assert_eq!((part.width, part.height), (3, 2));
        assert_eq!(part.data[(5) * 3], 9, "(4, 3) is the part's (2, 1)");
    }

    #[test]
    fn loop_counts_keep_the_number_of_plays_across_formats() {
        // GIF NETSCAPE n = n + 1 plays; WebP ANIM n = n plays; 0 = for ever in both
        assert_eq!(Plays::Times(3).webp_loop_count(), 3);
        assert_eq!(Plays::Times(3).gif_repetitions(), Some(2));
        assert_eq!(Plays::Times(1).gif_repetitions(), None);
        assert_eq!(Plays::Times(1).webp_loop_count(), 1);
        assert_eq!(Plays::Forever.gif_repetitions(), Some(0));
        assert_eq!(Plays::Forever.webp_loop_count(), 0);
        assert_eq!(Plays::Times(65536).gif_repetitions(), Some(65535));
        assert_eq!(Plays::Times(65536).webp_loop_count(), 65535);
    }

    #[test]
    fn delays_follow_the_browsers_minimum_across_formats() {
        use ImageFormat::{Gif, Webp};
        // same format: as stored
        assert_eq!(gif_delay_cs(Gif, 0), 0);
        assert_eq!(gif_delay_cs(Gif, 70), 7);
        assert_eq!(webp_duration_ms(Webp, 5), 5);
        // GIF -> WebP: 0 and 1 cs are shown for 100 ms
        assert_eq!(webp_duration_ms(Gif, 0), 100);
        assert_eq!(webp_duration_ms(Gif, 10), 100);
        assert_eq!(webp_duration_ms(Gif, 20), 20);
        // WebP -> GIF: nearest centisecond, never the 1 cs that browsers stretch
        assert_eq!(gif_delay_cs(Webp, 0), 10);
        assert_eq!(gif_delay_cs(Webp, 11), 2);
        assert_eq!(gif_delay_cs(Webp, 34), 3);
        assert_eq!(gif_delay_cs(Webp, 35), 4);
        assert_eq!(gif_delay_cs(Webp, 1000), 100);
        assert_eq!(gif_delay_cs(Webp, 0xFF_FFFF), 65535);
    }
}
