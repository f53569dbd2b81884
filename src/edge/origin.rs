//! Fetching source images: from the Worker's static assets, from `ORIGIN_BASE`, or from an
//! allowlisted absolute URL. Redirects are followed by hand so every hop is held to the rule
//! the source was (`source::admit` with the source's `Scope`), and a loop is told apart from
//! other failures; the size cap is checked on Content-Length before reading and again while
//! reading.

use super::allow::Allowlist;
use super::config::Config;
use super::inflight::Reservation;
use super::source::{self, Place, Scope, Source};
use futures_util::StreamExt;
use worker::{
    AbortSignal, Env, Fetch, Headers, Request, RequestInit, RequestRedirect, Response, Url,
};

/// Marker this Worker puts on every outbound request; an inbound request carrying it is a loop.
pub const VIA: &str = "1.1 edgepix";
pub const VIA_TOKEN: &str = "edgepix";

#[derive(Debug)]
pub enum FetchError {
    /// The origin answered 404 or 410.
    NotFound(u16),
    /// The origin answered another error status (5xx, 4xx other than 404).
    Status(u16),
    /// No answer in time.
    Timeout,
    /// Connection refused, DNS, TLS ...
    Network(String),
    /// A redirect to a URL its source's scope does not admit (the URL and why).
    Forbidden(String),
    /// A redirect back to a URL already visited, or more than `MAX_REDIRECTS` of them.
    RedirectLoop(String),
    /// Declared or actual size above the input limit.
    TooLarge(u64),
    /// Reading the body would pass the isolate's in-flight byte cap (answered 503).
    Busy,
}

pub struct Fetched {
    /// Empty when `not_modified`.
    pub bytes: Vec<u8>,
    /// The origin answered 304 to our `If-None-Match`: the stale variant is still right.
    pub not_modified: bool,
    pub etag: Option<String>,
    /// The origin's Cache-Control (see `freshness`).
    pub cache_control: Option<String>,
}

pub async fn fetch_source(
    env: &Env,
    cfg: &Config,
    origin_of_request: &Url,
    src: &Source,
    if_none_match: Option<&str>,
    reservation: &mut Reservation,
) -> Result<Fetched, FetchError> {
    let max = cfg.limits.max_input_bytes as u64;
    let resp = match &src.place {
        Place::Asset(path) => {
            let mut url = origin_of_request.clone();
            url.set_path(path);
            url.set_query(None);
            let assets = env
                .assets(super::config::ASSETS_BINDING)
                .map_err(|e| FetchError::Network(format!("no assets binding: {e}")))?;
            let headers = Headers::new();
            if let Some(v) = if_none_match {
                let _ = headers.set("if-none-match", v);
            }
            let mut init = RequestInit::new();
            init.with_headers(headers);
            assets
                .fetch(url.to_string(), Some(init))
                .await
                .map_err(|e| FetchError::Network(e.to_string()))?
        }
        Place::Remote { url, scope } => {
            fetch_remote(
                source::with_query(url, src.query.as_deref()),
                scope,
                &cfg.allow,
                cfg.origin_timeout_ms,
                if_none_match,
            )
            .await?
        }
    };
    read_body(
        resp,
        max,
        if_none_match.is_some(),
        reservation,
        cfg.max_inflight_bytes,
    )
    .await
}

/// Redirects followed before the chain counts as a loop.
pub const MAX_REDIRECTS: usize = 5;

