//! Parsing both option forms through one key/value setter, so the URL and the JSON object
//! accept exactly the same values and report errors the same way.

use super::*;
use crate::error::{Error, ErrorCode, Result};

/// Options Cloudflare Images defines that this engine does not implement yet. They are refused
/// with a clear error rather than ignored, so nobody is served something they did not ask for.
const NOT_IMPLEMENTED: &[&str] = &[];

/// Options Cloudflare Images defines that edgepix refuses for good, with the reason
/// (docs/OPTIONS.md): each needs a model Cloudflare hosts and no registry ships.
const REFUSED: &[(&str, &str)] = &[
    (
        "segment",
        "needs a segmentation model (Cloudflare runs BiRefNet on Workers AI); edgepix runs no models",
    ),
    (
        "zoom",
        "only applies with gravity=face, which needs a face detector edgepix does not have",
    ),
    (
        "face-zoom",
        "only applies with gravity=face, which needs a face detector edgepix does not have",
    ),
];

pub(super) fn from_url_form(s: &str) -> Result<Options> {
    let mut opts = Options::default();
    let mut seen: Vec<&'static str> = Vec::new();
    for part in split_top_level(s) {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let (key, raw) = part.split_once('=').ok_or_else(|| {
            Error::new(
                ErrorCode::BadOption,
                format!("option '{part}' has no value: write it as name=value"),
            )
        })?;
        let value = percent_decode(raw)
            .ok_or_else(|| Error::bad_option(key, raw, "valid percent-encoding"))?;
        set(&mut opts, &mut seen, key.trim(), value.trim())?;
    }
    Ok(finish(opts))
}

/// Split on commas outside parentheses, so `background=rgb(255,255,255)` (the form the
/// error message suggests) stays one option.
fn split_top_level(s: &str) -> Vec<&str> {
    let (mut parts, mut depth, mut start) = (Vec::new(), 0usize, 0);
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts
}

/// A JSON scalar as the text the URL form would carry.
fn scalar_text(key: &str, v: &serde_json::Value) -> Result<Option<String>> {
    Ok(Some(match v {
        serde_json::Value::Null => return Ok(None),
        serde_json::Value::String(s) => s.clone(),
        // JavaScript has only doubles: 640 may arrive as 640.0, which means 640
        serde_json::Value::Number(n) => match n.as_f64() {
            Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 1e15 => (f as i64).to_string(),
            _ => n.to_string(),
        },
        serde_json::Value::Bool(b) => b.to_string(),
        other => {
            return Err(Error::bad_option(
                key,
                &other.to_string(),
                "a string, number or boolean",
            ))
        }
    }))
}

pub(super) fn from_json(value: &serde_json::Value) -> Result<Options> {
    let obj = value.as_object().ok_or_else(|| {
        Error::new(
            ErrorCode::BadOption,
            "options must be an object such as {\"width\": 640}",
        )
    })?;
    let mut opts = Options::default();
    let mut seen = Vec::new();
    for (key, v) in obj {
        match (key.as_str(), v) {
            ("draw", list) => {
                mark(&mut seen, "draw")?;
                opts.draw = super::draw::parse_list(list)?;
            }
            ("gravity", serde_json::Value::Object(g)) => {
                let axis = |k: &str| g.get(k).map(|v| v.to_string()).unwrap_or_default();
                let text = format!("{}x{}", axis("x"), axis("y"));
                set(&mut opts, &mut seen, key, &text)?;
            }
            // Cloudflare's object forms, `trim: {top, width, border: {color}}` and
            // `border: {color, width}`, are the URL form's dotted names.
            ("trim" | "border", serde_json::Value::Object(fields)) => {
                for (field, v) in fields {
                    let name = format!("{key}.{field}");
                    match v {
                        serde_json::Value::Object(inner) if name == "trim.border" => {
                            set(&mut opts, &mut seen, "trim", "border")?;
                            for (k, v) in inner {
                                let name = format!("{name}.{k}");
                                if let Some(text) = scalar_text(&name, v)? {
                                    set(&mut opts, &mut seen, &name, &text)?;
                                }
                            }
                        }
                        _ => {
                            if let Some(text) = scalar_text(&name, v)? {
                                set(&mut opts, &mut seen, &name, &text)?;
                            }
                        }
                    }
                }
            }
            _ => {
                if let Some(text) = scalar_text(key, v)? {
                    set(&mut opts, &mut seen, key, &text)?;
                }
            }
        }
    }
    Ok(finish(opts))
}

