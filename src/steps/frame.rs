//! The single-frame steps (`super::frame` lists them in order): each one's pixels and, beside
//! them, the large buffers it allocates and frees, replayed on the allocator model.

use crate::codecs::ColorInfo;
use crate::error::Result;
use crate::heap::{Block, FrameShape, Heap};
use crate::pixels::overlay::{self, Prepared};
use crate::pixels::{border, color, compose, effects, resize, Layout, Raster};
use crate::plan::Plan;
use crate::probe::Probe;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameStep {
    /// Crop + resize, in stored orientation on the (possibly shrunk-on-load) frame.
    Resize,
    /// EXIF orientation, `flip` and `rotate`, on the small result.
    Orient,
    /// The embedded ICC profile or PNG gamma to sRGB.
    Colour,
    /// Blur, sharpen and the tone adjustments.
    Effects,
    /// `fit=pad`'s canvas.
    Pad,
    /// `border`, around everything else.
    Border,
    /// `draw`'s overlays, prepared before the transform.
    Overlays,
    /// Composite over `background` (or drop an alpha channel no pixel uses).
    Background,
}

/// What the frame steps read besides the frame.
pub struct Context<'a> {
    pub probe: &'a Probe,
    pub plan: &'a Plan,
    /// The colour facts the decoder found.
    pub color: &'a ColorInfo,
    pub overlays: &'a [Prepared],
}

/// The frame's buffer on the allocator model and its shape.
#[derive(Debug, Clone, Copy)]
pub struct Held {
    pub block: Block,
    pub shape: FrameShape,
}

impl FrameStep {
    pub fn name(self) -> &'static str {
        match self {
            FrameStep::Resize => "resize",
            FrameStep::Orient => "orient",
            FrameStep::Colour => "colour",
            FrameStep::Effects => "effects",
            FrameStep::Pad => "pad",
            FrameStep::Border => "border",
            FrameStep::Overlays => "overlays",
            FrameStep::Background => "background",
        }
    }

    /// The step on the pixels.
    pub fn run(self, raster: Raster, cx: &Context) -> Result<Raster> {
        let plan = cx.plan;
        Ok(match self {
            FrameStep::Resize => {
                let rect = stored_crop(cx.probe, plan, (raster.width, raster.height));
                let (tw, th) = plan
                    .orientation
                    .apply_size(plan.resize_to.0, plan.resize_to.1);
                resize::crop_resize(raster, rect, tw, th)?
            }
            FrameStep::Orient => plan.orientation.apply(raster),
            FrameStep::Colour => {
                let mut raster = raster;
                if let Some(icc) = &cx.color.icc {
                    color::icc_to_srgb(&mut raster, icc)?;
                }
                if let Some(g) = cx.color.png_gamma {
                    color::png_gamma_to_srgb(&mut raster, g);
                }
                raster
            }
            FrameStep::Effects => {
                let mut raster = raster;
                effects::apply(&mut raster, &plan.effects);
                raster
            }
            FrameStep::Pad => match plan.canvas {
                Some(c) => compose::pad(&raster, c.width, c.height, c.x, c.y, c.background),
                None => raster,
            },
            FrameStep::Border => match &plan.border {
                Some(b) => border::add(&raster, b),
                None => raster,
            },
            FrameStep::Overlays => {
                let mut raster = raster;
                overlay::composite_all(&mut raster, cx.overlays);
                raster
            }
            FrameStep::Background => background(raster, plan),
        })
    }

    /// The step on the allocator model: takes the frame's block, returns the block that holds
    /// the frame after the step.
    pub fn footprint(self, heap: &mut Heap, probe: &Probe, plan: &Plan, held: Held) -> Held {
        let Held { block, shape } = held;
        match self {
            FrameStep::Resize => {
                let (dw, dh) = (shape.width, shape.height);
                let o = plan.orientation;
                let stored = o.rect_to_stored(plan.crop, probe.width as f64, probe.height as f64);
                let crop = (
                    stored[2] * dw as f64 / probe.width.max(1) as f64,
                    stored[3] * dh as f64 / probe.height.max(1) as f64,
                );
                let (tw, th) = o.apply_size(plan.resize_to.0, plan.resize_to.1);
                let resized = FrameShape::new(tw, th, shape.layout);
                let untouched = stored == [0.0, 0.0, probe.width as f64, probe.height as f64]
                    && (tw, th) == (dw, dh);
                if untouched {
                    return Held {
                        block,
                        shape: resized,
                    };
                }
                let out = resize_footprint(heap, shape, crop, resized);
                heap.free(block);
                Held {
                    block: out,
                    shape: resized,
                }
            }
            // a second frame; the model keeps the stored-orientation size (the same bytes)
            FrameStep::Orient => replace(heap, block, shape),
            // moxcms converts in strips through its tables
            FrameStep::Colour => {
                if probe.has_icc {
                    heap.transient(color::working_bytes(probe));
                }
                held
            }
            // blur and sharpen hold a 16-bit working copy; the tone adjustments work in place
            FrameStep::Effects => {
                heap.transient(effects::working_bytes(
                    &plan.effects,
                    shape.width,
                    shape.height,
                    shape.layout.channels(),
                ));
                held
            }
            FrameStep::Pad => match plan.canvas {
                Some(c) => replace(
                    heap,
                    block,
                    FrameShape::new(c.width, c.height, Layout::Rgba),
                ),
                None => held,
            },
            FrameStep::Border => match plan.border {
                Some(b) => {
                    let (ow, oh) = plan.output_size();
                    let layout = border::layout(shape.layout, b.color);
                    replace(heap, block, FrameShape::new(ow, oh, layout))
                }
                None => held,
            },
            // overlays composite in place (their own frames are `draw::memory`'s); flattening
            // and dropping an opaque alpha work in place
            FrameStep::Overlays | FrameStep::Background => held,
        }
    }
}

