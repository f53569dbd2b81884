//! The encode step: the still encoder the plan names (`run`) and its allocations on the
//! allocator model (`footprint`), the output's ceiling and the frame the encoder gets.

use crate::codecs::{self, jpeg::JpegParams};
use crate::error::{Error, Result};
use crate::format::OutputFormat;
use crate::heap::{Block, FrameShape, Heap};
use crate::metadata::{Kept, JPEG_SEGMENT_MAX, XMP_PREFIX};
use crate::options::Metadata;
use crate::pixels::{compose, Layout, Raster};
use crate::plan::{Frames, Plan};
use crate::probe::Probe;

/// The still encoder the plan names, within the plan's output allowance, with the metadata
/// the plan's mode keeps (`Kept::for_output`).
pub fn run(r: &Raster, plan: &Plan, kept: &Kept) -> Result<Vec<u8>> {
    let exif = &kept.exif;
    let xmp = kept.xmp.as_deref();
    match plan.output {
        OutputFormat::Jpeg { progressive } => {
            let flat;
            let r = if r.has_alpha() {
                flat = compose::flatten(r.clone(), crate::options::Rgba::WHITE);
                &flat
            } else {
                r
            };
            codecs::jpeg::encode(
                r,
                &JpegParams {
                    quality: plan.quality,
                    progressive,
                    max_output: plan.output_allowance,
                    streaming: plan.jpeg_streaming,
                    exif: exif.as_deref(),
                    xmp,
                },
            )
        }
        OutputFormat::Png => codecs::png::encode(r, exif.as_deref(), plan.output_allowance),
        OutputFormat::Webp => {
            codecs::webp::encode(r, plan.quality, exif.as_deref(), plan.output_allowance)
        }
        OutputFormat::Avif => {
            codecs::avif::encode_within(r, plan.quality, exif.as_deref(), plan.output_allowance)
        }
        OutputFormat::Gif | OutputFormat::Json | OutputFormat::Svg => Err(Error::internal(
            format!("{} output reached the still encoder", plan.output.name()),
        )),
    }
}

/// A still encoder's allocations, ending with its output's block.
pub fn footprint(heap: &mut Heap, plan: &Plan, frame: FrameShape, allowance: u64) -> Block {
    match plan.output {
        OutputFormat::Jpeg { .. } => {
            codecs::jpeg::encode_footprint(heap, frame, allowance, plan.jpeg_streaming)
        }
        OutputFormat::Png => codecs::png::encode_footprint(heap, frame, allowance),
        OutputFormat::Webp => codecs::webp::encode_footprint(heap, frame, plan.quality, allowance),
        OutputFormat::Avif => codecs::avif::encode_footprint(heap, frame, plan.quality, allowance),
        OutputFormat::Gif | OutputFormat::Json | OutputFormat::Svg => heap.alloc(0),
    }
}

/// The layout the encoder gets: alpha survives when the output can hold it.
pub fn output_layout(probe: &Probe, plan: &Plan) -> Layout {
    let alpha = plan.canvas.is_some()
        || codecs::decoded_layout(probe) == Layout::Rgba
        || plan.border.is_some_and(|b| b.color.a < 255)
        || matches!(plan.frames, Frames::Animated(_));
    if alpha && plan.output.supports_alpha() {
        Layout::Rgba
    } else {
        Layout::Rgb
    }
}

/// The ceiling of the encoded output: the encoder stops with 413 past it.
pub fn output_allowance(probe: &Probe, plan: &Plan) -> u64 {
    let (ow, oh) = plan.output_size();
    let frame = FrameShape::new(ow, oh, output_layout(probe, plan));
    // What the encoder writes (`Kept::for_output`): the EXIF unless the mode drops it (its size
    // also bounds the copyright-only EXIF), the XMP only into a JPEG under keep. A chunk the
    // output drops is counted once, as part of the input.
    let exif = match plan.metadata {
        Metadata::None => 0,
        _ => probe.exif.map_or(0, |e| e.len as u64),
    };
    let xmp = match (plan.metadata, plan.output) {
        (Metadata::Keep, OutputFormat::Jpeg { .. }) => probe
            .xmp
            .filter(|x| XMP_PREFIX.len() + x.len < JPEG_SEGMENT_MAX)
            .map_or(0, |x| x.len as u64),
        _ => 0,
    };
    let metadata = exif + xmp;
    match plan.output {
        OutputFormat::Jpeg { .. } => codecs::jpeg::output_allowance(frame, metadata),
        OutputFormat::Png => codecs::png::output_allowance(frame, metadata),
        OutputFormat::Webp => codecs::webp::output_allowance(frame, plan.quality, metadata),
        OutputFormat::Avif => codecs::avif::output_allowance(frame, metadata),
        OutputFormat::Gif | OutputFormat::Json => 0,
        OutputFormat::Svg => crate::svg::output_cap(probe.bytes),
    }
}
