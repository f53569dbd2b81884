//! Probe + options -> Plan: every geometric and format decision, as data, before any pixel is
//! decoded. Geometry is computed in display space (orientation, flip and rotate applied); the
//! pipeline maps it back to stored space so it can resize first and rotate the small result.

use crate::error::{Error, ErrorCode, Result};
use crate::format::ImageFormat;
pub use crate::format::OutputFormat;
use crate::heap::MemoryEstimate;
use crate::limits::Limits;
use crate::options::{
    Border, Effects, Fit, Flip, FormatOption, Gravity, Metadata, Options, Rgba, TrimBorder,
};
use crate::pixels::orient::Orientation;
use crate::probe::{Plays, Probe};
use crate::resolve::Resolved;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Canvas {
    pub width: u32,
    pub height: u32,
    pub x: u32,
    pub y: u32,
    pub background: Rgba,
}

/// How many frames the output holds, decided from the headers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Frames {
    /// One frame: a still input, or the first frame of an animation (`anim=false`, or an
    /// output format that cannot animate).
    Still,
    /// Every frame, each composed on the canvas, put through the single-frame steps with this
    /// plan's geometry and encoded into the animated output.
    Animated(Animation),
    /// The input as it came: Cloudflare delivers an animation above 50 MP in all frames
    /// "without applying any transformations" (`Limits::max_transformed_animation_pixels`).
    Untransformed,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Animation {
    /// Frames the headers declare.
    pub frames: u32,
    pub plays: Plays,
    /// Ceiling of one frame's still encoding (WebP output), set by the budget.
    pub frame_allowance: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// EXIF orientation, then `flip`, then `rotate`: stored -> display.
    pub orientation: Orientation,
    /// Display-space size of the whole source.
    pub display_size: (u32, u32),
    /// Display-space region (x, y, w, h) that is resized; trim and cover/crop live here.
    pub crop: [f64; 4],
    /// Display-space size the region is resized to.
    pub resize_to: (u32, u32),
    /// `gravity=auto` with a cover/crop window smaller than the (trimmed) region: that region;
    /// the window keeps its size and `crate::smart_crop` moves it within it after decoding.
    pub smart_crop: Option<[f64; 4]>,
    /// `fit=pad`: the canvas the resized image is placed on.
    pub canvas: Option<Canvas>,
    /// `trim=border`: the border search to run on the decoded pixels (`keep` in source pixels,
    /// `dpr` applied), inside `trim_region`; the pipeline then re-plans with what it found.
    pub trim_border: Option<TrimBorder>,
    /// The trimmed region in the EXIF-oriented source (x, y, w, h), before any border search.
    pub trim_region: [f64; 4],
    /// Adjustments on the output-sized frame, before padding and border.
    pub effects: Effects,
    /// `border`, widths in output pixels (`dpr` applied), around everything else.
    pub border: Option<Border>,
    /// Smallest stored-space decode that still leaves 2x for the resampling filter.
    pub decode_min_size: (u32, u32),
    pub output: OutputFormat,
    /// The encoder quality; with `quality=auto`, the highest a policy may choose.
    pub quality: u8,
    /// `quality=auto`: the target and policy that choose the quality after rendering.
    pub auto: Option<crate::options::quality::Auto>,
    /// Composite alpha over this colour (JPEG output, or an explicit `background`).
    pub background: Option<Rgba>,
    pub metadata: Metadata,
    /// Things the caller asked for that were served differently, for a response header.
    pub notes: Vec<&'static str>,
    /// Peak memory of each stage, from header facts (see `crate::budget`).
    pub memory: MemoryEstimate,
    /// Ceiling of the encoded output; the encoder stops with 413 past it.
    pub output_allowance: u64,
    /// JPEG output written one MCU row at a time (baseline, standard tables), chosen only
    /// when the whole-frame encoder would not fit the memory budget.
    pub jpeg_streaming: bool,
    pub frames: Frames,
}

impl Plan {
    /// The size of the encoded image: the resized image or its pad canvas, plus the border.
    pub fn output_size(&self) -> (u32, u32) {
        Plan::outer_size(self.canvas, self.resize_to, self.border)
    }

    fn outer_size(
        canvas: Option<Canvas>,
        resize_to: (u32, u32),
        border: Option<Border>,
    ) -> (u32, u32) {
        let (w, h) = canvas.map(|c| (c.width, c.height)).unwrap_or(resize_to);
        match border {
            Some(b) => (
                w.saturating_add(b.left).saturating_add(b.right),
                h.saturating_add(b.top).saturating_add(b.bottom),
            ),
            None => (w, h),
        }
    }
}

