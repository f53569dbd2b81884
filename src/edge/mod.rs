//! The Cloudflare Worker adapter: `GET|HEAD /cdn-cgi/image/<options>/<source>`.
//!
//! It only translates HTTP to the core and back: options and `Accept` in, `edgepix::transform`
//! in the middle, headers and caching around it. The layers and their trade-offs are described
//! in docs/CACHING.md.

mod allow;
mod config;
mod origin;
mod source;
mod store;

use crate::format::Accepts;
use crate::options::{FormatOption, OnError, Options};
use crate::{plan, Error as CoreError, ENGINE_VERSION};
use config::Config;
use origin::{FetchError, Fetched};
use source::Source;
use store::{Entry, Meta};
use worker::{event, Context, Env, Headers, Method, Request, Response, ResponseBuilder, Url};

const PREFIX: &str = "/cdn-cgi/image/";

#[event(fetch)]
pub async fn main(req: Request, env: Env, ctx: Context) -> worker::Result<Response> {
    console_error_panic_hook::set_once();
    let url = req.url()?;
    if url.path().starts_with(PREFIX) {
        return Ok(match handle_image(req, url, env, ctx).await {
            Ok(r) => r,
            Err(e) => error_response(500, "internal", &format!("internal error: {e}")),
        });
    }
    // Anything else is a static asset (run_worker_first only sends us /cdn-cgi/image/*, but a
    // misconfiguration must still serve the site).
    match env.assets(config::ASSETS_BINDING) {
        Ok(assets) => assets.fetch_request(req).await,
        Err(_) => Ok(error_response(404, "not_found", "no such route")),
    }
}

/// `{"error":{"code":..,"status":..,"message":..}}`, the same shape as `Error::to_json`.
fn error_response(status: u16, code: &str, message: &str) -> Response {
    let body = serde_json::json!({"error": {"code": code, "status": status, "message": message}})
        .to_string();
    json_error(status, body)
}

fn core_error_response(e: &CoreError) -> Response {
    json_error(e.http_status(), e.to_json())
}

fn json_error(status: u16, body: String) -> Response {
    let h = Headers::new();
    let _ = h.set("content-type", "application/json; charset=utf-8");
    let _ = h.set("cache-control", "no-store");
    let _ = h.set("x-content-type-options", "nosniff");
    ResponseBuilder::new()
        .with_status(status)
        .with_headers(h)
        .fixed(body.into_bytes())
}

/// Splits `/cdn-cgi/image/<options>/<source>` and resolves the source (`source::resolve`).
fn parse_route(url: &Url, cfg: &Config) -> Result<(String, Source), Response> {
    let rest = &url.path()[PREFIX.len()..];
    let Some((opts, raw_source)) = rest.split_once('/') else {
        return Err(error_response(
            400,
            "bad_request",
            "expected /cdn-cgi/image/<options>/<source>",
        ));
    };
    // Left encoded: `Options::parse` splits on `,` first and then decodes each value, so an
    // encoded `%2C` or `%23` inside a value is decoded exactly once.
    match source::resolve(url, raw_source, cfg) {
        Ok(src) => Ok((opts.to_string(), src)),
        Err(e) => Err(error_response(e.status(), e.code(), &e.message())),
    }
}

struct Timing {
    fetch: Option<f64>,
    /// decode, resize, encode: only when this request ran the transform.
    stages: Option<[f64; 3]>,
    cache: f64,
    cache_desc: &'static str,
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
            self.cache, self.cache_desc
        ));
        parts.join(", ")
    }
}

struct Reply<'a> {
    head: bool,
    vary_accept: bool,
    if_none_match: Option<&'a str>,
    status: &'static str,
    layer: &'static str,
}

fn etag_matches(inm: &str, etag: &str) -> bool {
    let bare = |s: &str| s.trim().trim_start_matches("W/").to_string();
    inm.split(',')
        .any(|t| t.trim() == "*" || bare(t) == bare(etag))
}

