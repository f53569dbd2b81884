//! The Cloudflare Images option language: one typed struct, parsed from the URL form
//! (`width=640,fit=cover`) or from a JSON object, validated once, with a canonical form that
//! serves as the cache key. Every option is one row of one table (`table.rs`), which both forms
//! and the canonical form walk.

mod choices;
mod color;
pub mod draw;
mod named_colors;
mod parse;
pub mod quality;
mod row;
mod table;

pub use color::Rgba;
pub use draw::{Draw, Repeat};
pub use row::Row;
/// The option table: every option's names, value reader, canonical writer and Workers shape.
pub use table::ROWS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Fit {
    /// Shrink to fit inside the box, never enlarge (the default, as on Cloudflare).
    #[default]
    ScaleDown,
    /// Enlarge to fit inside the box, never shrink: `scale-down`'s mirror (Cloudflare 2026-06,
    /// "always enlarge"); a source already as large as the box keeps its own size.
    ScaleUp,
    Contain,
    Cover,
    Crop,
    /// Crop to the box's aspect ratio, shrinking to fill the box but never enlarging.
    AspectCrop,
    Pad,
    Squeeze,
}

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Gravity {
    #[default]
    Center,
    Left,
    Right,
    Top,
    Bottom,
    /// Smart crop: the window goes where `crate::smart_crop`'s saliency map holds the most mass;
    /// its focal point is the centre only where no window is slid (no crop, or JSON output).
    Auto,
    /// Focal point in 0..=1 relative coordinates.
    Point(f32, f32),
}

impl Gravity {
    /// The focal point this gravity stands for.
    pub fn focal_point(self) -> (f32, f32) {
        match self {
            Gravity::Center | Gravity::Auto => (0.5, 0.5),
            Gravity::Left => (0.0, 0.5),
            Gravity::Right => (1.0, 0.5),
            Gravity::Top => (0.5, 0.0),
            Gravity::Bottom => (0.5, 1.0),
            Gravity::Point(x, y) => (x, y),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quality {
    Value(u8),
    /// `quality=auto[:target][:policy]`, and Cloudflare's perceptual levels (`high`,
    /// `medium-high`, `medium-low`, `low`), which are named targets of it: the fewest bytes
    /// that reach a perceptual target (`crate::quality`).
    Auto(quality::Auto),
}

impl Quality {
    /// The encoder quality to use when no policy runs: the number given, or for a perceptual
    /// target the fixed setting that stands for it where the output is not JPEG or WebP.
    pub fn value(self) -> u8 {
        match self {
            Quality::Value(v) => v,
            Quality::Auto(a) => a.fixed_fallback(),
        }
    }
}

/// Cloudflare's default quality.
pub const DEFAULT_QUALITY: u8 = 85;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormatOption {
    /// Best format the client accepts; resolved per request with [`crate::Accepts`].
    Auto,
    Jpeg,
    BaselineJpeg,
    Png,
    Webp,
    Avif,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Metadata {
    Keep,
    /// Keep only the EXIF copyright (Cloudflare's default for JPEG).
    #[default]
    Copyright,
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flip {
    H,
    V,
    Hv,
}

/// `trim`: pixels cut from each side of the (EXIF-oriented) source before anything else, and/or
/// the size to keep from the top-left corner of what remains, and/or a border of one colour
/// found in the pixels. All lengths are multiplied by `dpr`, as Cloudflare documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Trim {
    pub top: u32,
    pub right: u32,
    pub bottom: u32,
    pub left: u32,
    /// Width kept from `left` on (`trim.width`); when given, `right` is not used.
    pub width: Option<u32>,
    /// Height kept from `top` down (`trim.height`); when given, `bottom` is not used.
    pub height: Option<u32>,
    /// `trim=border`: also cut a surrounding border of one colour, found in the pixels.
    pub border: Option<TrimBorder>,
}

impl Trim {
    pub fn has_edges(&self) -> bool {
        self.top != 0 || self.right != 0 || self.bottom != 0 || self.left != 0
    }
}

/// `trim=border` with `trim.border.color`, `.tolerance` and `.keep`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrimBorder {
    /// The border colour; `None` takes the colour of the top-left pixel.
    pub color: Option<Rgba>,
    /// How closely a pixel must match: 255 exactly, 0 not at all (Cloudflare's scale). A pixel
    /// is border when no channel differs from the colour by more than `255 - tolerance`.
    pub tolerance: u8,
    /// Pixels of the found border left on each side.
    pub keep: u32,
}

/// Default `trim.border.tolerance`: channels within 10 of the colour are border (JPEG's ringing
/// along a flat margin stays under that; Cloudflare does not document its default).
pub const DEFAULT_TRIM_TOLERANCE: u8 = 245;

impl Default for TrimBorder {
    fn default() -> Self {
        TrimBorder {
            color: None,
            tolerance: DEFAULT_TRIM_TOLERANCE,
            keep: 0,
        }
    }
}

/// `border`: a frame of one colour added around the resized image, widths in pixels before
/// `dpr`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Border {
    pub color: Rgba,
    pub top: u32,
    pub right: u32,
    pub bottom: u32,
    pub left: u32,
}

/// The adjustments, applied to the output-sized frame in this order: blur, sharpen,
/// brightness, contrast, gamma, saturation. `None` is "not given" or the value that changes
/// nothing (0 for blur and sharpen, 1 for the factors), so each meaning has one cache key.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Effects {
    /// Blur radius, 0 < r <= 250 (Gaussian sigma = 1 + r/2, see docs/OPTIONS.md).
    pub blur: Option<f32>,
    /// Sharpen strength, 0 < s <= 10 (unsharp mask, see docs/OPTIONS.md).
    pub sharpen: Option<f32>,
    pub brightness: Option<f32>,
    pub contrast: Option<f32>,
    pub gamma: Option<f32>,
    pub saturation: Option<f32>,
}

impl Effects {
    pub fn is_empty(&self) -> bool {
        *self == Effects::default()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnError {
    Redirect,
}

/// Every option the engine implements. `None` means "not given" (the default applies).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Options {
    pub width: Option<u32>,
    /// `width=auto`: the width the client's hints ask for (`crate::resolve::Device`); applied
    /// by `resolve`, never by the plan (resolved options never have it).
    pub width_auto: bool,
    pub height: Option<u32>,
    pub dpr: Option<f32>,
    pub fit: Fit,
    pub gravity: Gravity,
    pub quality: Option<Quality>,
    pub format: Option<FormatOption>,
    pub background: Option<Rgba>,
    pub metadata: Metadata,
    /// `anim=false` asks for a still image (the first frame); by default an animated input
    /// stays animated when the output format can animate (`plan::Frames`).
    pub anim: Option<bool>,
    /// Clockwise degrees: 90, 180 or 270.
    pub rotate: Option<u16>,
    pub flip: Option<Flip>,
    pub trim: Option<Trim>,
    pub border: Option<Border>,
    pub effects: Effects,
    pub onerror: Option<OnError>,
    /// `slow-connection-quality` (`scq`): the quality for clients on a slow connection, as
    /// their client hints say (`crate::resolve::Network`); applied by `resolve`, never by the
    /// plan.
    pub slow_connection_quality: Option<Quality>,
    /// `compression=fast`: the quickest format to encode (JPEG, or PNG for transparency,
    /// baseline) over the smallest; applied by `resolve` and the plan.
    pub compression_fast: bool,
    /// `draw`: overlays composited over the output in order (the last on top). JSON form
    /// only; the overlays' bytes are handed to the engine by the caller (`crate::draw`).
    pub draw: Vec<Draw>,
}

impl Options {
    /// Parse the URL form: `width=640,height=480,fit=cover` (Cloudflare's short aliases too).
    pub fn parse(s: &str) -> crate::Result<Options> {
        parse::from_url_form(s)
    }