/// `flip` then `rotate`: what the caller asks for on top of the EXIF orientation.
fn user_orientation(opts: &Options) -> Orientation {
    let flip = match opts.flip {
        Some(Flip::H) => Orientation::from_exif(2),
        Some(Flip::V) => Orientation::from_exif(4),
        Some(Flip::Hv) => Orientation::from_exif(3),
        None => Orientation::IDENTITY,
    };
    flip.then(Orientation::rotate_cw(opts.rotate.unwrap_or(0)))
}

/// The region `trim` keeps, in the EXIF-oriented source (Cloudflare trims before it flips,
/// rotates or resizes), every length times `dpr`.
fn trim_region(probe: &Probe, opts: &Options) -> Result<[f64; 4]> {
    let (uw, uh) = probe.display_size();
    let t = opts.trim.unwrap_or_default();
    let px = |v: u32| opts.scaled_by_dpr(v) as u64;
    let (left, top) = (px(t.left), px(t.top));
    let (uw64, uh64) = (uw as u64, uh as u64);
    let width = match t.width {
        Some(w) => px(w).min(uw64.saturating_sub(left)),
        None => uw64.saturating_sub(left).saturating_sub(px(t.right)),
    };
    let height = match t.height {
        Some(h) => px(h).min(uh64.saturating_sub(top)),
        None => uh64.saturating_sub(top).saturating_sub(px(t.bottom)),
    };
    if width == 0 || height == 0 {
        return Err(Error::new(
            ErrorCode::BadOption,
            format!("option 'trim' removes the whole {uw}x{uh} image"),
        ));
    }
    Ok([left as f64, top as f64, width as f64, height as f64])
}

/// Every decision but the memory's: `memory` and `output_allowance` are left for the budget
/// (`budget::plan` is this with the budget's decisions on top; callers want that).
pub fn decide(probe: &Probe, resolved: &Resolved, limits: &Limits) -> Result<Plan> {
    let opts = resolved.options();
    if probe.format == ImageFormat::Svg {
        return svg_plan(probe, opts);
    }
    let region = trim_region(probe, opts)?;
    plan_region(probe, opts, region, limits)
}

/// `decide` once `trim=border` has found the border: `found` is the region to keep in the
/// EXIF-oriented source. Planned with `trim=border` still set: the decode stays the full-size
/// one that already happened (`budget::with_found_border` budgets it and then clears it).
pub fn decide_found_border(
    probe: &Probe,
    resolved: &Resolved,
    limits: &Limits,
    found: [f64; 4],
) -> Result<Plan> {
    plan_region(probe, resolved.options(), found, limits)
}