/// After every key is set: values that change nothing are dropped, so each transform has one
/// canonical form (a `trim` or `border` that removes or adds no pixel is not given).
fn finish(mut opts: Options) -> Options {
    if opts.trim == Some(Trim::default()) {
        opts.trim = None;
    }
    if let Some(b) = opts.border {
        if b.top == 0 && b.right == 0 && b.bottom == 0 && b.left == 0 {
            opts.border = None;
        }
    }
    opts
}

fn canonical_key(key: &str) -> Option<&'static str> {
    Some(match key {
        "width" | "w" => "width",
        "height" | "h" => "height",
        "dpr" => "dpr",
        "fit" => "fit",
        "gravity" | "g" => "gravity",
        "quality" | "q" => "quality",
        "slow-connection-quality" | "scq" => "slow-connection-quality",
        "compression" => "compression",
        "format" | "f" => "format",
        "background" => "background",
        "metadata" => "metadata",
        "anim" => "anim",
        "rotate" => "rotate",
        "flip" => "flip",
        "trim" => "trim",
        "trim.top" => "trim.top",
        "trim.right" => "trim.right",
        "trim.bottom" => "trim.bottom",
        "trim.left" => "trim.left",
        "trim.width" => "trim.width",
        "trim.height" => "trim.height",
        "trim.border" => "trim.border",
        "trim.border.color" => "trim.border.color",
        "trim.border.tolerance" => "trim.border.tolerance",
        "trim.border.keep" => "trim.border.keep",
        "border" => "border",
        "border.color" => "border.color",
        "border.width" => "border.width",
        "border.top" => "border.top",
        "border.right" => "border.right",
        "border.bottom" => "border.bottom",
        "border.left" => "border.left",
        "blur" => "blur",
        "sharpen" => "sharpen",
        "brightness" => "brightness",
        "contrast" => "contrast",
        "gamma" => "gamma",
        "saturation" => "saturation",
        "upscale" => "upscale",
        "onerror" => "onerror",
        _ => return None,
    })
}

/// Records that `field` was set; a second setting of one field is an error whichever
/// spellings set it (`trim=1;2;3;4` sets `trim.left`, so does `trim.left=5`).
fn mark(seen: &mut Vec<&'static str>, field: &'static str) -> Result<()> {
    if seen.contains(&field) {
        return Err(Error::new(
            ErrorCode::BadOption,
            format!("option '{field}' is given more than once"),
        ));
    }
    seen.push(field);
    Ok(())
}

/// A quality as a number 1-100 or one of Cloudflare's named levels, as the fixed setting the
/// level stands for where no perceptual policy runs (`quality::Auto::fixed_fallback`).
fn quality_level(name: &str, value: &str) -> Result<u8> {
    if let Some(a) = crate::quality::Auto::level(value) {
        return Ok(a.fixed_fallback());
    }
    value
        .parse::<u8>()
        .ok()
        .filter(|v| (1..=100).contains(v))
        .ok_or_else(|| {
            Error::bad_option(
                name,
                value,
                "an integer from 1 to 100, or high, medium-high, medium-low, low",
            )
        })
}

/// A factor or strength: a finite number from `min` to `max`. `-0` is returned as `0`, so it
/// has the key `0` has.
fn parse_number(name: &str, value: &str, min: f32, max: f32) -> Result<f32> {
    value
        .parse::<f32>()
        .ok()
        .filter(|v| v.is_finite() && (min..=max).contains(v))
        .map(|v| v + 0.0)
        .ok_or_else(|| Error::bad_option(name, value, &format!("a number from {min} to {max}")))
}

