//! Settings from `[vars]` in wrangler.toml (or `--var` on the command line). Every value is
//! optional; a missing or unreadable one falls back to the default documented here.

use super::allow::Allowlist;
use super::source::QueryPolicy;
use crate::experiments::{self, Experiment};
use crate::{Limits, Options};
use std::collections::BTreeMap;
use worker::{Env, Url};

pub const ASSETS_BINDING: &str = "ASSETS";
pub const KV_BINDING: &str = "VARIANT_STORE";
/// Workers Analytics Engine dataset for per-response events (optional).
pub const EVENTS_BINDING: &str = "EDGEPIX_EVENTS";

#[derive(Debug, Clone)]
pub struct Config {
    pub allow: Allowlist,
    /// Base URL for relative sources; `None`: the Worker's own static assets.
    pub origin_base: Option<Url>,
    /// Lowest Cache-Control max-age (seconds) given to a variant, whatever the origin says.
    pub ttl_floor: u64,
    /// How long KV keeps a variant after it was written, so that it can be served stale.
    pub kv_retention: u64,
    /// Largest variant written to KV (KV values stop at 25 MiB).
    pub max_kv_bytes: usize,
    /// `ENABLE_AVIF`, in a build with the encoder and a non-zero `MAX_AVIF_PIXELS`: clients
    /// that accept AVIF get it for `format=auto`; off, `limits.max_avif_pixels` is 0.
    pub enable_avif: bool,
    pub origin_timeout_ms: u32,
    /// Max-age of a STALE response, so clients come back soon.
    pub stale_max_age: u64,
    pub limits: Limits,
    /// HMAC keys for signed URLs (`SIGNING_KEYS`, a wrangler secret: the current key first,
    /// then the one being rotated out). Empty: signatures are neither checked nor required.
    pub signing_keys: Vec<Vec<u8>>,
    /// `REQUIRE_SIGNATURE`: refuse (403) any image URL without a valid signature.
    pub require_signature: bool,
    /// `VARIANTS`: named option sets; an options segment that is only a name means the set.
    pub variants: BTreeMap<String, Options>,
    /// `VARIANTS_ONLY`: refuse any options segment that is not a variant name.
    pub variants_only: bool,
    /// `ALLOWED_WIDTHS`: the widths (and heights, after dpr) a URL may ask for, like
    /// Next.js `deviceSizes`; empty: any.
    pub allowed_widths: Vec<u32>,
    /// `SOURCE_QUERY`: what of a source's query string reaches the cache key and the origin.
    pub source_query: QueryPolicy,
    /// `CORS_ALLOW_ORIGIN`: `Access-Control-Allow-Origin` and `Timing-Allow-Origin` of image
    /// responses (`*` by default: images are embeddable anywhere).
    pub cors_origin: String,
    /// `DEBUG_MEMORY_HEADER`: add `x-edgepix-wasm-memory` (linear memory in bytes) to answers,
    /// for load tests; off in production.
    pub debug_memory: bool,
    /// Bytes of bodies being read plus transforms running, across the requests one isolate
    /// serves at once (`MAX_INFLIGHT_BYTES`); past it new work gets 503 with Retry-After.
    pub max_inflight_bytes: u64,
    /// `EXPERIMENTS`: A/B experiments (JSON, see `crate::experiments`).
    pub experiments: Vec<Experiment>,
    /// `METRICS_SAMPLE_RATE`: share of units (images or users) whose requests emit an event.
    pub metrics_sample_rate: f64,
    /// `METRICS_SALT`: salt of the unit hashes in events, so they cannot be joined with
    /// another dataset's hashes of the same URLs or cookies.
    pub metrics_salt: String,
}