/// Every decision for `region` of the EXIF-oriented source.
fn plan_region(probe: &Probe, opts: &Options, trimmed: [f64; 4], limits: &Limits) -> Result<Plan> {
    let mut notes = Vec::new();
    // `trim=border` searches one decoded frame: an animation asking for it is served as a still;
    // so is an APNG, whose frames are not decoded here (a fuzz input once reached the frame
    // decoder with one and answered 500 internal)
    let animate = probe.frames > 1
        && probe.format.row().frames
        && opts.anim != Some(false)
        && opts.trim.and_then(|t| t.border).is_none();
    let mut output = output_format(probe, opts.format, animate);
    if output == OutputFormat::Avif {
        let facts = AvifFacts {
            animate,
            size: None,
            fits_budget: true,
        };
        if let Some(why) = avif_fallback(facts, limits) {
            notes.push(why);
            output = OutputFormat::Webp;
        }
    }
    let frames = frames(probe, output, animate, limits, &mut notes)?;
    if frames == Frames::Untransformed {
        return Ok(untransformed(probe, opts, notes));
    }
    // Cloudflare flips before it rotates; width and height refer to the rotated axes.
    let user = user_orientation(opts);
    let orientation = probe.orientation().then(user);
    let (dw, dh) = orientation.apply_size(probe.width, probe.height);
    let (uw, uh) = probe.display_size();
    let region = user.rect_to_display(trimmed, uw as f64, uh as f64);
    let (crop, resize_to, canvas) = fit(region, opts, probe.has_alpha)?;
    let smart_crop = (opts.gravity == Gravity::Auto
        && matches!(opts.fit, Fit::Cover | Fit::Crop)
        && (crop[2] < region[2] - 0.5 || crop[3] < region[3] - 0.5))
        .then_some(region);
    let border = opts.border.map(|b| Border {
        top: opts.scaled_by_dpr(b.top),
        right: opts.scaled_by_dpr(b.right),
        bottom: opts.scaled_by_dpr(b.bottom),
        left: opts.scaled_by_dpr(b.left),
        ..b
    });
    let trim_border = opts.trim.and_then(|t| t.border).map(|b| TrimBorder {
        keep: opts.scaled_by_dpr(b.keep),
        ..b
    });

    let max = limits.max_output_dimension;
    let (ow, oh) = Plan::outer_size(canvas, resize_to, border);
    if ow > max || oh > max {
        return Err(Error::new(
            ErrorCode::OutputTooLarge,
            format!("the output would be {ow}x{oh}; the largest side allowed is {max} px"),
        ));
    }
    if ow as u64 * oh as u64 > limits.max_output_pixels {
        return Err(Error::new(
            ErrorCode::OutputTooLarge,
            format!(
                "the output would be {ow}x{oh} = {:.1} megapixels; the limit is {:.1}",
                ow as f64 * oh as f64 / 1e6,
                limits.max_output_pixels as f64 / 1e6
            ),
        ));
    }

    if output == OutputFormat::Avif {
        let facts = AvifFacts {
            animate: false,
            size: Some((ow, oh)),
            fits_budget: true,
        };
        if let Some(why) = avif_fallback(facts, limits) {
            notes.push(why);
            output = OutputFormat::Webp;
        }
    }

    if let Frames::Animated(a) = frames {
        // Every output frame is encoded: past this many output pixels the request would take
        // more CPU than a Worker should give one image, and it is served as it came, as
        // Cloudflare serves an animation too large to transform.
        let total = (a.frames as u64).saturating_mul(ow as u64 * oh as u64);
        if total > limits.max_animation_output_pixels {
            notes.push(
                "animation: too many output pixels in all frames to transform; served as it came",
            );
            return Ok(untransformed(probe, opts, notes));
        }
    }

    // The border search needs the pixels at full size; what it keeps is not known yet.
    let decode_min_size = if trim_border.is_some() {
        (probe.width, probe.height)
    } else {
        shrink_on_load_size(probe, orientation, crop, resize_to)
    };
    if opts.compression_fast {
        // one scan encodes faster than two (Options::resolve already chose JPEG over WebP)
        if let OutputFormat::Jpeg { progressive } = &mut output {
            *progressive = false;
        }
    }
    let background = match (opts.background, output.supports_alpha()) {
        (Some(bg), _) => Some(bg),
        (None, false) if probe.has_alpha => Some(Rgba::WHITE),
        _ => None,
    };
    Ok(Plan {
        orientation,
        display_size: (dw, dh),
        crop,
        resize_to,
        smart_crop,
        canvas,
        trim_border,
        trim_region: trimmed,
        effects: opts.effects,
        border,
        decode_min_size,
        output,
        quality: opts.effective_quality(),
        auto: opts.auto_quality(),
        background,
        metadata: opts.metadata,
        notes,
        memory: MemoryEstimate::default(),
        output_allowance: 0,
        jpeg_streaming: false,
        frames,
    })
}

/// Cloudflare: "AVIF ... output is limited to 1,200 pixels on the longest side"; larger
/// requests are served as WebP.
pub const AVIF_MAX_SIDE: u32 = 1200;

/// What the plan knows when it asks whether an AVIF output is answered as WebP: whether it
/// animates, then its size, then whether its encoder fits the memory budget
/// (`budget::fit`).
#[derive(Debug, Clone, Copy)]
pub struct AvifFacts {
    pub animate: bool,
    pub size: Option<(u32, u32)>,
    pub fits_budget: bool,
}

/// Why an AVIF output is answered as WebP instead, if it is: the one place that decides it
/// (`Options::resolve` only chose AVIF for the client; every AVIF client shows WebP).
pub fn avif_fallback(facts: AvifFacts, limits: &Limits) -> Option<&'static str> {
    if facts.animate {
        // no animated AVIF encoder here
        return Some("avif: an animation is served as animated webp");
    }
    let (w, h) = facts.size?;
    if !crate::format::AVIF.encodes {
        Some("avif: this build has no AVIF encoder (cargo feature avif), served webp")
    } else if limits.max_avif_pixels == 0 {
        Some("avif: AVIF output is off here (ENABLE_AVIF), served webp")
    } else if w.max(h) > AVIF_MAX_SIDE {
        Some("avif: longest side above 1,200 px (Cloudflare's AVIF limit), served webp")
    } else if w as u64 * h as u64 > limits.max_avif_pixels {
        Some("avif: more pixels than MAX_AVIF_PIXELS would encode too slowly, served webp")
    } else if !facts.fits_budget {
        // rav1e's working set is several times the frame: WebP may still fit
        Some("avif: the encoder would not fit the memory budget, served webp")
    } else {
        None
    }
}

