//! Route: a request for `/cdn-cgi/image/<options>/<source>` becomes an [`ImageRequest`], or a
//! refusal, before anything is looked up or fetched. Everything a stranger controls in the URL
//! is checked here: the method, loops, the options (or the variant they name), the allowed
//! sizes, the signature and its expiry, and the source.

use super::config::Config;
use super::source::{self, Source};
use crate::experiments::{self, Assignment, UnitKind};
use crate::format::Accepts;
use crate::options::Options;
use crate::resolve::{Client, Device, Network, WIDTH_LADDER};
use crate::signing;
use worker::{Method, Request, Url};

pub const PREFIX: &str = "/cdn-cgi/image/";

/// A refusal: status, stable code, message (answered as JSON by `respond::error`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
}

impl Refusal {
    pub fn new(status: u16, code: &'static str, message: impl Into<String>) -> Refusal {
        Refusal {
            status,
            code,
            message: message.into(),
        }
    }
}

impl From<crate::Error> for Refusal {
    fn from(e: crate::Error) -> Refusal {
        Refusal::new(e.http_status(), e.code.as_str(), e.message)
    }
}

/// A request the Worker will serve.
#[derive(Debug, Clone)]
pub struct ImageRequest {
    pub head: bool,
    /// The options asked for (a named variant expanded, experiment overrides applied), not yet
    /// resolved for the client.
    pub options: Options,
    pub source: Source,
    /// The sources of `options.draw`, in order, each admitted by the same rules as `source`.
    pub overlays: Vec<Source>,
    pub client: Client,
    pub if_none_match: Option<String>,
    /// The experiments this request is in; `options` already carries their overrides.
    pub experiments: Assignment,
    /// The unit events are counted by: `("user", cookie or header value)` when a per-user
    /// experiment placed the request, else `("image", source key)`.
    pub unit: (&'static str, String),
}

/// The options segment with `sig=` and `exp=` taken out (they are not transform options and
/// never reach the cache key).
struct Segment {
    options: String,
    sig: Option<String>,
    exp: Option<String>,
}

fn split_signature(segment: &str) -> Segment {
    let mut keep = Vec::new();
    let (mut sig, mut exp) = (None, None);
    for part in segment.split(',') {
        match part.split_once('=') {
            Some(("sig", v)) => sig = Some(v.to_string()),
            Some(("exp", v)) => exp = Some(v.to_string()),
            _ => keep.push(part),
        }
    }
    Segment {
        options: keep.join(","),
        sig,
        exp,
    }
}

/// Parses and checks the request. `now_secs` is the clock expiries are compared with.
pub fn parse(
    req: &Request,
    url: &Url,
    cfg: &Config,
    now_secs: u64,
) -> Result<ImageRequest, Refusal> {
    let head = checked_method(req)?;
    let rest = &url.path()[PREFIX.len()..];
    let (segment, raw_source) = rest.split_once('/').ok_or_else(|| {
        Refusal::new(
            400,
            "bad_request",
            "expected /cdn-cgi/image/<options>/<source>",
        )
    })?;
    let segment = split_signature(segment);
    // Left encoded: `Options::parse` splits on `,` first and then decodes each value, so an
    // encoded `%2C` or `%23` inside a value is decoded exactly once.
    let options = options_of(&segment.options, cfg)?;
    check_sizes(&options, cfg)?;
    let as_received = match url.query() {
        Some(q) => format!("{raw_source}?{q}"),
        None => raw_source.to_string(),
    };
    // A variant is signed by its name (the signer need not know its options), anything else
    // by its canonical options, so aliases and option order do not break a signature.
    let signed = if cfg.variants.contains_key(&segment.options) {
        segment.options.clone()
    } else {
        options.canonical()
    };
    check_signature(&segment, &signed, &as_received, cfg, now_secs)?;
    let source = source::resolve(url, raw_source, cfg).map_err(source_refusal)?;
    finish(req, head, options, source, url, cfg)
}

/// A request from another Worker through the service binding (`Bound` in `entry.mjs`), in
/// the shape of Cloudflare's Workers API, `fetch(imageURL, {cf: {image: options}})`: the
/// request's URL is the source and `options_json` is `cf.image` as JSON, the one place the JSON
/// option form (and with it `draw`) reaches the Worker. No signature is asked for: only Workers
/// the operator bound to this one can call it (docs/OPTIONS.md, "Workers form").
pub fn parse_bound(
    req: &Request,
    url: &Url,
    cfg: &Config,
    options_json: &str,
) -> Result<ImageRequest, Refusal> {
    let head = checked_method(req)?;
    let value: serde_json::Value = serde_json::from_str(options_json).map_err(|_| {
        Refusal::new(
            400,
            "bad_option",
            "cf.image must be an object of options such as {\"width\": 640}",
        )
    })?;
    let options = match value {
        serde_json::Value::Null => Options::default(),
        v => Options::from_json(&v)?,
    };
    check_sizes(&options, cfg)?;
    let source = source::resolve_overlay(url, url.as_str(), cfg).map_err(source_refusal)?;
    finish(req, head, options, source, url, cfg)
}

fn source_refusal(e: source::SourceError) -> Refusal {
    Refusal::new(e.status(), e.code(), e.message())
}

/// GET or HEAD (`true` for HEAD), and not a request that already passed through edgepix.
fn checked_method(req: &Request) -> Result<bool, Refusal> {
    let head = match req.method() {
        Method::Get => false,
        Method::Head => true,
        _ => {
            return Err(Refusal::new(
                405,
                "method_not_allowed",
                "only GET and HEAD are served",
            ))
        }
    };
    let via = req.headers().get("via").ok().flatten();
    if via.is_some_and(|v| v.to_ascii_lowercase().contains(super::origin::VIA_TOKEN)) {
        return Err(Refusal::new(
            508,
            "loop_detected",
            "the request already passed through edgepix (Via header): refusing a loop",
        ));
    }
    Ok(head)
}

/// What both entries share once the options and the source are known: the overlays' sources
/// (checked before anything is fetched), experiments, the client.
fn finish(
    req: &Request,
    head: bool,
    options: Options,
    source: Source,
    url: &Url,
    cfg: &Config,
) -> Result<ImageRequest, Refusal> {
    let header = |name: &str| req.headers().get(name).ok().flatten();
    let overlays = options
        .draw
        .iter()
        .enumerate()
        .map(|(i, d)| {
            source::resolve_overlay(url, &d.url, cfg).map_err(|e| {
                Refusal::new(e.status(), e.code(), format!("draw[{i}]: {}", e.message()))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    // experiments: after the signature check (a signature covers what was asked for, not the
    // arm), before anything is looked up (the arm is part of the key)
    let image_unit = source.key();
    let user_value = |k: &str| experiments::read_user_key(k, &header);
    let assignment = experiments::assign(&cfg.experiments, &options, &image_unit, &user_value)
        .map_err(Refusal::from)?;
    let unit = cfg
        .experiments
        .iter()
        .filter(|e| e.unit == UnitKind::User)
        .filter(|e| assignment.arms.iter().any(|(id, _)| *id == e.id))
        .find_map(|e| e.user_key.as_deref().and_then(user_value))
        .map(|u| ("user", u))
        .unwrap_or(("image", image_unit));
    let mut accepts = Accepts::from_header(header("accept").as_deref());
    if !cfg.enable_avif {
        accepts.avif = false;
    }
    Ok(ImageRequest {
        head,
        options: assignment.options.clone(),
        source,
        overlays,
        client: Client::new(accepts)
            .on(&Network::from_headers(&header))
            .with_width(Device::from_headers(&header).width(width_ladder(cfg))),
        if_none_match: header("if-none-match"),
        experiments: assignment,
        unit,
    })
}

/// A bare name is a variant from `VARIANTS`; anything else is the option language, unless
/// `VARIANTS_ONLY` is set.
fn options_of(segment: &str, cfg: &Config) -> Result<Options, Refusal> {
    if let Some(v) = cfg.variants.get(segment) {
        return Ok(v.clone());
    }
    if cfg.variants_only {
        let names: Vec<&str> = cfg.variants.keys().map(String::as_str).collect();
        return Err(Refusal::new(
            400,
            "unknown_variant",
            format!(
                "this Worker serves only its named variants ({}); {segment:?} is not one",
                names.join(", ")
            ),
        ));
    }
    Ok(Options::parse(segment)?)
}

/// The widths `width=auto` rounds up to: `ALLOWED_WIDTHS` when set (so an automatic width is
/// always an allowed one), else the default ladder.
fn width_ladder(cfg: &Config) -> &[u32] {
    if cfg.allowed_widths.is_empty() {
        &WIDTH_LADDER
    } else {
        &cfg.allowed_widths
    }
}

/// `ALLOWED_WIDTHS`: width and height, after dpr, must be one of the listed sizes.
fn check_sizes(o: &Options, cfg: &Config) -> Result<(), Refusal> {
    if cfg.allowed_widths.is_empty() {
        return Ok(());
    }
    let (w, h) = o.target_box();
    for (name, v) in [("width", w), ("height", h)] {
        if let Some(v) = v.filter(|v| !cfg.allowed_widths.contains(v)) {
            let list: Vec<String> = cfg.allowed_widths.iter().map(u32::to_string).collect();
            return Err(Refusal::new(
                400,
                "size_not_allowed",
                format!(
                    "{name} {v} (after dpr) is not one of the allowed sizes: {}",
                    list.join(", ")
                ),
            ));
        }
    }
    Ok(())
}

/// With `SIGNING_KEYS` set, a `sig=` must verify (and `exp=`, when present, lie ahead);
/// with `REQUIRE_SIGNATURE`, it must also be present. Checked before any fetch.
fn check_signature(
    seg: &Segment,
    signed_options: &str,
    source_as_received: &str,
    cfg: &Config,
    now_secs: u64,
) -> Result<(), Refusal> {
    let forbidden = |m: &str| Refusal::new(403, "bad_signature", m.to_string());
    let Some(sig) = &seg.sig else {
        return if cfg.require_signature {
            Err(forbidden(
                "this Worker serves signed URLs only: sig= is missing",
            ))
        } else {
            Ok(())
        };
    };
    if cfg.signing_keys.is_empty() {
        return Ok(()); // nothing to check against: a sig= is ignored, like any unsigned URL
    }
    let exp = match &seg.exp {
        Some(e) => Some(
            e.parse::<u64>()
                .map_err(|_| forbidden("exp= is not a number of seconds"))?,
        ),
        None => None,
    };
    let message = signing::message(signed_options, source_as_received, exp);
    if !signing::verify(&cfg.signing_keys, &message, sig) {
        return Err(forbidden("the signature does not match this URL"));
    }
    if exp.is_some_and(|e| e <= now_secs) {
        return Err(forbidden("the signed URL has expired"));
    }
    Ok(())
}