impl Default for Config {
    /// Every setting at its documented default.
    fn default() -> Self {
        Config {
            allow: Allowlist::default(),
            origin_base: None,
            ttl_floor: 3600,
            kv_retention: 7 * 24 * 3600,
            max_kv_bytes: 25 * 1024 * 1024,
            enable_avif: false,
            origin_timeout_ms: 10_000,
            stale_max_age: 60,
            // ENABLE_AVIF off: no AVIF output (`from_env`)
            limits: Limits {
                max_avif_pixels: 0,
                ..Limits::EDGE
            },
            signing_keys: Vec::new(),
            require_signature: false,
            variants: BTreeMap::new(),
            variants_only: false,
            allowed_widths: Vec::new(),
            source_query: QueryPolicy::Drop,
            cors_origin: "*".into(),
            debug_memory: false,
            max_inflight_bytes: Limits::EDGE.max_memory_bytes as u64,
            experiments: Vec::new(),
            metrics_sample_rate: 1.0,
            metrics_salt: "edgepix".into(),
        }
    }
}

fn flag(env: &Env, name: &str) -> bool {
    matches!(
        var(env, name).as_deref().map(str::trim),
        Some("true" | "1" | "yes")
    )
}

/// A secret set with `wrangler secret put`, or the same name as a plain var (local dev).
fn secret(env: &Env, name: &str) -> Option<String> {
    env.secret(name)
        .ok()
        .map(|v| v.to_string())
        .filter(|s| !s.trim().is_empty())
        .or_else(|| var(env, name))
}

/// `{"thumb": "width=200,height=200,fit=cover", "hero": {"width": 1600}}`
fn parse_variants(text: &str) -> Result<BTreeMap<String, Options>, String> {
    let v: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("VARIANTS: not JSON: {e}"))?;
    let obj = v
        .as_object()
        .ok_or("VARIANTS: expected an object of name -> options")?;
    let mut out = BTreeMap::new();
    for (name, o) in obj {
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(format!(
                "VARIANTS: {name:?} is not a name of letters, digits, - and _"
            ));
        }
        let opts = match o {
            serde_json::Value::String(s) => Options::parse(s),
            other => Options::from_json(other),
        }
        .map_err(|e| format!("VARIANTS: {name}: {}", e.message))?;
        out.insert(name.clone(), opts);
    }
    Ok(out)
}

fn var(env: &Env, name: &str) -> Option<String> {
    env.var(name)
        .ok()
        .map(|v| v.to_string())
        .filter(|s| !s.trim().is_empty())
}

fn num<T: std::str::FromStr>(env: &Env, name: &str, default: T) -> T {
    var(env, name)
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(default)
}