/// Whole pixels from `min` to 100000 (a side of a trim or a border).
fn parse_pixels(name: &str, value: &str, min: u32) -> Result<u32> {
    value
        .parse::<u32>()
        .ok()
        .filter(|v| (min..=100_000).contains(v))
        .ok_or_else(|| {
            Error::bad_option(
                name,
                value,
                &format!("a whole number of pixels from {min} to 100000"),
            )
        })
}

fn parse_color(name: &str, value: &str) -> Result<Rgba> {
    Rgba::parse_css(value).ok_or_else(|| {
        Error::bad_option(
            name,
            value,
            "a CSS colour such as #fff, #ffffff80, rgb(255 255 255 / 50%), hsl(0 100% 50%), hwb(0 0% 0%), white or transparent",
        )
    })
}

fn set(opts: &mut Options, seen: &mut Vec<&'static str>, key: &str, value: &str) -> Result<()> {
    let Some(name) = canonical_key(key) else {
        if let Some((_, why)) = REFUSED.iter().find(|(k, _)| *k == key) {
            return Err(Error::new(
                ErrorCode::UnsupportedOption,
                format!("option '{key}' is part of Cloudflare Images but edgepix does not offer it: it {why}"),
            ));
        }
        if key == "draw" {
            return Err(super::draw::url_form_refusal());
        }
        if NOT_IMPLEMENTED.contains(&key) {
            return Err(Error::new(
                ErrorCode::UnsupportedOption,
                format!("option '{key}' is part of Cloudflare Images but edgepix does not implement it yet"),
            ));
        }
        return Err(Error::new(
            ErrorCode::UnknownOption,
            format!("unknown option '{key}'"),
        ));
    };
    // Names whose value sets several fields mark those fields themselves.
    if !matches!(name, "trim" | "border.width") {
        mark(seen, name)?;
    }
    match name {
        "width" if value == "auto" => opts.width_auto = true,
        "width" => opts.width = Some(parse_dimension(name, value)?),
        "height" => opts.height = Some(parse_dimension(name, value)?),
        "dpr" => {
            let v: f32 = value
                .parse()
                .ok()
                .filter(|v: &f32| v.is_finite() && *v > 0.0 && *v <= 10.0)
                .ok_or_else(|| {
                    Error::bad_option(name, value, "a number greater than 0 and at most 10")
                })?;
            opts.dpr = (v != 1.0).then_some(v);
        }
        "fit" => {
            opts.fit = match value {
                "scale-down" => Fit::ScaleDown,
                "contain" => Fit::Contain,
                "cover" => Fit::Cover,
                "crop" => Fit::Crop,
                "aspect-crop" => Fit::AspectCrop,
                "pad" => Fit::Pad,
                "squeeze" => Fit::Squeeze,
                _ => {
                    return Err(Error::bad_option(
                        name,
                        value,
                        "one of scale-down, contain, cover, crop, aspect-crop, pad, squeeze",
                    ))
                }
            }
        }
        "gravity" => opts.gravity = parse_gravity(value)?,
        "slow-connection-quality" => {
            opts.slow_connection_quality = Some(Quality::Value(quality_level(name, value)?));
        }
        "compression" => {
            if value != "fast" {
                return Err(Error::bad_option(name, value, "fast"));
            }
            opts.compression_fast = true;
        }
        "quality" => {
            let q = match value {
                level @ ("high" | "medium-high" | "medium-low" | "low") => {
                    Quality::Auto(crate::quality::Auto::level(level).ok_or_else(|| {
                        Error::internal("quality: a level without a target")
                    })?)
                }
                auto if auto.starts_with("auto") => {
                    Quality::Auto(crate::quality::Auto::parse(&auto[4..])?)
                }
                _ => Quality::Value(
                    value
                        .parse::<u8>()
                        .ok()
                        .filter(|v| (1..=100).contains(v))
                        .ok_or_else(|| {
                            Error::bad_option(name, value, "an integer from 1 to 100, high, medium-high, medium-low, low, or auto[:TARGET][:POLICY]")
                        })?,
                ),
            };
            opts.quality = Some(q);
        }
        "format" => {
            opts.format = Some(match value {
                "auto" => FormatOption::Auto,
                "jpeg" | "jpg" => FormatOption::Jpeg,
                "baseline-jpeg" => FormatOption::BaselineJpeg,
                "png" => FormatOption::Png,
                "webp" => FormatOption::Webp,
                "avif" => FormatOption::Avif,
                "json" => FormatOption::Json,
                _ => {
                    return Err(Error::bad_option(
                        name,
                        value,
                        "one of auto, jpeg, baseline-jpeg, png, webp, avif, json",
                    ))
                }
            })
        }
        "background" => opts.background = Some(parse_color(name, value)?),
        "metadata" => {
            opts.metadata = match value {
                "keep" => Metadata::Keep,
                "copyright" => Metadata::Copyright,
                "none" => Metadata::None,
                _ => {
                    return Err(Error::bad_option(
                        name,
                        value,
                        "one of keep, copyright, none",
                    ))
                }
            }
        }
        "anim" => {
            opts.anim = Some(match value {
                "true" | "1" => true,
                "false" | "0" => false,
                _ => return Err(Error::bad_option(name, value, "true or false")),
            })
        }
        "rotate" => {
            let r: u16 = match value {
                "0" => 0,
                "90" => 90,
                "180" => 180,
                "270" => 270,
                _ => return Err(Error::bad_option(name, value, "0, 90, 180 or 270")),
            };
            opts.rotate = (r != 0).then_some(r);
        }
        "flip" => {
            opts.flip = Some(match value {
                "h" => Flip::H,
                "v" => Flip::V,
                "hv" | "vh" => Flip::Hv,
                _ => return Err(Error::bad_option(name, value, "h, v or hv")),
            })
        }
        "trim" if value == "border" => {
            mark(seen, "trim.border")?;
            let t = opts.trim.get_or_insert_with(Trim::default);
            t.border.get_or_insert_with(TrimBorder::default);
        }
        "trim" => {
            let sides: Vec<Option<u32>> = value
                .split(';')
                .map(|s| s.trim().parse().ok().filter(|v| *v <= 100_000))
                .collect();
            let [Some(top), Some(right), Some(bottom), Some(left)] = sides.as_slice() else {
                return Err(Error::bad_option(
                    name,
                    value,
                    "border, or four pixel counts top;right;bottom;left, each at most 100000",
                ));
            };
            for field in ["trim.top", "trim.right", "trim.bottom", "trim.left"] {
                mark(seen, field)?;
            }
            let t = opts.trim.get_or_insert_with(Trim::default);
            (t.top, t.right, t.bottom, t.left) = (*top, *right, *bottom, *left);
        }
        "trim.top" | "trim.right" | "trim.bottom" | "trim.left" => {
            let v = parse_pixels(name, value, 0)?;
            let t = opts.trim.get_or_insert_with(Trim::default);
            match name {
                "trim.top" => t.top = v,
                "trim.right" => t.right = v,
                "trim.bottom" => t.bottom = v,
                _ => t.left = v,
            }
        }
        "trim.width" | "trim.height" => {
            let v = parse_pixels(name, value, 1)?;
            let t = opts.trim.get_or_insert_with(Trim::default);
            if name == "trim.width" {
                t.width = Some(v);
            } else {
                t.height = Some(v);
            }
        }
        // The Workers form's `trim: {border: true}`
        "trim.border" => {
            let on = match value {
                "true" => true,
                "false" => false,
                _ => return Err(Error::bad_option(name, value, "true, false or an object")),
            };
            let t = opts.trim.get_or_insert_with(Trim::default);
            t.border = on.then(|| t.border.unwrap_or_default());
        }
        "trim.border.color" | "trim.border.tolerance" | "trim.border.keep" => {
            let t = opts.trim.get_or_insert_with(Trim::default);
            let b = t.border.get_or_insert_with(TrimBorder::default);
            match name {
                "trim.border.color" => b.color = Some(parse_color(name, value)?),
                "trim.border.tolerance" => {
                    b.tolerance = value.parse::<u8>().map_err(|_| {
                        Error::bad_option(
                            name,
                            value,
                            "a whole number from 0 (any colour) to 255 (exactly the colour)",
                        )
                    })?
                }
                _ => b.keep = parse_pixels(name, value, 0)?,
            }
        }
        "border" => {
            return Err(Error::bad_option(
                name,
                value,
                "the border's fields as border.color=red,border.width=10 (or border.top, border.right, border.bottom, border.left)",
            ))
        }
        "border.color" => {
            let c = parse_color(name, value)?;
            border(opts).color = c;
        }
        "border.width" => {
            let v = parse_pixels(name, value, 0)?;
            for field in ["border.top", "border.right", "border.bottom", "border.left"] {
                mark(seen, field)?;
            }
            let b = border(opts);
            (b.top, b.right, b.bottom, b.left) = (v, v, v, v);
        }
        "border.top" | "border.right" | "border.bottom" | "border.left" => {
            let v = parse_pixels(name, value, 0)?;
            let b = border(opts);
            match name {
                "border.top" => b.top = v,
                "border.right" => b.right = v,
                "border.bottom" => b.bottom = v,
                _ => b.left = v,
            }
        }
        "blur" => {
            let v = parse_number(name, value, 0.0, 250.0)?;
            opts.effects.blur = (v != 0.0).then_some(v);
        }
        "sharpen" => {
            let v = parse_number(name, value, 0.0, 10.0)?;
            opts.effects.sharpen = (v != 0.0).then_some(v);
        }
        // Factors: 1 changes nothing; Cloudflare ignores 0 for all but saturation, where 0 is
        // grey. Cloudflare documents no upper bound; past 10 every pixel is already at its end
        // of the range, so a larger value is refused rather than given a second key.
        "brightness" | "contrast" | "gamma" => {
            let v = parse_number(name, value, 0.0, 10.0)?;
            let v = (v != 0.0 && v != 1.0).then_some(v);
            match name {
                "brightness" => opts.effects.brightness = v,
                "contrast" => opts.effects.contrast = v,
                _ => opts.effects.gamma = v,
            }
        }
        "saturation" => {
            let v = parse_number(name, value, 0.0, 10.0)?;
            opts.effects.saturation = (v != 1.0).then_some(v);
        }
        "upscale" => match value {
            // what every enlargement does (Lanczos3 here, bicubic at Cloudflare)
            "interpolate" => {}
            "generate" => {
                return Err(Error::new(
                    ErrorCode::UnsupportedOption,
                    "upscale=generate needs an upscaling model (Cloudflare runs ESRGAN on GPUs); edgepix runs no models: use upscale=interpolate or leave it out",
                ))
            }
            _ => return Err(Error::bad_option(name, value, "interpolate or generate")),
        },
        "onerror" => {
            opts.onerror = match value {
                "redirect" => Some(OnError::Redirect),
                _ => return Err(Error::bad_option(name, value, "redirect")),
            }
        }
        _ => unreachable!("canonical_key returned an unhandled name"),
    }
    Ok(())
}

