//! Probe: everything the plan needs, read from headers only. No pixel buffer exists yet, so
//! every limit is enforced here, before a decoder can be asked to allocate.

mod avif;
mod gif;
mod jpeg;
mod png;
mod webp;

use crate::error::{Error, ErrorCode, Result};
use crate::format::ImageFormat;
use crate::limits::Limits;
use crate::pixels::orient::Orientation;
use serde::Serialize;

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
    pub has_alpha: bool,
    pub frames: u32,
    pub progressive: bool,
    pub bit_depth: u8,
    pub bytes: usize,
    #[serde(skip)]
    pub exif: Option<Vec<u8>>,
    #[serde(skip)]
    pub xmp: Option<Vec<u8>>,
    #[serde(skip)]
    pub jpeg: Option<JpegHeader>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct JpegHeader {
    pub components: u8,
    pub arithmetic: bool,
    pub lossless: bool,
    /// Adobe APP14 transform flag (2 = YCCK), if the marker is present.
    pub adobe_transform: Option<u8>,
    /// The SOFn marker code of the frame (0xC0..=0xCF).
    pub sof_marker: u8,
    /// Sampling factors of the first four components as the frame header stores them
    /// (horizontal << 4 | vertical); 0 where the frame has fewer components.
    pub sampling: [u8; 4],
    /// Total payload of the APP2 ICC_PROFILE chunks (what an assembled profile can reach).
    pub icc_bytes: u32,
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
    let format = ImageFormat::sniff(bytes).ok_or_else(|| {
        Error::new(
            ErrorCode::UnsupportedFormat,
            "the input is not a JPEG, PNG, GIF, WebP or AVIF image",
        )
    })?;
    let p = match format {
        ImageFormat::Jpeg => jpeg::probe(bytes)?,
        ImageFormat::Png => png::probe(bytes)?,
        ImageFormat::Gif => gif::probe(bytes)?,
        ImageFormat::Webp => webp::probe(bytes)?,
        ImageFormat::Avif => avif::probe(bytes)?,
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
    Ok(p)
}

/// A probe with everything but the format-specific fields at their neutral values.
fn base(format: ImageFormat, bytes: &[u8], width: u32, height: u32) -> Probe {
    Probe {
        format,
        width,
        height,
        orientation: 1,
        has_icc: false,
        has_alpha: false,
        frames: 1,
        progressive: false,
        bit_depth: 8,
        bytes: bytes.len(),
        exif: None,
        xmp: None,
        jpeg: None,
    }
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(b.get(at..at + 2)?.try_into().ok()?))
}
fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}
fn le16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}
fn le24(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at + 3)?;
    Some(s[0] as u32 | (s[1] as u32) << 8 | (s[2] as u32) << 16)
}
fn le32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}