async fn fetch_remote(
    mut url: Url,
    scope: &Scope,
    allow: &Allowlist,
    timeout_ms: u32,
    if_none_match: Option<&str>,
) -> Result<Response, FetchError> {
    let started = js_sys::Date::now();
    // One deadline for the whole exchange, body included.
    let signal = AbortSignal::from(web_sys::AbortSignal::timeout_with_u32(timeout_ms));
    let mut visited = vec![url.clone()];
    loop {
        let headers = Headers::new();
        let _ = headers.set("via", VIA);
        if let Some(v) = if_none_match {
            let _ = headers.set("if-none-match", v);
        }
        let _ = headers.set(
            "accept",
            "image/avif,image/webp,image/png,image/jpeg,image/gif,image/*;q=0.8",
        );
        let mut init = RequestInit::new();
        init.with_headers(headers)
            .with_redirect(RequestRedirect::Manual);
        let req = Request::new_with_init(url.as_str(), &init)
            .map_err(|e| FetchError::Network(e.to_string()))?;
        let resp = match Fetch::Request(req).send_with_signal(&signal).await {
            Ok(r) => r,
            Err(e) => {
                let msg = e.to_string();
                let elapsed = js_sys::Date::now() - started;
                if signal.aborted()
                    || msg.contains("TimeoutError")
                    || msg.contains("timed out")
                    || elapsed >= timeout_ms as f64 * 0.95
                {
                    return Err(FetchError::Timeout);
                }
                return Err(FetchError::Network(msg));
            }
        };
        let status = resp.status_code();
        if (300..400).contains(&status) && status != 304 {
            let loc = resp.headers().get("location").ok().flatten();
            let Some(mut next) = loc.and_then(|l| url.join(&l).ok()) else {
                return Err(FetchError::Status(status));
            };
            // Fragments never reach the origin: `a#1` and `a#2` are one URL to the loop check.
            next.set_fragment(None);
            source::admit(&next, scope, allow)
                .map_err(|e| FetchError::Forbidden(format!("{next}: {}", e.message())))?;
            if visited.contains(&next) {
                return Err(FetchError::RedirectLoop(format!(
                    "the redirect to {next} returns to a URL fetched before, after {} hop(s)",
                    visited.len()
                )));
            }
            if visited.len() > MAX_REDIRECTS {
                return Err(FetchError::RedirectLoop(format!(
                    "more than {MAX_REDIRECTS} redirects"
                )));
            }
            visited.push(next.clone());
            url = next;
            continue;
        }
        return Ok(resp);
    }
}

/// Reads the body, counting every chunk against the input limit and, before it is copied into
/// wasm memory, against the isolate's in-flight bytes.
async fn read_body(
    mut resp: Response,
    max: u64,
    conditional: bool,
    reservation: &mut Reservation,
    inflight_cap: u64,
) -> Result<Fetched, FetchError> {
    let status = resp.status_code();
    match status {
        200..=299 => {}
        304 if conditional => {
            let h = resp.headers();
            return Ok(Fetched {
                bytes: Vec::new(),
                not_modified: true,
                etag: h.get("etag").ok().flatten(),
                cache_control: h.get("cache-control").ok().flatten(),
            });
        }
        404 | 410 => return Err(FetchError::NotFound(status)),
        s => return Err(FetchError::Status(s)),
    }
    let h = resp.headers();
    let etag = h.get("etag").ok().flatten();
    let cache_control = h.get("cache-control").ok().flatten();
    let declared = h
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|v| v.trim().parse::<u64>().ok());
    if let Some(len) = declared {
        if len > max {
            return Err(FetchError::TooLarge(len));
        }
        // The whole body is about to live in wasm memory: reserve it before reading.
        if !reservation.grow(len.saturating_sub(reservation.bytes()), inflight_cap) {
            return Err(FetchError::Busy);
        }
    }
    let mut stream = resp
        .stream()
        .map_err(|e| FetchError::Network(e.to_string()))?;
    let mut bytes = Vec::with_capacity(declared.unwrap_or(0) as usize);
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            let m = e.to_string();
            if m.contains("TimeoutError") || m.contains("abort") {
                FetchError::Timeout
            } else {
                FetchError::Network(m)
            }
        })?;
        if bytes.len() as u64 + chunk.len() as u64 > max {
            return Err(FetchError::TooLarge(
                bytes.len() as u64 + chunk.len() as u64,
            ));
        }
        // Without a Content-Length the Vec doubles as it grows: reserve its next capacity.
        let need = bytes.len() + chunk.len();
        if need > bytes.capacity() {
            let next = (bytes.capacity() * 2).max(need) as u64;
            if !reservation.grow(next.saturating_sub(reservation.bytes()), inflight_cap) {
                return Err(FetchError::Busy);
            }
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(Fetched {
        bytes,
        not_modified: false,
        etag,
        cache_control,
    })
}