/// Cloudflare "does not resize SVGs" and converts no SVG to a bitmap: the source is served
/// sanitised, and every geometry, adjustment and format option other than `json` is ignored
/// (a note says so). The plan's sizes are the root's nominal size, for `format=json`.
fn svg_plan(probe: &Probe, opts: &Options) -> Result<Plan> {
    let output = match opts.format {
        Some(FormatOption::Json) => OutputFormat::Json,
        _ => OutputFormat::Svg,
    };
    let notes = if output == OutputFormat::Svg {
        vec!["svg: sanitised and served as svg; resize, adjustment and format options are ignored"]
    } else {
        Vec::new()
    };
    let size = (probe.width, probe.height);
    Ok(Plan {
        orientation: Orientation::IDENTITY,
        display_size: size,
        crop: [0.0, 0.0, size.0 as f64, size.1 as f64],
        resize_to: size,
        smart_crop: None,
        canvas: None,
        trim_border: None,
        trim_region: [0.0, 0.0, size.0 as f64, size.1 as f64],
        effects: Effects::default(),
        border: None,
        decode_min_size: size,
        output,
        quality: opts.effective_quality(),
        auto: None,
        background: None,
        metadata: opts.metadata,
        notes,
        memory: MemoryEstimate::default(),
        output_allowance: 0,
        jpeg_streaming: false,
        frames: Frames::Still,
    })
}

/// Whether the output animates, from the headers: Cloudflare's limits apply to the pixels of
/// all frames together (`Probe::animation_area`).
fn frames(
    probe: &Probe,
    output: OutputFormat,
    animate: bool,
    limits: &Limits,
    notes: &mut Vec<&'static str>,
) -> Result<Frames> {
    if !animate || output == OutputFormat::Json {
        return Ok(Frames::Still);
    }
    if !output.animates() {
        notes.push("animation: this output format holds one frame; the first is served");
        return Ok(Frames::Still);
    }
    let area = probe.animation_area();
    if area > limits.max_animation_pixels {
        return Err(Error::new(
            ErrorCode::TooManyPixels,
            format!(
                "the animation has {} frames of {}x{}: {:.1} megapixels in all; the limit for an animation is {:.1} (anim=false serves its first frame)",
                probe.frames,
                probe.width,
                probe.height,
                area as f64 / 1e6,
                limits.max_animation_pixels as f64 / 1e6
            ),
        ));
    }
    if area > limits.max_transformed_animation_pixels {
        notes.push("animation: too many pixels in all frames to transform; served as it came");
        return Ok(Frames::Untransformed);
    }
    Ok(Frames::Animated(Animation {
        frames: probe.frames,
        plays: Plays::of_input(probe),
        frame_allowance: 0,
    }))
}

/// The plan of an animation served as it came: no geometry, the input's own format.
fn untransformed(probe: &Probe, opts: &Options, notes: Vec<&'static str>) -> Plan {
    let (w, h) = (probe.width, probe.height);
    Plan {
        orientation: Orientation::IDENTITY,
        display_size: (w, h),
        crop: [0.0, 0.0, w as f64, h as f64],
        resize_to: (w, h),
        smart_crop: None,
        canvas: None,
        trim_border: None,
        trim_region: [0.0, 0.0, w as f64, h as f64],
        effects: Default::default(),
        border: None,
        decode_min_size: (w, h),
        output: match probe.format {
            ImageFormat::Gif => OutputFormat::Gif,
            _ => OutputFormat::Webp,
        },
        quality: opts.effective_quality(),
        auto: None,
        background: None,
        metadata: opts.metadata,
        notes,
        memory: MemoryEstimate::default(),
        output_allowance: 0,
        jpeg_streaming: false,
        frames: Frames::Untransformed,
    }
}

fn round_dim(v: f64) -> u32 {
    v.round().max(1.0) as u32
}

/// What a fit mode decides: the region to resize, the size to resize it to, the pad canvas.
type Fitted = ([f64; 4], (u32, u32), Option<Canvas>);