impl Config {
    pub fn from_env(env: &Env) -> Result<Config, String> {
        let allow = match var(env, "ALLOWED_ORIGINS") {
            Some(s) => Allowlist::parse(&s)?,
            // A TOML array in [vars] arrives as a JSON value, not a string.
            None => match env.object_var::<serde_json::Value>("ALLOWED_ORIGINS") {
                Ok(v) if !v.is_null() => Allowlist::from_json(&v)?,
                _ => Allowlist::default(),
            },
        };
        let origin_base = match var(env, "ORIGIN_BASE") {
            Some(s) => Some(Url::parse(s.trim()).map_err(|e| format!("ORIGIN_BASE: {e}"))?),
            None => None,
        };
        let d = Config::default();
        let dl = d.limits;
        let limits = Limits {
            max_input_bytes: num(env, "MAX_INPUT_BYTES", dl.max_input_bytes),
            max_input_pixels: num(env, "MAX_INPUT_PIXELS", dl.max_input_pixels),
            max_output_dimension: num(env, "MAX_OUTPUT_DIMENSION", dl.max_output_dimension),
            max_frames: num(env, "MAX_FRAMES", dl.max_frames),
            max_animation_pixels: num(env, "MAX_ANIMATION_PIXELS", dl.max_animation_pixels),
            max_transformed_animation_pixels: num(
                env,
                "MAX_TRANSFORMED_ANIMATION_PIXELS",
                dl.max_transformed_animation_pixels,
            ),
            max_animation_output_pixels: num(
                env,
                "MAX_ANIMATION_OUTPUT_PIXELS",
                dl.max_animation_output_pixels,
            ),
            max_decoded_bytes: num(env, "MAX_DECODED_BYTES", dl.max_decoded_bytes),
            max_memory_bytes: num(env, "MAX_MEMORY_BYTES", dl.max_memory_bytes),
            max_output_pixels: num(env, "MAX_OUTPUT_PIXELS", dl.max_output_pixels),
            max_avif_pixels: num(env, "MAX_AVIF_PIXELS", Limits::EDGE.max_avif_pixels),
        };
        // One switch for AVIF output: without it neither `format=auto` nor `format=avif`
        // encodes AVIF (the plan answers WebP with a note), and a build without the encoder
        // never offers it.
        let enable_avif =
            flag(env, "ENABLE_AVIF") && crate::codecs::avif::ENCODES && limits.max_avif_pixels > 0;
        let limits = Limits {
            max_avif_pixels: if enable_avif {
                limits.max_avif_pixels
            } else {
                0
            },
            ..limits
        };
        let signing_keys: Vec<Vec<u8>> = secret(env, "SIGNING_KEYS")
            .map(|s| {
                s.split([',', ' ', '\n'])
                    .filter(|k| !k.is_empty())
                    .map(|k| k.as_bytes().to_vec())
                    .collect()
            })
            .unwrap_or_default();
        let require_signature = flag(env, "REQUIRE_SIGNATURE");
        if require_signature && signing_keys.is_empty() {
            return Err("REQUIRE_SIGNATURE is set but SIGNING_KEYS is empty".into());
        }
        let variants = match var(env, "VARIANTS") {
            Some(s) => parse_variants(&s)?,
            None => BTreeMap::new(),
        };
        let allowed_widths = match var(env, "ALLOWED_WIDTHS") {
            Some(s) => s
                .split([',', ' '])
                .filter(|w| !w.is_empty())
                .map(|w| {
                    w.trim()
                        .parse::<u32>()
                        .map_err(|_| format!("ALLOWED_WIDTHS: {w:?}"))
                })
                .collect::<Result<Vec<_>, _>>()
                .map(|mut v| {
                    // ascending: width=auto rounds up to the first allowed width
                    v.sort_unstable();
                    v
                })?,
            None => Vec::new(),
        };
        let source_query = match var(env, "SOURCE_QUERY") {
            Some(s) => QueryPolicy::parse(&s)?,
            None => QueryPolicy::Drop,
        };
        Ok(Config {
            allow,
            origin_base,
            ttl_floor: num(env, "CACHE_TTL_FLOOR", d.ttl_floor),
            kv_retention: num(env, "KV_RETENTION_SECONDS", d.kv_retention).max(60),
            max_kv_bytes: num(env, "MAX_KV_BYTES", d.max_kv_bytes),
            enable_avif,
            origin_timeout_ms: num(env, "ORIGIN_TIMEOUT_MS", d.origin_timeout_ms),
            stale_max_age: num(env, "STALE_MAX_AGE", d.stale_max_age),
            max_inflight_bytes: num(env, "MAX_INFLIGHT_BYTES", limits.max_memory_bytes as u64),
            limits,
            signing_keys,
            require_signature,
            variants,
            variants_only: flag(env, "VARIANTS_ONLY"),
            allowed_widths,
            source_query,
            cors_origin: var(env, "CORS_ALLOW_ORIGIN").unwrap_or(d.cors_origin),
            debug_memory: flag(env, "DEBUG_MEMORY_HEADER"),
            experiments: match var(env, "EXPERIMENTS") {
                Some(s) => experiments::parse(&s).map_err(|e| e.message)?,
                None => Vec::new(),
            },
            metrics_sample_rate: num(env, "METRICS_SAMPLE_RATE", d.metrics_sample_rate)
                .clamp(0.0, 1.0),
            metrics_salt: secret(env, "METRICS_SALT").unwrap_or(d.metrics_salt),
        })
    }
}
