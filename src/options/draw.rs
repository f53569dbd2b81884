//! `draw`: overlay images composited over the output, in the shape of Cloudflare's
//! `cf.image.draw` (an array of objects). Only the JSON form carries it: Cloudflare offers
//! `draw` to Workers alone, and the edge adapter accepts the JSON form only from other Workers
//! through a service binding (docs/OPTIONS.md, "Workers form").

use super::Options;
use crate::error::{Error, ErrorCode, Result};
use std::fmt::Write as _;

/// Overlays per request. Every overlay is one more origin fetch of up to `1 + MAX_REDIRECTS`
/// (6) subrequests: with the source, (1 + 7) x 6 = 48 stays under the 50 subrequests a free
/// Workers plan allows one request.
pub const MAX_OVERLAYS: usize = 7;

/// Longest overlay URL accepted (the same order as a browser's practical URL limit).
pub const MAX_URL_LEN: usize = 4096;

/// `repeat`: tile the overlay over the whole output (`true`), along a row (`"x"`) or a column
/// (`"y"`) through its position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Repeat {
    Both,
    X,
    Y,
}

/// One overlay. Offsets are output pixels from the named edge to the same edge of the
/// overlay; with neither side of an axis given, the overlay is centred on that axis.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Draw {
    /// Where the overlay's bytes come from; the caller fetches them (the Worker through the same
    /// origin checks as sources) and hands them to the engine.
    pub url: String,
    /// 0 (invisible) to 1 (as drawn); `None` is 1.
    pub opacity: Option<f32>,
    pub repeat: Option<Repeat>,
    pub top: Option<i32>,
    pub left: Option<i32>,
    pub bottom: Option<i32>,
    pub right: Option<i32>,
    /// The overlay's own transform: `width`, `height`, `fit`, `gravity`, `background`,
    /// `rotate` (what Cloudflare's draw object takes), run through the engine's own pipeline.
    pub transform: Options,
}

/// The options of the overlay's own transform; anything else in a draw object is refused.
const TRANSFORM_KEYS: &[&str] = &["width", "height", "fit", "gravity", "background", "rotate"];

/// `draw: [...]` from the JSON form.
pub(super) fn parse_list(value: &serde_json::Value) -> Result<Vec<Draw>> {
    let items = value.as_array().ok_or_else(|| {
        Error::bad_option(
            "draw",
            &value.to_string(),
            "an array of overlay objects such as [{\"url\": \"https://example.com/logo.png\"}]",
        )
    })?;
    if items.len() > MAX_OVERLAYS {
        return Err(Error::new(
            ErrorCode::BadOption,
            format!(
                "draw has {} overlays; at most {MAX_OVERLAYS} are drawn per image",
                items.len()
            ),
        ));
    }
    items
        .iter()
        .enumerate()
        .map(|(i, v)| parse_one(i, v))
        .collect()
}

