//! Parsing both option forms through one key/value setter, so the URL and the JSON object
//! accept exactly the same values and report errors the same way.

use super::*;
use crate::error::{Error, ErrorCode, Result};

/// Options Cloudflare Images defines that this engine does not implement yet. They are refused
/// with a clear error rather than ignored, so nobody is served something they did not ask for.
const NOT_IMPLEMENTED: &[&str] = &[
    "blur",
    "border",
    "brightness",
    "compression",
    "contrast",
    "draw",
    "gamma",
    "saturation",
    "segment",
    "sharpen",
    "slow-connection-quality",
    "zoom",
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
    Ok(opts)
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
        let text = match (key.as_str(), v) {
            (_, serde_json::Value::Null) => continue,
            (_, serde_json::Value::String(s)) => s.clone(),
            // JavaScript has only doubles: 640 may arrive as 640.0, which means 640
            (_, serde_json::Value::Number(n)) => match n.as_f64() {
                Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 1e15 => {
                    (f as i64).to_string()
                }
                _ => n.to_string(),
            },
            (_, serde_json::Value::Bool(b)) => b.to_string(),
            ("trim", serde_json::Value::Object(t)) => {
                let side = |k: &str| {
                    t.get(k)
                        .map(|v| v.to_string())
                        .unwrap_or_else(|| "0".into())
                };
                format!(
                    "{};{};{};{}",
                    side("top"),
                    side("right"),
                    side("bottom"),
                    side("left")
                )
            }
            ("gravity", serde_json::Value::Object(g)) => {
                let axis = |k: &str| g.get(k).map(|v| v.to_string()).unwrap_or_default();
                format!("{}x{}", axis("x"), axis("y"))
            }
            (k, other) => {
                return Err(Error::bad_option(
                    k,
                    &other.to_string(),
                    "a string, number or boolean",
                ))
            }
        };
        set(&mut opts, &mut seen, key, &text)?;
    }
    Ok(opts)
}

fn canonical_key(key: &str) -> Option<&'static str> {
    Some(match key {
        "width" | "w" => "width",
        "height" | "h" => "height",
        "dpr" => "dpr",
        "fit" => "fit",
        "gravity" | "g" => "gravity",
        "quality" | "q" => "quality",
        "format" | "f" => "format",
        "background" => "background",
        "metadata" => "metadata",
        "anim" => "anim",
        "rotate" => "rotate",
        "flip" => "flip",
        "trim" => "trim",
        "onerror" => "onerror",
        _ => return None,
    })
}

fn set(opts: &mut Options, seen: &mut Vec<&'static str>, key: &str, value: &str) -> Result<()> {
    let Some(name) = canonical_key(key) else {
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
    if seen.contains(&name) {
        return Err(Error::new(
            ErrorCode::BadOption,
            format!("option '{name}' is given more than once"),
        ));
    }
    seen.push(name);
    match name {
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
                "pad" => Fit::Pad,
                "squeeze" => Fit::Squeeze,
                _ => {
                    return Err(Error::bad_option(
                        name,
                        value,
                        "one of scale-down, contain, cover, crop, pad, squeeze",
                    ))
                }
            }
        }
        "gravity" => opts.gravity = parse_gravity(value)?,
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
        "background" => {
            opts.background = Some(Rgba::parse_css(value).ok_or_else(|| {
                Error::bad_option(
                    name,
                    value,
                    "a CSS colour such as #fff, #ffffff80, rgb(255,255,255) or white",
                )
            })?)
        }
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
        "trim" => {
            let sides: Vec<Option<u32>> = value.split(';').map(|s| s.trim().parse().ok()).collect();
            let t = match sides.as_slice() {
                [Some(top), Some(right), Some(bottom), Some(left)] => Trim {
                    top: *top,
                    right: *right,
                    bottom: *bottom,
                    left: *left,
                },
                _ => {
                    return Err(Error::bad_option(
                        name,
                        value,
                        "four pixel counts top;right;bottom;left",
                    ))
                }
            };
            opts.trim = (t != Trim::default()).then_some(t);
        }
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

fn parse_dimension(name: &str, value: &str) -> Result<u32> {
    if value == "auto" {
        return Err(Error::new(
            ErrorCode::UnsupportedOption,
            format!("{name}=auto (client hints) is not implemented yet; give a number of pixels"),
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
        "left" => Gravity::Left,
        "right" => Gravity::Right,
        "top" => Gravity::Top,
        "bottom" => Gravity::Bottom,
        "auto" => Gravity::Auto,
        "face" => {
            return Err(Error::new(
                ErrorCode::UnsupportedOption,
                "gravity=face needs a face detector, and none ships with its model through a package registry under a licence edgepix can use; gravity=auto moves the crop to the most salient region",
            ))
        }
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
