//! Parsing both option forms through the table's setters (`table.rs`), so the URL and the JSON
//! object accept exactly the same values and report errors the same way; and the value
//! readers the rows share.

use super::choices::Listed as _;
use super::row::{find, Json, Setting};
use super::table::GRAVITY;
use super::*;
use crate::error::{Error, ErrorCode, Result};

/// The options being read and the fields set so far.
#[derive(Default)]
struct Parser {
    opts: Options,
    seen: Vec<&'static str>,
}

impl Parser {
    /// One `key=value`, `key` by name or alias.
    fn set(&mut self, key: &str, value: &str) -> Result<()> {
        let row = find(key).ok_or_else(|| {
            Error::new(ErrorCode::UnknownOption, format!("unknown option '{key}'"))
        })?;
        if !row.marks_own {
            mark(&mut self.seen, row.name)?;
        }
        let mut s = Setting {
            opts: &mut self.opts,
            seen: &mut self.seen,
            name: row.name,
        };
        (row.set)(&mut s, value)
    }

    /// One JSON value at `path`, `depth` objects down. Null is "not given".
    fn json(&mut self, path: &str, depth: usize, v: &serde_json::Value) -> Result<()> {
        use serde_json::Value;
        // a dotted key is the URL name of a scalar: only real nesting has the object shapes
        let row = find(path).filter(|r| r.name == path && path.split('.').count() == depth + 1);
        let fields = |p: &mut Parser, fields: &serde_json::Map<String, Value>| {
            fields
                .iter()
                .try_for_each(|(f, v)| p.json(&format!("{path}.{f}"), depth + 1, v))
        };
        match (row.map(|r| (r.name, r.json)), v) {
            (Some((name, Json::Whole(read))), _) => {
                mark(&mut self.seen, name)?;
                read(&mut self.opts, v)
            }
            (Some((_, Json::Point)), Value::Object(g)) => {
                let axis = |k: &str| g.get(k).map(|v| v.to_string()).unwrap_or_default();
                self.set(path, &format!("{}x{}", axis("x"), axis("y")))
            }
            (Some((_, Json::Fields)), Value::Object(f)) => fields(self, f),
            (Some((_, Json::Switch)), Value::Object(f)) => {
                self.set(path, "true")?;
                fields(self, f)
            }
            _ => match scalar_text(path, v)? {
                Some(text) => self.set(path, &text),
                None => Ok(()),
            },
        }
    }
}

pub(super) fn from_url_form(s: &str) -> Result<Options> {
    let mut p = Parser::default();
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
        p.set(key.trim(), value.trim())?;
    }
    Ok(finish(p.opts))
}

