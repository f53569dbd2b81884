//! The option language as one table. A row is one option: its URL name (also its name in the
//! canonical form and, split at the dots, its path in the Workers `cf.image` object), its
//! aliases, its shape in that object, how its text is read and how it is written into the
//! canonical form (the options part of every cache key); an option that takes words has its
//! list here too. The URL form, the JSON form (`parse.rs`) and `Options::canonical` only walk
//! the rows, so an option, or a word one accepts, is an entry here plus its field and its
//! semantics.
//!
//! The rows are in canonical order: the canonical form is every row's writer in turn.

use super::choices::{Choices, Style};
use super::parse::{
    border, color, dimension, dpr, factor, gravity, number, pixels, quality, quality_level, trim,
    trim_border, trim_edges,
};
use super::row::{row, Json, Row, NOTHING};
use super::*;
use crate::error::{Error, ErrorCode, Result};

static FIT: Choices<Fit> = Choices {
    listed: &[
        ("scale-down", Fit::ScaleDown),
        ("scale-up", Fit::ScaleUp),
        ("contain", Fit::Contain),
        ("cover", Fit::Cover),
        ("crop", Fit::Crop),
        ("aspect-crop", Fit::AspectCrop),
        ("pad", Fit::Pad),
        ("squeeze", Fit::Squeeze),
    ],
    hidden: &[],
    style: Style::OneOf,
};

/// The named gravities; the others are focal points (`parse::gravity`).
pub(super) static GRAVITY: Choices<Gravity> = Choices {
    listed: &[
        ("left", Gravity::Left),
        ("right", Gravity::Right),
        ("top", Gravity::Top),
        ("bottom", Gravity::Bottom),
        ("center", Gravity::Center),
        ("auto", Gravity::Auto),
    ],
    hidden: &[("centre", Gravity::Center)],
    style: Style::OrElse("XxY with X and Y from 0 to 1 (e.g. 0.5x0.3)"),
};

static FORMAT: Choices<FormatOption> = Choices {
    listed: &[
        ("auto", FormatOption::Auto),
        ("jpeg", FormatOption::Jpeg),
        ("baseline-jpeg", FormatOption::BaselineJpeg),
        ("png", FormatOption::Png),
        ("webp", FormatOption::Webp),
        ("avif", FormatOption::Avif),
        ("json", FormatOption::Json),
    ],
    hidden: &[("jpg", FormatOption::Jpeg)],
    style: Style::OneOf,
};

static COMPRESSION: Choices<bool> = Choices {
    listed: &[("fast", true)],
    hidden: &[],
    style: Style::Or,
};

static METADATA: Choices<Metadata> = Choices {
    listed: &[
        ("keep", Metadata::Keep),
        ("copyright", Metadata::Copyright),
        ("none", Metadata::None),
    ],
    hidden: &[],
    style: Style::OneOf,
};

static ANIM: Choices<bool> = Choices {
    listed: &[("true", true), ("false", false)],
    hidden: &[("1", true), ("0", false)],
    style: Style::Or,
};

/// Clockwise degrees; 0 is no rotation and is not stored.
static ROTATE: Choices<u16> = Choices {
    listed: &[("0", 0), ("90", 90), ("180", 180), ("270", 270)],
    hidden: &[],
    style: Style::Or,
};

static FLIP: Choices<Flip> = Choices {
    listed: &[("h", Flip::H), ("v", Flip::V), ("hv", Flip::Hv)],
    hidden: &[("vh", Flip::Hv)],
    style: Style::Or,
};

/// `true` is `generate`, which is refused.
static UPSCALE: Choices<bool> = Choices {
    listed: &[("interpolate", false), ("generate", true)],
    hidden: &[],
    style: Style::Or,
};

static ONERROR: Choices<OnError> = Choices {
    listed: &[("redirect", OnError::Redirect)],
    hidden: &[],
    style: Style::Or,
};

const FACE: &str =
    "only applies with gravity=face, which needs a face detector edgepix does not have";