/// The border being built, black until `border.color` says otherwise.
fn border(opts: &mut Options) -> &mut Border {
    opts.border.get_or_insert(Border {
        color: Rgba::BLACK,
        top: 0,
        right: 0,
        bottom: 0,
        left: 0,
    })
}

fn parse_dimension(name: &str, value: &str) -> Result<u32> {
    if value == "auto" {
        // Cloudflare documents `auto` for the width only.
        return Err(Error::bad_option(
            name,
            value,
            "a whole number of pixels from 1 to 100000 (auto is for the width only)",
        ));
    }
    value
        .parse::<u32>()
        .ok()
        .filter(|v| (1..=100_000).contains(v))
        .ok_or_else(|| Error::bad_option(name, value, "a whole number of pixels from 1 to 100000"))
}

fn parse_gravity(value: &str) -> Result<Gravity> {
    let g = match value {
        "center" | "centre" => Gravity::Center,
        "face" => {
            return Err(Error::new(
                ErrorCode::UnsupportedOption,
                "gravity=face needs a face detector, which edgepix does not have (no detector that fits the Worker ships through a registry): use gravity=auto, a side or XxY",
            ))
        }
        "left" => Gravity::Left,
        "right" => Gravity::Right,
        "top" => Gravity::Top,
        "bottom" => Gravity::Bottom,
        "auto" => Gravity::Auto,
        _ => {
            let bad = || {
                Error::bad_option("gravity", value, "left, right, top, bottom, center, auto, or XxY with X and Y from 0 to 1 (e.g. 0.5x0.3)")
            };
            let (x, y) = value.split_once('x').ok_or_else(bad)?;
            let x: f32 = x.parse().map_err(|_| bad())?;
            let y: f32 = y.parse().map_err(|_| bad())?;
            if !(0.0..=1.0).contains(&x) || !(0.0..=1.0).contains(&y) {
                return Err(bad());
            }
            Gravity::Point(x, y)
        }
    };
    // A point that equals a named gravity is stored as the name: one key per meaning.
    Ok(match g {
        Gravity::Point(x, y) => match (x, y) {
            (0.5, 0.5) => Gravity::Center,
            (0.0, 0.5) => Gravity::Left,
            (1.0, 0.5) => Gravity::Right,
            (0.5, 0.0) => Gravity::Top,
            (0.5, 1.0) => Gravity::Bottom,
            _ => g,
        },
        other => other,
    })
}