/// A new frame of `shape` made from the old one, which is freed after.
fn replace(heap: &mut Heap, old: Block, shape: FrameShape) -> Held {
    let block = heap.alloc(shape.bytes());
    heap.free(old);
    Held { block, shape }
}

/// The plan's crop in stored orientation, scaled to a decoded frame of `size`.
fn stored_crop(probe: &Probe, plan: &Plan, size: (u32, u32)) -> [f64; 4] {
    let o = plan.orientation;
    let stored = o.rect_to_stored(plan.crop, probe.width as f64, probe.height as f64);
    let sx = size.0 as f64 / probe.width as f64;
    let sy = size.1 as f64 / probe.height as f64;
    let mut rect = [
        stored[0] * sx,
        stored[1] * sy,
        stored[2] * sx,
        stored[3] * sy,
    ];
    // Rounding in the scaled decode can leave the rectangle a hair outside the frame.
    rect[2] = rect[2].min(size.0 as f64 - rect[0]);
    rect[3] = rect[3].min(size.1 as f64 - rect[1]);
    rect
}

fn background(raster: Raster, plan: &Plan) -> Raster {
    let mut raster = raster;
    match plan.background {
        Some(bg) if !plan.output.supports_alpha() || bg.a == 255 => {
            let opaque = crate::options::Rgba { a: 255, ..bg };
            compose::flatten(raster, opaque)
        }
        Some(bg) => {
            compose::underlay(&mut raster, bg);
            raster
        }
        None => {
            raster.drop_opaque_alpha();
            raster
        }
    }
}

/// `fast_image_resize`'s Lanczos3 convolution over a `crop` (w, h) of `src` into a new `dst`
/// frame: the intermediate pass (vertical first for 8-bit pixels: crop width x dst height; the
/// other order is counted too, so the bound holds either way), the per-pixel weights, and for
/// RGBA the larger of its two paths (`pixels::resize`): the 8-bit premultiplied copy of the
/// whole source, or the 16-bit path's premultiplied source row, its crop-width intermediate
/// over the rows the vertical pass reads and its row of sums. Returns the destination frame.
fn resize_footprint(heap: &mut Heap, src: FrameShape, crop: (f64, f64), dst: FrameShape) -> Block {
    let c = src.layout.channels() as u64;
    let (cw, ch) = (crop.0.ceil().max(1.0) as u64, crop.1.ceil().max(1.0) as u64);
    // Lanczos3 reaches 3 source pixels each side, scaled up when shrinking: f64 weights plus
    // their fixed-point copy, and one bounds entry per output pixel.
    let taps = |from: f64, to: u32| (6.0 * (from / to.max(1) as f64).max(1.0)).ceil() as u64 + 2;
    let weights = (dst.width as u64 * taps(crop.0, dst.width)
        + dst.height as u64 * taps(crop.1, dst.height))
        * 10
        + (dst.width as u64 + dst.height as u64) * 16;
    let intermediate = (cw * dst.height as u64).max(dst.width as u64 * ch) * c;
    let out = heap.alloc(dst.bytes());
    let premultiplied = (src.layout == Layout::Rgba).then(|| {
        let eight_bit = src.bytes();
        let rows = (ch + taps(crop.1, dst.height) + 6).min(src.height as u64);
        let sixteen_bit =
            src.width as u64 * 16 + dst.width as u64 * rows * 8 + dst.width as u64 * 16;
        heap.alloc(eight_bit.max(sixteen_bit))
    });
    let w = heap.alloc(weights);
    let intermediate = heap.alloc(intermediate);
    heap.free(intermediate);
    heap.free(w);
    if let Some(p) = premultiplied {
        heap.free(p);
    }
    out
}