    /// Parse the object form that JavaScript passes (`{ width: 640, format: "webp" }`).
    pub fn from_json(value: &serde_json::Value) -> crate::Result<Options> {
        parse::from_json(value)
    }

    pub fn effective_quality(&self) -> u8 {
        self.quality.map(Quality::value).unwrap_or(DEFAULT_QUALITY)
    }

    /// The target and policy of `quality=auto`, if that is what was asked for.
    pub fn auto_quality(&self) -> Option<quality::Auto> {
        match self.quality {
            Some(Quality::Auto(a)) => Some(a),
            _ => None,
        }
    }

    /// Width and height after `dpr`, as the plan uses them.
    pub fn target_box(&self) -> (Option<u32>, Option<u32>) {
        let dpr = self.dpr.unwrap_or(1.0);
        let scale = |v: u32| ((v as f64) * dpr as f64).round().max(1.0) as u32;
        (self.width.map(scale), self.height.map(scale))
    }

    /// A length in CSS pixels (trim, border) in output pixels: times `dpr`, rounded.
    pub fn scaled_by_dpr(&self, v: u32) -> u32 {
        ((v as f64) * self.dpr.unwrap_or(1.0) as f64).round() as u32
    }

    /// The canonical form: fixed order, full names, normalised values, defaults left out.
    /// Two option strings that mean the same transform give the same canonical string, so it
    /// is the options part of every cache key. `parse(canonical(x)) == x` holds for options
    /// without `draw`, which has no URL form (its canonical text still tells lists apart).
    /// The order and each option's text are the option table's (`table.rs`).
    pub fn canonical(&self) -> String {
        row::canonical(self)
    }
}

/// Shortest decimal that parses back to the same f32 (Rust's Display guarantees round-trip).
pub(crate) fn fmt_float(v: f32) -> String {
    format!("{v}")
}
