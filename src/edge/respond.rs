//! Respond: every answer the Worker gives is built here, so the headers users rely on (CORS,
//! Timing-Allow-Origin, Server-Timing, Vary, the cache status, what was resized) are the same
//! on every path.

use super::config::Config;
use super::route::Refusal;
use super::store::Meta;
use crate::ENGINE_VERSION;
use worker::{Headers, Response, ResponseBody, ResponseBuilder};

/// Per-request facts every image answer carries.
pub struct Reply<'a> {
    pub cfg: &'a Config,
    pub head: bool,
    /// `Vary`, as `crate::answer::Vary` says for the options and the experiments' user keys.
    pub vary: Option<String>,
    /// A per-user arm chose the answer: `private`, so no shared cache hands one user's arm to
    /// another.
    pub private: bool,
    pub if_none_match: Option<&'a str>,
    /// `x-edgepix-arm`: the experiment arms (`exp=arm;...`), empty outside experiments.
    pub arms: &'a str,
    pub timing: Timing,
}

#[derive(Default)]
pub struct Timing {
    pub fetch: Option<f64>,
    /// decode, resize, encode: only when this request ran the transform.
    pub stages: Option<[f64; 3]>,
    pub cache: f64,
    pub cache_desc: &'static str,
}

impl Timing {
    fn header(&self) -> String {
        let mut parts = Vec::new();
        if let Some(f) = self.fetch {
            parts.push(format!("fetch;dur={f:.1}"));
        }
        if let Some([d, r, e]) = self.stages {
            parts.push(format!("decode;dur={d:.1}"));
            parts.push(format!("resize;dur={r:.1}"));
            parts.push(format!("encode;dur={e:.1}"));
        }
        parts.push(format!(
            "cache;dur={:.1};desc=\"{}\"",
            self.cache,
            if self.cache_desc.is_empty() {
                "miss"
            } else {
                self.cache_desc
            }
        ));
        parts.join(", ")
    }
}

/// Headers every answer carries: CORS for images embedded and fetched from other origins, and
/// Timing-Allow-Origin so that those pages can read Server-Timing.
fn common(h: &Headers, cfg: &Config) {
    let _ = h.set("access-control-allow-origin", &cfg.cors_origin);
    let _ = h.set("timing-allow-origin", &cfg.cors_origin);
    let _ = h.set(
        "access-control-expose-headers",
        "server-timing, x-edgepix-cache, x-edgepix-resized, x-edgepix-notes, x-edgepix-arm",
    );
    let _ = h.set("x-content-type-options", "nosniff");
    if cfg.debug_memory {
        let _ = h.set("x-edgepix-wasm-memory", &wasm_memory_bytes().to_string());
        let _ = h.set(
            "x-edgepix-inflight",
            &super::inflight::current().to_string(),
        );
        let _ = h.set(
            "x-edgepix-coalescing",
            &super::coalesce::pending().to_string(),
        );
        // what the per-isolate maps hold (src/edge/memo.rs), each within its own bound
        let _ = h.set(
            "x-edgepix-memo-bytes",
            &(super::purge::memo_bytes() + super::coalesce::bytes() + super::failure::memo_bytes())
                .to_string(),
        );
        // bytes kept in JS (write-backs waiting, KV hits being answered: src/edge/held.rs)
        let _ = h.set("x-edgepix-js-bytes", &super::held::held().to_string());
    }
}

/// Bytes of this isolate's wasm linear memory (it only grows).
pub fn wasm_memory_bytes() -> u64 {
    #[cfg(target_arch = "wasm32")]
    {
        core::arch::wasm32::memory_size(0) as u64 * 65_536
    }
    #[cfg(not(target_arch = "wasm32"))]
    0
}

/// `{"error":{"code":..,"status":..,"message":..}}`, the same shape as `Error::to_json`.
pub fn error(r: &Refusal, cfg: &Config) -> Response {
    let body =
        serde_json::json!({"error": {"code": r.code, "status": r.status, "message": r.message}})
            .to_string();
    let h = Headers::new();
    let _ = h.set("content-type", crate::answer::JSON_CONTENT_TYPE);
    let _ = h.set("cache-control", "no-store");
    let _ = h.set("x-edgepix-resized", &format!("err={}", r.code));
    common(&h, cfg);
    if r.status == 503 {
        let _ = h.set("retry-after", "1");
    }
    ResponseBuilder::new()
        .with_status(r.status)
        .with_headers(h)
        .fixed(body.into_bytes())
}

