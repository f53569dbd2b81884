//! Settings from `[vars]` in wrangler.toml (or `--var` on the command line). Every value is
//! optional; a missing or unreadable one falls back to the default documented here.

use super::allow::Allowlist;
use crate::Limits;
use worker::{Env, Url};

pub const ASSETS_BINDING: &str = "ASSETS";
pub const KV_BINDING: &str = "VARIANTS";

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
    pub enable_avif: bool,
    pub origin_timeout_ms: u32,
    /// Max-age of a STALE response, so clients come back soon.
    pub stale_max_age: u64,
    pub limits: Limits,
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
        let d = Limits::default();
        let limits = Limits {
            max_input_bytes: num(env, "MAX_INPUT_BYTES", d.max_input_bytes),
            max_input_pixels: num(env, "MAX_INPUT_PIXELS", d.max_input_pixels),
            max_output_dimension: num(env, "MAX_OUTPUT_DIMENSION", d.max_output_dimension),
            max_frames: num(env, "MAX_FRAMES", d.max_frames),
            max_decoded_bytes: num(env, "MAX_DECODED_BYTES", d.max_decoded_bytes),
            max_memory_bytes: num(env, "MAX_MEMORY_BYTES", d.max_memory_bytes),
            max_output_pixels: num(env, "MAX_OUTPUT_PIXELS", d.max_output_pixels),
        };
        let enable_avif = matches!(
            var(env, "ENABLE_AVIF").as_deref().map(str::trim),
            Some("true" | "1" | "yes")
        );
        Ok(Config {
            allow,
            origin_base,
            ttl_floor: num(env, "CACHE_TTL_FLOOR", 3600),
            kv_retention: num(env, "KV_RETENTION_SECONDS", 7 * 24 * 3600u64).max(60),
            max_kv_bytes: num(env, "MAX_KV_BYTES", 25 * 1024 * 1024),
            enable_avif,
            origin_timeout_ms: num(env, "ORIGIN_TIMEOUT_MS", 10_000),
            stale_max_age: num(env, "STALE_MAX_AGE", 60),
            limits,
        })
    }
}
