//! Probe: everything the plan needs, read from headers only. No pixel buffer exists yet, so
//! every limit is enforced here, before a decoder can be asked to allocate.

mod avif;
pub(crate) mod gif;
mod jpeg;
mod plays;
mod png;
pub mod svg;
mod webp;

use crate::error::{Error, ErrorCode, Result};
use crate::format::ImageFormat;
use crate::limits::Limits;
use crate::pixels::orient::Orientation;
pub use plays::Plays;
use serde::Serialize;

/// Sniff the container from its first bytes; never trust a file name or a Content-Type.
pub fn sniff(bytes: &[u8]) -> Option<ImageFormat> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(ImageFormat::Jpeg)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(ImageFormat::Png)
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some(ImageFormat::Gif)
    } else if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some(ImageFormat::Webp)
    } else if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" && is_avif_brand(bytes) {
        Some(ImageFormat::Avif)
    } else if svg::root_offset(bytes).is_some() {
        Some(ImageFormat::Svg)
    } else {
        None
    }
}

fn is_avif_brand(bytes: &[u8]) -> bool {
    let size = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as usize;
    let end = size.clamp(12, bytes.len().min(256));
    // major brand, then compatible brands after the minor version
    let brands =
        std::iter::once(&bytes[8..12]).chain(bytes.get(16..end).unwrap_or(&[]).chunks_exact(4));
    for b in brands {
        if b == b"avif" || b == b"avis" {
            return true;
        }
    }
    false
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Probe {
    pub format: ImageFormat,
    /// Stored dimensions, before orientation.
    pub width: u32,
    pub height: u32,
    /// EXIF orientation (AVIF: the equivalent of irot/imir), 1..=8.
    pub orientation: u16,
    pub has_icc: bool,
    /// Bytes of the embedded ICC profile as stored (PNG: an allowance for the inflated iCCP,
    /// which its decoder enforces); colour management holds a few times this.
    #[serde(skip)]
    pub icc_bytes: u64,
    pub has_alpha: bool,
    pub frames: u32,
    pub progressive: bool,
    pub bit_depth: u8,
    /// PNG only: the IHDR colour type (0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA).
    #[serde(skip)]
    pub png_color_type: Option<u8>,
    pub bytes: usize,
    /// Where the EXIF (TIFF bytes, no `Exif\0\0` prefix) and the XMP packet lie in the input:
    /// offsets, not copies, so a chunk the output drops is never copied (a 30 MB `XMP ` chunk
    /// was once held four times over).
    #[serde(skip)]
    pub exif: Option<Span>,
    #[serde(skip)]
    pub xmp: Option<Span>,
    #[serde(skip)]
    pub jpeg: Option<JpegHeader>,
    /// GIF and animated WebP: frame facts from a walk of the GIF blocks (no LZW decoding) or
    /// of the WebP ANMF chunk headers, known before any pixel is decoded.
    #[serde(skip)]
    pub animation: Option<FrameScan>,
}

/// A run of bytes inside the input the probe read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub start: usize,
    pub len: usize,
}

impl Span {
    /// The span of `part`, a subslice of `whole` (as a walker's `Cursor::take` returns).
    fn within(whole: &[u8], part: &[u8]) -> Span {
        let start = (part.as_ptr() as usize).saturating_sub(whole.as_ptr() as usize);
        Span {
            start,
            len: part.len(),
        }
    }

    /// Its bytes in `source`, the input the probe read; empty when `source` is another input.
    pub fn of(self, source: &[u8]) -> &[u8] {
        self.start
            .checked_add(self.len)
            .and_then(|end| source.get(self.start..end))
            .unwrap_or(&[])
    }
}

/// What an animation declares about its frames, read from headers only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FrameScan {
    pub frames: u32,
    /// Sum of every frame's declared width x height: what decoding all frames touches.
    pub frame_area: u64,
    /// Largest single frame rectangle (width x height) as declared.
    pub largest_frame: u64,
    /// Widest and tallest frame as declared (not necessarily one frame).
    pub max_frame_width: u32,
    pub max_frame_height: u32,
    /// The loop count as stored: GIF's NETSCAPE2.0 repetitions (`None`: no such extension, the
    /// animation plays once), WebP's ANIM loop count. In both, 0 means for ever.
    pub loop_count: Option<u16>,
}