/// Builds the answer from a variant. `body` is taken by value: the Cache API hit hands its bytes
/// straight over; callers that still write the entry somewhere clone it where they call.
fn variant_response(m: &Meta, body: Vec<u8>, r: &Reply, timing: &Timing, max_age: u64) -> Response {
    let h = Headers::new();
    let _ = h.set("cache-control", &format!("public, max-age={max_age}"));
    let _ = h.set("etag", &m.etag);
    if r.vary_accept {
        let _ = h.set("vary", "Accept");
    }
    let _ = h.set("x-edgepix-cache", r.status);
    let _ = h.set("x-edgepix-cache-layer", r.layer);
    let _ = h.set("x-edgepix-engine", ENGINE_VERSION);
    let _ = h.set("server-timing", &timing.header());
    let _ = h.set("x-content-type-options", "nosniff");
    if let Some(inm) = r.if_none_match {
        if etag_matches(inm, &m.etag) {
            return ResponseBuilder::new()
                .with_status(304)
                .with_headers(h)
                .empty();
        }
    }
    let _ = h.set("content-type", &m.ct);
    let _ = h.set("content-length", &body.len().to_string());
    let _ = h.set(
        "content-disposition",
        &format!("inline; filename=\"{}\"", m.name),
    );
    if !m.notes.is_empty() {
        let _ = h.set("x-edgepix-notes", &m.notes);
    }
    let b = ResponseBuilder::new().with_status(200).with_headers(h);
    if r.head {
        b.empty()
    } else {
        b.fixed(body)
    }
}

fn fetch_error_response(e: &FetchError, max_input: usize) -> Response {
    match e {
        FetchError::NotFound(s) => error_response(
            404,
            "source_not_found",
            &format!("the origin answered {s} for the source image"),
        ),
        FetchError::Status(s) => error_response(
            502,
            "origin_error",
            &format!("the origin answered {s} for the source image"),
        ),
        FetchError::Timeout => error_response(
            504,
            "origin_timeout",
            "the origin did not answer in time (ORIGIN_TIMEOUT_MS)",
        ),
        FetchError::Network(m) => error_response(
            502,
            "origin_unreachable",
            &format!("the origin could not be reached: {m}"),
        ),
        FetchError::Forbidden(u) => error_response(
            403,
            "source_forbidden",
            &format!("the origin redirected to a source that is not allowed: {u}"),
        ),
        FetchError::RedirectLoop(m) => error_response(
            508,
            "redirect_loop",
            &format!("the origin's redirects loop: {m}"),
        ),
        FetchError::TooLarge(n) => core_error_response(&CoreError::new(
            crate::ErrorCode::InputTooLarge,
            format!("the source is {n} bytes; the largest accepted is {max_input} bytes"),
        )),
    }
}