fn parse_one(i: usize, value: &serde_json::Value) -> Result<Draw> {
    let obj = value.as_object().ok_or_else(|| {
        Error::bad_option(
            &format!("draw[{i}]"),
            &value.to_string(),
            "an object with at least a url",
        )
    })?;
    let name = |k: &str| format!("draw[{i}].{k}");
    let mut d = Draw::default();
    let mut transform = serde_json::Map::new();
    for (k, v) in obj {
        match k.as_str() {
            "url" => {
                let url = v.as_str().filter(|u| !u.is_empty() && u.len() <= MAX_URL_LEN);
                d.url = url
                    .ok_or_else(|| {
                        Error::bad_option(
                            &name(k),
                            &v.to_string(),
                            &format!("the overlay image's URL, a string of at most {MAX_URL_LEN} bytes"),
                        )
                    })?
                    .to_string();
            }
            "opacity" => {
                let o = v
                    .as_f64()
                    .filter(|o| (0.0..=1.0).contains(o))
                    .ok_or_else(|| {
                        Error::bad_option(&name(k), &v.to_string(), "a number from 0 to 1")
                    })? as f32;
                // 1 draws as given: one key per meaning
                d.opacity = (o != 1.0).then_some(o + 0.0);
            }
            "repeat" => {
                d.repeat = match v {
                    serde_json::Value::Bool(true) => Some(Repeat::Both),
                    serde_json::Value::Bool(false) => None,
                    serde_json::Value::String(s) if s == "x" => Some(Repeat::X),
                    serde_json::Value::String(s) if s == "y" => Some(Repeat::Y),
                    _ => {
                        return Err(Error::bad_option(
                            &name(k),
                            &v.to_string(),
                            "true, false, \"x\" or \"y\"",
                        ))
                    }
                }
            }
            "top" | "left" | "bottom" | "right" => {
                let px = v
                    .as_f64()
                    .filter(|p| p.fract() == 0.0 && (-100_000.0..=100_000.0).contains(p))
                    .ok_or_else(|| {
                        Error::bad_option(
                            &name(k),
                            &v.to_string(),
                            "a whole number of pixels from -100000 to 100000",
                        )
                    })? as i32;
                let slot = match k.as_str() {
                    "top" => &mut d.top,
                    "left" => &mut d.left,
                    "bottom" => &mut d.bottom,
                    _ => &mut d.right,
                };
                *slot = Some(px);
            }
            key if TRANSFORM_KEYS.contains(&key) => {
                transform.insert(k.clone(), v.clone());
            }
            _ => {
                return Err(Error::new(
                    ErrorCode::UnknownOption,
                    format!(
                        "{} is not an overlay option (url, opacity, repeat, top, left, bottom, right, {})",
                        name(k),
                        TRANSFORM_KEYS.join(", ")
                    ),
                ))
            }
        }
    }
    if d.url.is_empty() {
        return Err(Error::new(
            ErrorCode::BadOption,
            format!("draw[{i}] has no url: each overlay names its image"),
        ));
    }
    // Cloudflare: "Setting both left & right, or both top & bottom is an error."
    for (a, b, sa, sb) in [
        (d.left, d.right, "left", "right"),
        (d.top, d.bottom, "top", "bottom"),
    ] {
        if a.is_some() && b.is_some() {
            return Err(Error::new(
                ErrorCode::BadOption,
                format!("draw[{i}] sets both {sa} and {sb}: give one edge per axis"),
            ));
        }
    }
    d.transform = Options::from_json(&serde_json::Value::Object(transform))
        .map_err(|e| Error::new(e.code, format!("draw[{i}]: {}", e.message)))?;
    Ok(d)
}

/// The canonical form of the list, part of the options' canonical form (the cache key):
/// `draw=[url=...;opacity=...;...][...]` with fields in a fixed order, the URL
/// percent-encoded wherever it holds a character the form itself uses, so two lists are equal
/// exactly when their canonical forms are.
pub(super) fn canonical(list: &[Draw]) -> String {
    let mut out = String::new();
    for d in list {
        out.push('[');
        let _ = write!(out, "url={}", encode_url(&d.url));
        if let Some(o) = d.opacity {
            let _ = write!(out, ";opacity={}", super::fmt_float(o));
        }
        if let Some(r) = d.repeat {
            let r = match r {
                Repeat::Both => "true",
                Repeat::X => "x",
                Repeat::Y => "y",
            };
            let _ = write!(out, ";repeat={r}");
        }
        for (k, v) in [
            ("top", d.top),
            ("left", d.left),
            ("bottom", d.bottom),
            ("right", d.right),
        ] {
            if let Some(v) = v {
                let _ = write!(out, ";{k}={v}");
            }
        }
        // the transform's own canonical form; none of its six options writes ';' or ']'
        let t = d.transform.canonical();
        if !t.is_empty() {
            let _ = write!(out, ";{}", t.replace(',', ";"));
        }
        out.push(']');
    }
    out
}

fn encode_url(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for b in url.bytes() {
        if b.is_ascii_graphic() && !b"%,;[]=()".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// The URL form cannot carry `draw`: the refusal says where it is accepted.
pub(super) fn url_form_refusal() -> Error {
    Error::new(
        ErrorCode::UnsupportedOption,
        "draw is offered only to Workers, as in Cloudflare Images: another Worker passes it in the JSON options (cf.image) through a service binding; a URL cannot carry it",
    )
}
/// Refuses a `draw` list whose overlays were not all handed in with it (or overlays without
/// one).
pub fn check_count(draws: &[Draw], handed: usize) -> Result<()> {
    if draws.len() != handed {
        return Err(Error::new(
            ErrorCode::UnsupportedOption,
            format!(
                "draw lists {} overlay(s) but {} were handed to the engine: the caller fetches each overlay's bytes (the Worker's service binding does; the npm package and the CLI do not draw)",
                draws.len(),
                handed
            ),
        ));
    }
    Ok(())
}