/// The fit modes, as Cloudflare Images defines them, over the (trimmed) region.
fn fit(region: [f64; 4], opts: &Options, _has_alpha: bool) -> Result<Fitted> {
    let [rx, ry, sw, sh] = region;
    let (bw, bh) = opts.target_box();
    let whole = (region, (round_dim(sw), round_dim(sh)), None);
    let (bw, bh) = match (bw, bh) {
        (None, None) => return Ok(whole),
        // One side given: the other follows the aspect ratio; the box is unbounded on that axis.
        (Some(w), None) => (w as f64, f64::INFINITY),
        (None, Some(h)) => (f64::INFINITY, h as f64),
        (Some(w), Some(h)) => (w as f64, h as f64),
    };
    let contain = (bw / sw).min(bh / sh);
    let cover = if bw.is_finite() && bh.is_finite() {
        (bw / sw).max(bh / sh)
    } else {
        contain
    };
    let (fx, fy) = opts.gravity.focal_point();
    // Crop a cw x ch window around the focal point, clamped inside the region.
    let window = |cw: f64, ch: f64| -> [f64; 4] {
        let x = (fx as f64 * sw - cw / 2.0).clamp(0.0, sw - cw);
        let y = (fy as f64 * sh - ch / 2.0).clamp(0.0, sh - ch);
        [rx + x, ry + y, cw, ch]
    };
    let scaled = |s: f64| (round_dim(sw * s), round_dim(sh * s));
    Ok(match opts.fit {
        Fit::ScaleDown => (region, scaled(contain.min(1.0)), None),
        Fit::ScaleUp => (region, scaled(contain.max(1.0)), None),
        Fit::Contain => (region, scaled(contain), None),
        Fit::Squeeze => {
            let w = if bw.is_finite() { bw } else { sw * bh / sh };
            let h = if bh.is_finite() { bh } else { sh * bw / sw };
            (region, (round_dim(w), round_dim(h)), None)
        }
        Fit::Cover | Fit::Crop | Fit::AspectCrop if !(bw.is_finite() && bh.is_finite()) => {
            let s = if opts.fit != Fit::Cover {
                contain.min(1.0)
            } else {
                contain
            };
            (region, scaled(s), None)
        }
        Fit::Cover => {
            let (cw, ch) = ((bw / cover).min(sw), (bh / cover).min(sh));
            (window(cw, ch), (round_dim(bw), round_dim(bh)), None)
        }
        Fit::Crop => {
            // like cover, but never enlarges: a small side stays as it is
            let s = cover.min(1.0);
            let (cw, ch) = ((bw / s).min(sw), (bh / s).min(sh));
            (window(cw, ch), (round_dim(cw * s), round_dim(ch * s)), None)
        }
        Fit::AspectCrop if cover < 1.0 => {
            // larger than the box: exactly cover
            let (cw, ch) = (bw / cover, bh / cover);
            (window(cw, ch), (round_dim(bw), round_dim(bh)), None)
        }
        Fit::AspectCrop => {
            // not larger: keep the scale, crop the largest window of the box's aspect ratio
            let aspect = bw / bh;
            let (cw, ch) = (sw.min(sh * aspect), sh.min(sw / aspect));
            (window(cw, ch), (round_dim(cw), round_dim(ch)), None)
        }
        Fit::Pad => {
            let size = scaled(contain);
            if !(bw.is_finite() && bh.is_finite()) {
                return Ok((region, size, None));
            }
            let (cw, ch) = (round_dim(bw), round_dim(bh));
            let bg = opts.background.unwrap_or(Rgba::WHITE);
            let canvas = Canvas {
                width: cw,
                height: ch,
                x: ((cw - size.0.min(cw)) as f32 * fx).round() as u32,
                y: ((ch - size.1.min(ch)) as f32 * fy).round() as u32,
                background: bg,
            };
            (region, size, Some(canvas))
        }
    })
}

/// JPEG can decode at 1/2, 1/4 or 1/8 scale nearly for free. Ask for the smallest decode in
/// which the cropped region still has twice the output's pixels along each axis, but never
/// below 1/4: the 1/8 scale keeps only each block's DC coefficient, a box filter that aliases.
/// Measured on elephants -> 300 px (docs/BENCHMARKS.md): SSIM 0.9852 at 1/8 vs 0.9919 at 1/4
/// before encoding, for 4 % more decode time.
const MAX_SHRINK_ON_LOAD: f64 = 4.0;