async fn handle_image(req: Request, url: Url, env: Env, ctx: Context) -> worker::Result<Response> {
    let head = match req.method() {
        Method::Get => false,
        Method::Head => true,
        _ => {
            return Ok(error_response(
                405,
                "method_not_allowed",
                "only GET and HEAD are served",
            ))
        }
    };
    let via = req.headers().get("via")?.unwrap_or_default();
    if via.to_ascii_lowercase().contains(origin::VIA_TOKEN) {
        return Ok(error_response(
            508,
            "loop_detected",
            "the request already passed through edgepix (Via header): refusing a loop",
        ));
    }
    let cfg = match Config::from_env(&env) {
        Ok(c) => c,
        Err(m) => return Ok(error_response(500, "bad_config", &m)),
    };
    let (opts_str, source) = match parse_route(&url, &cfg) {
        Ok(x) => x,
        Err(r) => return Ok(r),
    };
    let opts = match Options::parse(&opts_str) {
        Ok(o) => o,
        Err(e) => return Ok(core_error_response(&e)),
    };
    let accept = req.headers().get("accept")?;
    let mut accepts = Accepts::from_header(accept.as_deref());
    if !cfg.enable_avif {
        accepts.avif = false;
    }
    let resolved = plan::resolve_auto(&opts, accepts);
    let vary_accept = opts.format == Some(FormatOption::Auto);
    let inm = req.headers().get("if-none-match")?;

    // The key: engine version, canonical resolved options, source identity.
    let key_text = format!(
        "{ENGINE_VERSION}\n{}\n{}",
        resolved.canonical(),
        source.key()
    );
    let hash = store::sha256_hex(key_text.as_bytes()).await?;
    let cache_url = store::cache_url(&url, "v", &hash);
    let kv_key = store::kv_key("v1", &hash);

    let mut timing = Timing {
        fetch: None,
        stages: None,
        cache: 0.0,
        cache_desc: "miss",
    };
    let reply = |status, layer| Reply {
        head,
        vary_accept,
        if_none_match: inm.as_deref(),
        status,
        layer,
    };

    // 1. Cache API
    let t0 = js_sys::Date::now();
    if let Some(entry) = store::cache_get(&cache_url).await {
        timing.cache = js_sys::Date::now() - t0;
        timing.cache_desc = "cache-api";
        let (status, max_age) = if entry.meta.stale {
            ("STALE", cfg.stale_max_age)
        } else {
            ("HIT", entry.meta.ttl)
        };
        return Ok(variant_response(
            &entry.meta,
            entry.body,
            &reply(status, "cache-api"),
            &timing,
            max_age,
        ));
    }
    // 2. KV
    let now = js_sys::Date::now();
    let mut stale = None;
    if let Some(entry) = store::kv_get(&env, &kv_key).await {
        timing.cache = js_sys::Date::now() - t0;
        if entry.meta.is_fresh(now) {
            timing.cache_desc = "kv";
            let left = ((entry.meta.stored + entry.meta.ttl as f64 * 1000.0 - now) / 1000.0)
                .max(0.0) as u64;
            let resp = variant_response(
                &entry.meta,
                entry.body.clone(),
                &reply("HIT", "kv"),
                &timing,
                entry.meta.ttl,
            );
            let meta = entry.meta.clone();
            let body = entry.body;
            ctx.wait_until(async move { store::cache_put(cache_url, body, &meta, left).await });
            return Ok(resp);
        }
        stale = Some(entry);
    }
    timing.cache = js_sys::Date::now() - t0;

    // 3. Source: its own Cache API entry, then the origin.
    let src_hash = store::sha256_hex(format!("src\n{}", source.key()).as_bytes()).await?;
    let src_cache_url = store::cache_url(&url, "s", &src_hash);
    let t1 = js_sys::Date::now();
    let fetched = match store::cache_get(&src_cache_url).await {
        Some(e) => {
            timing.fetch = Some(js_sys::Date::now() - t1);
            let ttl = e.meta.ttl;
            Ok((
                Fetched {
                    bytes: e.body,
                    not_modified: false,
                    etag: e.meta.src_etag,
                    max_age: Some(ttl),
                },
                true,
            ))
        }
        None => {
            // With a stale variant in hand, ask the origin whether the source changed.
            let inm_src = stale.as_ref().and_then(|e| e.meta.src_etag.clone());
            let r = origin::fetch_source(&env, &cfg, &url, &source, inm_src.as_deref()).await;
            timing.fetch = Some(js_sys::Date::now() - t1);
            r.map(|f| (f, false))
        }
    };
    let (src, src_from_cache) = match fetched {
        Ok(x) => x,
        Err(e) => {
            // Availability over freshness: an outage serves the last good variant.
            let outage = matches!(
                e,
                FetchError::Status(500..=599)
                    | FetchError::Timeout
                    | FetchError::Network(_)
                    | FetchError::RedirectLoop(_)
            );
            if let (true, Some(mut entry)) = (outage, stale) {
                timing.cache_desc = "kv-stale";
                let resp = variant_response(
                    &entry.meta,
                    entry.body.clone(),
                    &reply("STALE", "kv"),
                    &timing,
                    cfg.stale_max_age,
                );
                // Shield the origin for a short while without hiding its recovery for long.
                entry.meta.stale = true;
                let ttl = cfg.stale_max_age;
                ctx.wait_until(async move {
                    store::cache_put(cache_url, entry.body, &entry.meta, ttl).await
                });
                return Ok(resp);
            }
            return Ok(fetch_error_response(&e, cfg.limits.max_input_bytes));
        }
    };
    let ttl = src.max_age.unwrap_or(0).max(cfg.ttl_floor);
    if src.not_modified {
        if let Some(mut entry) = stale {
            // The source is unchanged: the stale variant is valid again, no transform needed.
            entry.meta.stored = js_sys::Date::now();
            entry.meta.ttl = ttl;
            timing.cache_desc = "kv-revalidated";
            let resp = variant_response(
                &entry.meta,
                entry.body.clone(),
                &reply("HIT", "revalidated"),
                &timing,
                ttl,
            );
            let retention = cfg.kv_retention.max(ttl);
            let env2 = env.clone();
            ctx.wait_until(async move {
                let Entry { body, meta } = entry;
                store::cache_put(cache_url, body.clone(), &meta, ttl).await;
                store::kv_put(&env2, kv_key, body, meta, retention).await;
            });
            return Ok(resp);
        }
        return Ok(error_response(
            502,
            "origin_error",
            "the origin answered 304 to an unconditional request",
        ));
    }
    // The source is cached too (Cache API only), so N variants of a photo cost one origin
    // fetch. Written after the transform, moving the bytes instead of copying them.
    let src_meta = (!src_from_cache).then(|| Meta {
        ct: "application/octet-stream".into(),
        etag: String::new(),
        name: String::new(),
        notes: String::new(),
        stored: js_sys::Date::now(),
        ttl,
        src_etag: src.etag.clone(),
        stale: false,
    });

    // 4. Transform
    let clock = || js_sys::Date::now();
    let out = match crate::transform(&src.bytes, &resolved, accepts, &cfg.limits, &clock) {
        Ok(o) => o,
        Err(e) => {
            let fatal = e.code != crate::ErrorCode::BadOption
                && e.code != crate::ErrorCode::UnknownOption
                && e.code != crate::ErrorCode::UnsupportedOption;
            if fatal && opts.onerror == Some(OnError::Redirect) {
                let h = Headers::new();
                let _ = h.set("location", &source.public_url());
                let _ = h.set("cache-control", "no-store");
                let _ = h.set("x-edgepix-error", e.code.as_str());
                return Ok(ResponseBuilder::new()
                    .with_status(302)
                    .with_headers(h)
                    .empty());
            }
            return Ok(core_error_response(&e));
        }
    };
    if let Some(meta) = src_meta {
        let body = src.bytes;
        ctx.wait_until(async move { store::cache_put(src_cache_url, body, &meta, ttl).await });
    } else {
        drop(src.bytes);
    }
    timing.stages = Some([out.timings.decode, out.timings.resize, out.timings.encode]);
    let digest = store::sha256_hex(&out.bytes).await?;
    let meta = Meta {
        ct: if out.format == crate::OutputFormat::Json {
            "application/json; charset=utf-8".into()
        } else {
            out.mime().into()
        },
        etag: format!("\"{}\"", &digest[..32]),
        name: format!("{}.{}", source.file_stem(), out.format.extension()),
        notes: out.notes.join("; "),
        stored: js_sys::Date::now(),
        ttl,
        src_etag: src.etag,
        stale: false,
    };
    let body = out.bytes;
    let resp = variant_response(&meta, body.clone(), &reply("MISS", "origin"), &timing, ttl);

    // 5. Write back without delaying the response.
    let kv_copy = (body.len() <= cfg.max_kv_bytes).then(|| (body.clone(), meta.clone()));
    let retention = cfg.kv_retention.max(ttl);
    let env2 = env.clone();
    ctx.wait_until(async move {
        store::cache_put(cache_url, body, &meta, ttl).await;
        if let Some((b, m)) = kv_copy {
            store::kv_put(&env2, kv_key, b, m, retention).await;
        }
    });
    Ok(resp)
}