pub(super) fn from_json(value: &serde_json::Value) -> Result<Options> {
    let obj = value.as_object().ok_or_else(|| {
        Error::new(
            ErrorCode::BadOption,
            "options must be an object such as {\"width\": 640}",
        )
    })?;
    let mut p = Parser::default();
    for (key, v) in obj {
        p.json(key, 0, v)?;
    }
    Ok(finish(p.opts))
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

/// Records that `field` was set; a second setting of one field is an error whichever
/// spellings set it (`trim=1;2;3;4` sets `trim.left`, so does `trim.left=5`).
pub(super) fn mark(seen: &mut Vec<&'static str>, field: &'static str) -> Result<()> {
    if seen.contains(&field) {
        return Err(Error::new(
            ErrorCode::BadOption,
            format!("option '{field}' is given more than once"),
        ));
    }
    seen.push(field);
    Ok(())
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

// The value readers the rows share.

/// `width`, `height`: whole pixels 1 to 100000.
pub(super) fn dimension(name: &str, value: &str) -> Result<u32> {
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

pub(super) fn dpr(name: &str, value: &str) -> Result<f32> {
    value
        .parse()
        .ok()
        .filter(|v: &f32| v.is_finite() && *v > 0.0 && *v <= 10.0)
        .ok_or_else(|| Error::bad_option(name, value, "a number greater than 0 and at most 10"))
}

/// A named gravity, or a focal point `XxY`; a point that is a named gravity's is stored as
/// the name, so each meaning has one key.
pub(super) fn gravity(name: &str, value: &str) -> Result<Gravity> {
    if value == "face" {
        return Err(Error::new(
            ErrorCode::UnsupportedOption,
            "gravity=face needs a face detector, which edgepix does not have (no detector that fits the Worker ships through a registry): use gravity=auto, a side or XxY",
        ));
    }
    if let Some(g) = GRAVITY.get(value) {
        return Ok(g);
    }
    let bad = || Error::bad_option(name, value, &GRAVITY.expected());
    let (x, y) = value.split_once('x').ok_or_else(bad)?;
    let x: f32 = x.parse().map_err(|_| bad())?;
    let y: f32 = y.parse().map_err(|_| bad())?;
    if !(0.0..=1.0).contains(&x) || !(0.0..=1.0).contains(&y) {
        return Err(bad());
    }
    let named = GRAVITY.listed.iter().map(|&(_, g)| g);
    // `auto` is centred too, but a point is not a request for saliency
    let same = named
        .filter(|g| *g != Gravity::Auto)
        .find(|g| g.focal_point() == (x, y));
    Ok(same.unwrap_or(Gravity::Point(x, y)))
}

pub(super) fn quality(name: &str, value: &str) -> Result<Quality> {
    Ok(match value {
        level @ ("high" | "medium-high" | "medium-low" | "low") => Quality::Auto(
            crate::options::quality::Auto::level(level)
                .ok_or_else(|| Error::internal("quality: a level without a target"))?,
        ),
        auto if auto.starts_with("auto") => Quality::Auto(crate::options::quality::Auto::parse(&auto[4..])?),
        _ => Quality::Value(
            value
                .parse::<u8>()
                .ok()
                .filter(|v| (1..=100).contains(v))
                .ok_or_else(|| {
                    Error::bad_option(name, value, "an integer from 1 to 100, high, medium-high, medium-low, low, or auto[:TARGET][:POLICY]")
                })?,
        ),
    })
}

/// A quality as a number 1-100 or one of Cloudflare's named levels, as the fixed setting the
/// level stands for where no perceptual policy runs (`quality::Auto::fixed_fallback`).
pub(super) fn quality_level(name: &str, value: &str) -> Result<u8> {
    if let Some(a) = crate::options::quality::Auto::level(value) {
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
pub(super) fn number(name: &str, value: &str, min: f32, max: f32) -> Result<f32> {
    value
        .parse::<f32>()
        .ok()
        .filter(|v| v.is_finite() && (min..=max).contains(v))
        .map(|v| v + 0.0)
        .ok_or_else(|| Error::bad_option(name, value, &format!("a number from {min} to {max}")))
}

/// brightness, contrast, gamma: 0 to 10, where 0 and 1 change nothing (Cloudflare ignores 0
/// for them). Cloudflare documents no upper bound; past 10 every pixel is already at its end of
/// the range, so a larger value is refused rather than given a second key.
pub(super) fn factor(name: &str, value: &str) -> Result<Option<f32>> {
    let v = number(name, value, 0.0, 10.0)?;
    Ok((v != 0.0 && v != 1.0).then_some(v))
}

/// Whole pixels from `min` to 100000 (a side of a trim or a border).
pub(super) fn pixels(name: &str, value: &str, min: u32) -> Result<u32> {
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

pub(super) fn color(name: &str, value: &str) -> Result<Rgba> {
    Rgba::parse_css(value).ok_or_else(|| {
        Error::bad_option(
            name,
            value,
            "a CSS colour such as #fff, #ffffff80, rgb(255 255 255 / 50%), hsl(0 100% 50%), hwb(0 0% 0%), white or transparent",
        )
    })
}

/// `trim=top;right;bottom;left`, which sets (and marks) the four sides.
pub(super) fn trim_edges(s: &mut Setting, value: &str) -> Result<()> {
    let sides: Vec<Option<u32>> = value
        .split(';')
        .map(|s| s.trim().parse().ok().filter(|v| *v <= 100_000))
        .collect();
    let [Some(top), Some(right), Some(bottom), Some(left)] = sides.as_slice() else {
        return Err(Error::bad_option(
            s.name,
            value,
            "border, or four pixel counts top;right;bottom;left, each at most 100000",
        ));
    };
    for field in ["trim.top", "trim.right", "trim.bottom", "trim.left"] {
        s.mark(field)?;
    }
    let t = trim(s.opts);
    (t.top, t.right, t.bottom, t.left) = (*top, *right, *bottom, *left);
    Ok(())
}

/// The trim being built.
pub(super) fn trim(opts: &mut Options) -> &mut Trim {
    opts.trim.get_or_insert_with(Trim::default)
}

/// The `trim=border` being built: setting one of its fields turns it on.
pub(super) fn trim_border(opts: &mut Options) -> &mut TrimBorder {
    trim(opts).border.get_or_insert_with(TrimBorder::default)
}

/// The border being built, black until `border.color` says otherwise.
pub(super) fn border(opts: &mut Options) -> &mut Border {
    opts.border.get_or_insert(Border {
        color: Rgba::BLACK,
        top: 0,
        right: 0,
        bottom: 0,
        left: 0,
    })
}