/// `onerror=redirect`: a fatal transform error sends the client to the source itself.
pub fn redirect(location: &str, code: &str, cfg: &Config) -> Response {
    let h = Headers::new();
    let _ = h.set("location", location);
    let _ = h.set("cache-control", "no-store");
    let _ = h.set("x-edgepix-error", code);
    let _ = h.set("x-edgepix-resized", &format!("err={code}"));
    common(&h, cfg);
    ResponseBuilder::new()
        .with_status(302)
        .with_headers(h)
        .empty()
}

fn etag_matches(inm: &str, etag: &str) -> bool {
    let bare = |s: &str| s.trim().trim_start_matches("W/").to_string();
    inm.split(',')
        .any(|t| t.trim() == "*" || bare(t) == bare(etag))
}

const SVG_MIME: &str = "image/svg+xml";
/// An SVG opened directly is a document: behind the sanitiser (`crate::svg`), it may run no
/// script and fetch nothing, and keeps only its own inline styles.
pub const SVG_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'";

/// The body of a variant answer: bytes made here, or a stored body passed through.
pub enum Body {
    Bytes(Vec<u8>),
    /// A body in JS (a KV hit): streamed out without entering wasm memory.
    Held(super::held::Held),
    Stream(ResponseBody, Option<u64>),
}

/// Answers a variant: `status` is HIT, MISS or STALE, `layer` where it came from,
/// `cache_control` what the client may do with it.
pub fn variant(
    m: &Meta,
    body: Body,
    r: &Reply,
    status: &str,
    layer: &str,
    cache_control: &str,
    age: Option<u64>,
) -> Response {
    let h = Headers::new();
    if let Some(age) = age {
        let _ = h.set("age", &age.to_string());
    }
    if let Some(vary) = &r.vary {
        let _ = h.set("vary", vary);
    }
    if r.private {
        let _ = h.set("cache-control", &cache_control.replace("public", "private"));
    } else {
        let _ = h.set("cache-control", cache_control);
    }
    if !r.arms.is_empty() {
        let _ = h.set("x-edgepix-arm", r.arms);
    }
    let _ = h.set("etag", &m.etag);
    let _ = h.set("x-edgepix-cache", status);
    let _ = h.set("x-edgepix-cache-layer", layer);
    let _ = h.set("x-edgepix-engine", ENGINE_VERSION);
    let _ = h.set("server-timing", &r.timing.header());
    if !m.resized.is_empty() {
        let _ = h.set("x-edgepix-resized", &m.resized);
    }
    common(&h, r.cfg);
    if r.if_none_match
        .is_some_and(|inm| etag_matches(inm, &m.etag))
    {
        return ResponseBuilder::new()
            .with_status(304)
            .with_headers(h)
            .empty();
    }
    let _ = h.set("content-type", &m.ct);
    if m.ct.starts_with(SVG_MIME) {
        let _ = h.set("content-security-policy", SVG_CSP);
    }
    let _ = h.set(
        "content-disposition",
        &format!("inline; filename=\"{}\"", m.name),
    );
    if !m.notes.is_empty() {
        let _ = h.set("x-edgepix-notes", &m.notes);
    }
    let len = match &body {
        Body::Bytes(b) => Some(b.len() as u64),
        Body::Held(b) => Some(b.len()),
        Body::Stream(_, len) => *len,
    };
    if let Some(len) = len {
        let _ = h.set("content-length", &len.to_string());
    }
    let b = ResponseBuilder::new().with_status(200).with_headers(h);
    match (r.head, body) {
        (true, _) => b.empty(),
        (false, Body::Bytes(bytes)) => b.fixed(bytes),
        (false, Body::Held(h)) => b.body(h.stream()),
        (false, Body::Stream(s, _)) => b.body(s),
    }
}