pub static ROWS: &[Row] = &[
    row(
        "width",
        |s, v| {
            match v {
                "auto" => s.opts.width_auto = true,
                _ => s.opts.width = Some(dimension(s.name, v)?),
            }
            Ok(())
        },
        |o, w| match (o.width, o.width_auto) {
            (Some(v), _) => w.put(v),
            (None, auto) => w.opt(auto.then_some("auto")),
        },
    )
    .aliases(&["w"]),
    row(
        "height",
        |s, v| {
            s.opts.height = Some(dimension(s.name, v)?);
            Ok(())
        },
        |o, w| w.opt(o.height),
    )
    .aliases(&["h"]),
    row(
        "dpr",
        |s, v| {
            s.opts.dpr = Some(dpr(s.name, v)?).filter(|v| *v != 1.0);
            Ok(())
        },
        |o, w| w.float(o.dpr),
    ),
    row(
        "fit",
        |s, v| {
            s.opts.fit = FIT.parse(s.name, v)?;
            Ok(())
        },
        |o, w| w.word(&FIT, Some(o.fit).filter(|f| *f != Fit::default())),
    )
    .choices(&FIT),
    row(
        "gravity",
        |s, v| {
            s.opts.gravity = gravity(s.name, v)?;
            Ok(())
        },
        |o, w| match o.gravity {
            g if g == Gravity::default() => {}
            Gravity::Point(x, y) => w.put(format_args!("{}x{}", fmt_float(x), fmt_float(y))),
            g => w.word(&GRAVITY, Some(g)),
        },
    )
    .aliases(&["g"])
    .json(Json::Point)
    .choices(&GRAVITY),
    row(
        "quality",
        |s, v| {
            s.opts.quality = Some(quality(s.name, v)?);
            Ok(())
        },
        |o, w| w.opt(o.quality.map(quality_text)),
    )
    .aliases(&["q"]),
    row(
        "slow-connection-quality",
        |s, v| {
            s.opts.slow_connection_quality = Some(Quality::Value(quality_level(s.name, v)?));
            Ok(())
        },
        |o, w| w.opt(o.slow_connection_quality.map(quality_text)),
    )
    .aliases(&["scq"]),
    row(
        "format",
        |s, v| {
            s.opts.format = Some(FORMAT.parse(s.name, v)?);
            Ok(())
        },
        |o, w| w.word(&FORMAT, o.format),
    )
    .aliases(&["f"])
    .choices(&FORMAT),
    row(
        "compression",
        |s, v| {
            s.opts.compression_fast = COMPRESSION.parse(s.name, v)?;
            Ok(())
        },
        |o, w| w.word(&COMPRESSION, o.compression_fast.then_some(true)),
    )
    .choices(&COMPRESSION),
    row(
        "background",
        |s, v| {
            s.opts.background = Some(color(s.name, v)?);
            Ok(())
        },
        |o, w| w.opt(o.background.map(|c| c.to_hex())),
    ),
    row(
        "metadata",
        |s, v| {
            s.opts.metadata = METADATA.parse(s.name, v)?;
            Ok(())
        },
        |o, w| w.word(&METADATA, Some(o.metadata).filter(|m| *m != Metadata::default())),
    )
    .choices(&METADATA),
    row(
        "anim",
        |s, v| {
            s.opts.anim = Some(ANIM.parse(s.name, v)?);
            Ok(())
        },
        |o, w| w.word(&ANIM, o.anim),
    )
    .choices(&ANIM),
    row(
        "rotate",
        |s, v| {
            s.opts.rotate = Some(ROTATE.parse(s.name, v)?).filter(|r| *r != 0);
            Ok(())
        },
        |o, w| w.word(&ROTATE, o.rotate),
    )
    .choices(&ROTATE),
    row(
        "flip",
        |s, v| {
            s.opts.flip = Some(FLIP.parse(s.name, v)?);
            Ok(())
        },
        |o, w| w.word(&FLIP, o.flip),
    )
    .choices(&FLIP),
    // `trim=border` or `trim=top;right;bottom;left`: it marks the fields it sets
    row(
        "trim",
        |s, v| match v {
            "border" => {
                s.mark("trim.border")?;
                trim_border(s.opts);
                Ok(())
            }
            _ => trim_edges(s, v),
        },
        |o, w| {
            if let Some(t) = o.trim.filter(Trim::has_edges) {
                w.put(format_args!("{};{};{};{}", t.top, t.right, t.bottom, t.left));
            }
        },
    )
    .json(Json::Fields)
    .marks_own(),
    row(
        "trim.top",
        |s, v| {
            trim(s.opts).top = pixels(s.name, v, 0)?;
            Ok(())
        },
        NOTHING,
    ),
    row(
        "trim.right",
        |s, v| {
            trim(s.opts).right = pixels(s.name, v, 0)?;
            Ok(())
        },
        NOTHING,
    ),
    row(
        "trim.bottom",
        |s, v| {
            trim(s.opts).bottom = pixels(s.name, v, 0)?;
            Ok(())
        },
        NOTHING,
    ),
    row(
        "trim.left",
        |s, v| {
            trim(s.opts).left = pixels(s.name, v, 0)?;
            Ok(())
        },
        NOTHING,
    ),
    row(
        "trim.width",
        |s, v| {
            trim(s.opts).width = Some(pixels(s.name, v, 1)?);
            Ok(())
        },
        |o, w| w.opt(o.trim.and_then(|t| t.width)),
    ),
    row(
        "trim.height",
        |s, v| {
            trim(s.opts).height = Some(pixels(s.name, v, 1)?);
            Ok(())
        },
        |o, w| w.opt(o.trim.and_then(|t| t.height)),
    ),
    // The Workers form's `trim: {border: true}`; written as `trim=border`
    row(
        "trim.border",
        |s, v| {
            let on = match v {
                "true" => true,
                "false" => false,
                _ => return Err(Error::bad_option(s.name, v, "true, false or an object")),
            };
            let t = trim(s.opts);
            t.border = on.then(|| t.border.unwrap_or_default());
            Ok(())
        },
        |o, w| {
            if found_border(o).is_some() {
                w.push("trim", "border");
            }
        },
    )
    .json(Json::Switch),
    row(
        "trim.border.color",
        |s, v| {
            trim_border(s.opts).color = Some(color(s.name, v)?);
            Ok(())
        },
        |o, w| w.opt(found_border(o).and_then(|b| b.color).map(|c| c.to_hex())),
    ),
    row(
        "trim.border.tolerance",
        |s, v| {
            trim_border(s.opts).tolerance = v.parse::<u8>().map_err(|_| {
                let allowed = "a whole number from 0 (any colour) to 255 (exactly the colour)";
                Error::bad_option(s.name, v, allowed)
            })?;
            Ok(())
        },
        |o, w| {
            let t = found_border(o).map(|b| b.tolerance);
            w.opt(t.filter(|t| *t != DEFAULT_TRIM_TOLERANCE))
        },
    ),
    row(
        "trim.border.keep",
        |s, v| {
            trim_border(s.opts).keep = pixels(s.name, v, 0)?;
            Ok(())
        },
        |o, w| w.opt(found_border(o).map(|b| b.keep).filter(|k| *k != 0)),
    ),
    // The Workers object; the URL form names its fields
    row(
        "border",
        |s, v| {
            let allowed = "the border's fields as border.color=red,border.width=10 (or border.top, border.right, border.bottom, border.left)";
            Err(Error::bad_option(s.name, v, allowed))
        },
        NOTHING,
    )
    .json(Json::Fields),
    row(
        "border.color",
        |s, v| {
            border(s.opts).color = color(s.name, v)?;
            Ok(())
        },
        |o, w| w.opt(o.border.map(|b| b.color.to_hex())),
    ),
    // All four sides, which it marks; written when they are equal
    row(
        "border.width",
        |s, v| {
            let v = pixels(s.name, v, 0)?;
            for field in ["border.top", "border.right", "border.bottom", "border.left"] {
                s.mark(field)?;
            }
            let b = border(s.opts);
            (b.top, b.right, b.bottom, b.left) = (v, v, v, v);
            Ok(())
        },
        |o, w| w.opt(o.border.filter(|b| uneven(*b).is_none()).map(|b| b.top)),
    )
    .marks_own(),
    row(
        "border.top",
        |s, v| {
            border(s.opts).top = pixels(s.name, v, 0)?;
            Ok(())
        },
        |o, w| w.opt(o.border.and_then(uneven).map(|b| b.top).filter(|v| *v != 0)),
    ),
    row(
        "border.right",
        |s, v| {
            border(s.opts).right = pixels(s.name, v, 0)?;
            Ok(())
        },
        |o, w| w.opt(o.border.and_then(uneven).map(|b| b.right).filter(|v| *v != 0)),
    ),
    row(
        "border.bottom",
        |s, v| {
            border(s.opts).bottom = pixels(s.name, v, 0)?;
            Ok(())
        },
        |o, w| w.opt(o.border.and_then(uneven).map(|b| b.bottom).filter(|v| *v != 0)),
    ),
    row(
        "border.left",
        |s, v| {
            border(s.opts).left = pixels(s.name, v, 0)?;
            Ok(())
        },
        |o, w| w.opt(o.border.and_then(uneven).map(|b| b.left).filter(|v| *v != 0)),
    ),
    // The adjustments leave out the value that changes nothing, so it has no key of its own
    row(
        "blur",
        |s, v| {
            s.opts.effects.blur = Some(number(s.name, v, 0.0, 250.0)?).filter(|v| *v != 0.0);
            Ok(())
        },
        |o, w| w.float(o.effects.blur),
    ),
    row(
        "sharpen",
        |s, v| {
            s.opts.effects.sharpen = Some(number(s.name, v, 0.0, 10.0)?).filter(|v| *v != 0.0);
            Ok(())
        },
        |o, w| w.float(o.effects.sharpen),
    ),
    row(
        "brightness",
        |s, v| {
            s.opts.effects.brightness = factor(s.name, v)?;
            Ok(())
        },
        |o, w| w.float(o.effects.brightness),
    ),
    row(
        "contrast",
        |s, v| {
            s.opts.effects.contrast = factor(s.name, v)?;
            Ok(())
        },
        |o, w| w.float(o.effects.contrast),
    ),
    row(
        "gamma",
        |s, v| {
            s.opts.effects.gamma = factor(s.name, v)?;
            Ok(())
        },
        |o, w| w.float(o.effects.gamma),
    ),
    // 0 is grey, so only 1 changes nothing
    row(
        "saturation",
        |s, v| {
            s.opts.effects.saturation = Some(number(s.name, v, 0.0, 10.0)?).filter(|v| *v != 1.0);
            Ok(())
        },
        |o, w| w.float(o.effects.saturation),
    ),
    // `interpolate` is what every enlargement does (Lanczos3 here, bicubic at Cloudflare)
    row(
        "upscale",
        |s, v| match UPSCALE.parse(s.name, v)? {
            false => Ok(()),
            true => Err(Error::new(
                ErrorCode::UnsupportedOption,
                "upscale=generate needs an upscaling model (Cloudflare runs ESRGAN on GPUs); edgepix runs no models: use upscale=interpolate or leave it out",
            )),
        },
        NOTHING,
    )
    .choices(&UPSCALE),
    row(
        "onerror",
        |s, v| {
            s.opts.onerror = Some(ONERROR.parse(s.name, v)?);
            Ok(())
        },
        |o, w| w.word(&ONERROR, o.onerror),
    )
    .choices(&ONERROR),
    // Workers only, as on Cloudflare (`draw.rs`)
    row(
        "draw",
        |_, _| Err(draw::url_form_refusal()),
        |o, w| w.opt((!o.draw.is_empty()).then(|| draw::canonical(&o.draw))),
    )
    .json(Json::Whole(|o, v| {
        o.draw = draw::parse_list(v)?;
        Ok(())
    })),
    // Cloudflare's options that edgepix refuses for good: each needs a model Cloudflare hosts
    // and no registry ships (docs/OPTIONS.md)
    row(
        "segment",
        |s, _| {
            refused(s.name, "needs a segmentation model (Cloudflare runs BiRefNet on Workers AI); edgepix runs no models")
        },
        NOTHING,
    ),
    row("zoom", |s, _| refused(s.name, FACE), NOTHING),
    row("face-zoom", |s, _| refused(s.name, FACE), NOTHING),
];

fn refused(name: &str, why: &str) -> Result<()> {
    Err(Error::new(
        ErrorCode::UnsupportedOption,
        format!(
            "option '{name}' is part of Cloudflare Images but edgepix does not offer it: it {why}"
        ),
    ))
}

/// The `trim=border` given, if any.
fn found_border(o: &Options) -> Option<TrimBorder> {
    o.trim.and_then(|t| t.border)
}

/// A border whose sides differ, which is written side by side rather than as `border.width`.
fn uneven(b: Border) -> Option<Border> {
    (b.top != b.right || b.right != b.bottom || b.bottom != b.left).then_some(b)
}

fn quality_text(q: Quality) -> String {
    match q {
        Quality::Auto(a) => a.canonical(),
        _ => q.value().to_string(),
    }
}