impl FrameScan {
    /// Counts one frame of `width` x `height` as declared.
    fn add_frame(&mut self, width: u32, height: u32) {
        let area = width as u64 * height as u64;
        self.frames = self.frames.saturating_add(1);
        self.frame_area = self.frame_area.saturating_add(area);
        self.largest_frame = self.largest_frame.max(area);
        self.max_frame_width = self.max_frame_width.max(width);
        self.max_frame_height = self.max_frame_height.max(height);
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct JpegHeader {
    pub components: u8,
    pub arithmetic: bool,
    pub lossless: bool,
    pub progressive: bool,
    /// Adobe APP14 transform flag (2 = YCCK), if the marker is present.
    pub adobe_transform: Option<u8>,
    /// (horizontal, vertical) sampling factors of the first four components, 1..=4 each.
    pub sampling: [(u8, u8); 4],
    /// The SOFn marker code of the frame (0xC0..=0xCF): which decoder takes it.
    pub sof_marker: u8,
}

impl JpegHeader {
    /// Largest horizontal and vertical sampling factors: one MCU covers 8x that many pixels.
    pub fn max_sampling(&self) -> (u8, u8) {
        let used = &self.sampling[..(self.components as usize).min(4)];
        (
            used.iter().map(|s| s.0).max().unwrap_or(1).max(1),
            used.iter().map(|s| s.1).max().unwrap_or(1).max(1),
        )
    }
}

impl Probe {
    pub fn orientation(&self) -> Orientation {
        Orientation::from_exif(self.orientation)
    }

    /// Dimensions as a viewer shows them (orientation applied).
    pub fn display_size(&self) -> (u32, u32) {
        self.orientation().apply_size(self.width, self.height)
    }

    pub fn pixels(&self) -> u64 {
        self.width as u64 * self.height as u64
    }

    /// Pixels of an animation in all frames, the measure of Cloudflare's animation limits: the
    /// canvas times the frame count (Cloudflare's own example: 500x500 and 10 frames is 2.5 MP,
    /// and every frame is composed on the whole canvas), or the frames' declared areas summed
    /// when frames larger than the canvas make that the bigger number.
    pub fn animation_area(&self) -> u64 {
        let canvas = self.pixels().saturating_mul(self.frames as u64);
        let declared = self.animation.map_or(0, |a| a.frame_area);
        canvas.max(declared)
    }
}

/// Reads the header and checks every input limit.
pub fn probe(bytes: &[u8], limits: &Limits) -> Result<Probe> {
    if bytes.len() > limits.max_input_bytes {
        return Err(Error::new(
            ErrorCode::InputTooLarge,
            format!(
                "the input is {} bytes; the limit is {} bytes",
                bytes.len(),
                limits.max_input_bytes
            ),
        ));
    }
    if bytes.is_empty() {
        return Err(Error::new(
            ErrorCode::UnsupportedFormat,
            "the input is empty",
        ));
    }
    let format = sniff(bytes).ok_or_else(|| {
        Error::new(
            ErrorCode::UnsupportedFormat,
            "the input is not a JPEG, PNG, GIF, WebP, AVIF or SVG image",
        )
    })?;
    let Walked { probe: p, damage } = match format {
        ImageFormat::Jpeg => jpeg::probe(bytes)?,
        ImageFormat::Png => png::probe(bytes)?,
        ImageFormat::Gif => gif::probe(bytes)?,
        ImageFormat::Webp => webp::probe(bytes)?,
        ImageFormat::Avif => avif::probe(bytes)?,
        // No pixels: the pixel and frame limits below do not apply, and an SVG without a
        // numeric size is still served (the sanitiser rejects what is not well-formed).
        ImageFormat::Svg => return Ok(svg::probe(bytes).probe),
    };
    if p.width == 0 || p.height == 0 {
        return Err(Error::corrupt(
            format.name(),
            "the header declares a zero dimension",
        ));
    }
    if p.pixels() > limits.max_input_pixels {
        return Err(Error::new(
            ErrorCode::TooManyPixels,
            format!(
                "the image declares {}x{} = {:.1} megapixels; the limit is {:.1} megapixels",
                p.width,
                p.height,
                p.pixels() as f64 / 1e6,
                limits.max_input_pixels as f64 / 1e6
            ),
        ));
    }
    if p.frames > limits.max_frames {
        return Err(Error::new(
            ErrorCode::TooManyFrames,
            format!(
                "the animation has {} frames; the limit is {}",
                p.frames, limits.max_frames
            ),
        ));
    }
    match damage {
        Some(e) => Err(e),
        None => Ok(p),
    }
}

/// What a format's walker found: the header facts, and the first damage it met after them.
/// Damage is reported only after the size limits are checked, so that a bomb with a broken
/// chunk is still refused as a bomb (413) rather than as corrupt (422).
struct Walked {
    probe: Probe,
    damage: Option<Error>,
}

impl Walked {
    fn sound(probe: Probe) -> Walked {
        Walked {
            probe,
            damage: None,
        }
    }
    fn damaged(probe: Probe, damage: Error) -> Walked {
        Walked {
            probe,
            damage: Some(damage),
        }
    }
}

/// A probe with everything but the format-specific fields at their neutral values.
fn base(format: ImageFormat, bytes: &[u8], width: u32, height: u32) -> Probe {
    Probe {
        format,
        width,
        height,
        orientation: 1,
        has_icc: false,
        icc_bytes: 0,
        has_alpha: false,
        frames: 1,
        progressive: false,
        bit_depth: 8,
        png_color_type: None,
        bytes: bytes.len(),
        exif: None,
        xmp: None,
        jpeg: None,
        animation: None,
    }
}
