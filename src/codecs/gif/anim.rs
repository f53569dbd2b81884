//! Animated GIF: the frames of an input one image descriptor at a time, and an animated writer
//! with a palette per frame.
//!
//! Palettes: a frame with at most 256 colours keeps them exactly (so a GIF re-encoded at its own
//! size loses nothing); above that NeuQuant (the `color_quant` crate, MIT, which the `gif`
//! crate already depends on for this through `Frame::from_rgba_speed`) picks 256. NeuQuant
//! was kept over a median cut of our own because it is already in the dependency tree, needs
//! only a 256-entry network besides the frame, and its quality on photographic frames is what
//! ImageMagick-era tools shipped; no dithering, so a re-encoded frame has no added noise.

use crate::codecs::output::{over_allowance, OutputBuf};
use crate::error::{Error, ErrorCode, Result};
use crate::limits::Limits;
use crate::pixels::canvas::{Blend, Dispose, Placed};
use crate::pixels::{Layout, Raster};
use crate::probe::Probe;

/// NeuQuant's sampling factor: `gif`'s documented compromise between speed and quality.
const QUANTISER_SPEED: i32 = 10;

fn corrupt(e: impl std::fmt::Display) -> Error {
    Error::corrupt("GIF", e)
}

/// One decoded GIF frame, its placement and its delay in milliseconds (centiseconds x 10).
pub struct GifFrame<'a> {
    pub placed: Placed<'a>,
    pub delay_ms: u32,
}

/// The frames of a GIF, decoded one at a time into one reused RGBA buffer.
pub struct GifFrames<'a> {
    decoder: gif::Decoder<&'a [u8]>,
    pixels: Vec<u8>,
    /// The largest decoded frame the plan counted (the probe's largest descriptor, RGBA).
    max_frame_bytes: u64,
}

impl<'a> GifFrames<'a> {
    pub fn new(data: &'a [u8], probe: &Probe, limits: &Limits) -> Result<GifFrames<'a>> {
        let mut opts = gif::DecodeOptions::new();
        opts.set_color_output(gif::ColorOutput::RGBA);
        if let Some(n) = std::num::NonZeroU64::new(limits.max_decoded_bytes as u64) {
            opts.set_memory_limit(gif::MemoryLimit::Bytes(n));
        }
        let decoder = opts.read_info(data).map_err(corrupt)?;
        let largest = probe.animation.map_or(probe.pixels(), |a| a.largest_frame);
        Ok(GifFrames {
            decoder,
            pixels: Vec::new(),
            max_frame_bytes: largest.saturating_mul(4),
        })
    }

    /// The next frame, `None` after the last one.
    pub fn next_frame(&mut self) -> Result<Option<GifFrame<'_>>> {
        let Some(f) = self.decoder.next_frame_info().map_err(corrupt)? else {
            return Ok(None);
        };
        let (x, y) = (f.left as u32, f.top as u32);
        let (width, height) = (f.width as u32, f.height as u32);
        let delay_ms = f.delay as u32 * 10;
        let dispose = match f.dispose {
            gif::DisposalMethod::Background => Dispose::Background,
            gif::DisposalMethod::Previous => Dispose::Previous,
            // "unspecified" is shown as "keep" by every browser
            gif::DisposalMethod::Any | gif::DisposalMethod::Keep => Dispose::Keep,
        };
        let bytes = width as u64 * height as u64 * 4;
        if bytes > self.max_frame_bytes {
            return Err(corrupt(
                "a frame is larger than the file's headers declared",
            ));
        }
        self.pixels.clear();
        self.pixels.resize(bytes as usize, 0);
        self.decoder
            .read_into_buffer(&mut self.pixels)
            .map_err(corrupt)?;
        Ok(Some(GifFrame {
            placed: Placed {
                x,
                y,
                width,
                height,
                layout: Layout::Rgba,
                pixels: &self.pixels,
                blend: Blend::Over,
                dispose,
            },
            delay_ms,
        }))
    }
}

/// Writes an animated GIF: every frame covers the whole screen with its own palette and is
/// disposed to the background before the next, so a transparent pixel of one frame never
/// shows the frame before it.
pub struct GifAnimWriter {
    enc: gif::Encoder<OutputBuf>,
    cap: u64,
    rgba: Vec<u8>,
}

impl GifAnimWriter {
    /// `repetitions` as the NETSCAPE2.0 extension stores them (0 = for ever, `None` = no
    /// extension: play once); the output may take at most `cap` bytes.
    pub fn new(width: u32, height: u32, repetitions: Option<u16>, cap: u64) -> Result<Self> {
        let (Ok(w), Ok(h)) = (u16::try_from(width), u16::try_from(height)) else {
            return Err(Error::new(
                ErrorCode::OutputTooLarge,
                "GIF cannot be wider or taller than 65,535 px",
            ));
        };
        let mut enc =
            gif::Encoder::new(OutputBuf::new(cap), w, h, &[]).map_err(|e| written(e, cap))?;
        if let Some(n) = repetitions {
            let repeat = match n {
                0 => gif::Repeat::Infinite,
                n => gif::Repeat::Finite(n),
            };
            enc.set_repeat(repeat).map_err(|e| written(e, cap))?;
        }
        Ok(GifAnimWriter {
            enc,
            cap,
            rgba: Vec::new(),
        })
    }

    /// Adds a frame of the screen's size, shown for `delay_cs` centiseconds.
    pub fn push(&mut self, frame: &Raster, delay_cs: u16) -> Result<()> {
        let (Ok(w), Ok(h)) = (u16::try_from(frame.width), u16::try_from(frame.height)) else {
            return Err(Error::internal("an animation frame is not the screen size"));
        };
        // GIF transparency is one bit: alpha below one half is transparent.
        self.rgba.clear();
        match frame.layout {
            Layout::Rgba => self.rgba.extend(frame.data.chunks_exact(4).flat_map(|p| {
                let a = if p[3] >= 128 { 255 } else { 0 };
                [p[0], p[1], p[2], a]
            })),
            Layout::Rgb => self.rgba.extend(
                frame
                    .data
                    .chunks_exact(3)
                    .flat_map(|p| [p[0], p[1], p[2], 255]),
            ),
        }
        let mut f = gif::Frame::from_rgba_speed(w, h, &mut self.rgba, QUANTISER_SPEED);
        f.delay = delay_cs;
        f.dispose = gif::DisposalMethod::Background;
        let cap = self.cap;
        let result = self.enc.write_frame(&f);
        if self.enc.get_ref().exceeded() {
            return Err(over_allowance("GIF", cap));
        }
        result.map_err(|e| written(e, cap))
    }

    /// The file, with its trailer.
    pub fn finish(self) -> Result<Vec<u8>> {
        let cap = self.cap;
        let out = self.enc.into_inner().map_err(|e| written(e, cap))?;
        if out.exceeded() {
            return Err(over_allowance("GIF", cap));
        }
        Ok(out.into_vec())
    }
}

fn written(e: gif::EncodingError, cap: u64) -> Error {
    match e {
        gif::EncodingError::Io(_) => over_allowance("GIF", cap),
        e => Error::internal(format!("GIF encoder: {e}")),
    }
}