fn shrink_on_load_size(
    probe: &Probe,
    o: Orientation,
    crop: [f64; 4],
    resize_to: (u32, u32),
) -> (u32, u32) {
    let full = (probe.width, probe.height);
    if probe.format != ImageFormat::Jpeg {
        return full;
    }
    let stored = o.rect_to_stored(crop, probe.width as f64, probe.height as f64);
    let (tw, th) = o.apply_size(resize_to.0, resize_to.1);
    let factor = (stored[2] / (2.0 * tw as f64))
        .min(stored[3] / (2.0 * th as f64))
        .min(MAX_SHRINK_ON_LOAD);
    if factor <= 1.0 {
        return full;
    }
    (
        (probe.width as f64 / factor).ceil() as u32,
        (probe.height as f64 / factor).ceil() as u32,
    )
}

/// The output format of resolved options: `auto` left by `Options::resolve` is the legacy
/// choice for a client without WebP, which is GIF for an animation that is to stay one.
fn output_format(probe: &Probe, requested: Option<FormatOption>, animate: bool) -> OutputFormat {
    let legacy = if animate {
        OutputFormat::Gif
    } else if probe.has_alpha {
        OutputFormat::Png
    } else {
        OutputFormat::Jpeg { progressive: true }
    };
    match requested {
        Some(FormatOption::Json) => OutputFormat::Json,
        Some(FormatOption::Jpeg) => OutputFormat::Jpeg { progressive: true },
        Some(FormatOption::BaselineJpeg) => OutputFormat::Jpeg { progressive: false },
        Some(FormatOption::Png) => OutputFormat::Png,
        Some(FormatOption::Webp) => OutputFormat::Webp,
        // within AVIF's limits, checked once the output size is known (`avif_fallback`)
        Some(FormatOption::Avif) => OutputFormat::Avif,
        Some(FormatOption::Auto) => legacy,
        None => match probe.format {
            ImageFormat::Jpeg => OutputFormat::Jpeg { progressive: true },
            ImageFormat::Gif if animate => OutputFormat::Gif,
            ImageFormat::Png | ImageFormat::Gif => OutputFormat::Png,
            ImageFormat::Webp => OutputFormat::Webp,
            ImageFormat::Avif => legacy,
            ImageFormat::Svg => OutputFormat::Svg,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg_probe(width: u32, height: u32, orientation: u16) -> Probe {
        Probe {
            format: ImageFormat::Jpeg,
            width,
            height,
            orientation,
            has_icc: false,
            icc_bytes: 0,
            has_alpha: false,
            frames: 1,
            progressive: false,
            bit_depth: 8,
            png_color_type: None,
            bytes: 1,
            exif: None,
            xmp: None,
            jpeg: None,
            animation: None,
        }
    }

    fn plan_for(p: &Probe, opts: &str) -> Plan {
        decide(
            p,
            &Resolved::for_any_modern_client(&Options::parse(opts).unwrap()),
            &Limits::default(),
        )
        .unwrap()
    }

    #[test]
    fn shrink_on_load_keeps_twice_the_target() {
        let p = jpeg_probe(5640, 3172, 1);
        let plan = plan_for(&p, "width=1200");
        assert_eq!(plan.resize_to, (1200, 675));
        // 5640 / (2 * 1200) = 2.35: the decode must stay at least 2400 px wide
        assert!(plan.decode_min_size.0 >= 2400 && plan.decode_min_size.0 <= 2410);
    }

    #[test]
    fn shrink_on_load_never_asks_for_the_dc_only_eighth() {
        let p = jpeg_probe(5640, 3172, 1);
        let plan = plan_for(&p, "width=300");
        // 2x would allow 1/9.4; the cap keeps the decode at a quarter of the source
        assert_eq!(plan.decode_min_size, (1410, 793));
    }

    #[test]
    fn shrink_on_load_follows_orientation_and_crop() {
        // stored 4000x3000, orientation 6: displayed 3000x4000
        let p = jpeg_probe(4000, 3000, 6);
        let plan = plan_for(&p, "width=300,height=300,fit=cover");
        assert_eq!(plan.resize_to, (300, 300));
        // the crop is 3000x3000 of the display, 3000x3000 stored: factor 5 capped to 4
        assert_eq!(plan.decode_min_size, (1000, 750));
        let png = Probe {
            format: ImageFormat::Png,
            ..p
        };
        assert_eq!(plan_for(&png, "width=300").decode_min_size, (4000, 3000));
    }
}