fn percent_decode(s: &str) -> Option<String> {
    if !s.contains('%') {
        return Some(s.to_string());
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

pub(super) fn fit_name(f: Fit) -> &'static str {
    match f {
        Fit::ScaleDown => "scale-down",
        Fit::Contain => "contain",
        Fit::Cover => "cover",
        Fit::Crop => "crop",
        Fit::AspectCrop => "aspect-crop",
        Fit::Pad => "pad",
        Fit::Squeeze => "squeeze",
    }
}

pub(super) fn gravity_name(g: Gravity) -> String {
    match g {
        Gravity::Center => "center".into(),
        Gravity::Left => "left".into(),
        Gravity::Right => "right".into(),
        Gravity::Top => "top".into(),
        Gravity::Bottom => "bottom".into(),
        Gravity::Auto => "auto".into(),
        Gravity::Point(x, y) => format!("{}x{}", fmt_float(x), fmt_float(y)),
    }
}

pub(super) fn quality_name(q: Quality) -> String {
    match q {
        Quality::Auto(a) => a.canonical(),
        _ => q.value().to_string(),
    }
}

pub(super) fn format_name(f: FormatOption) -> &'static str {
    match f {
        FormatOption::Auto => "auto",
        FormatOption::Jpeg => "jpeg",
        FormatOption::BaselineJpeg => "baseline-jpeg",
        FormatOption::Png => "png",
        FormatOption::Webp => "webp",
        FormatOption::Avif => "avif",
        FormatOption::Json => "json",
    }
}

pub(super) fn metadata_name(m: Metadata) -> &'static str {
    match m {
        Metadata::Keep => "keep",
        Metadata::Copyright => "copyright",
        Metadata::None => "none",
    }
}

pub(super) fn flip_name(f: Flip) -> &'static str {
    match f {
        Flip::H => "h",
        Flip::V => "v",
        Flip::Hv => "hv",
    }
}
