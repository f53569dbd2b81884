//! The Cloudflare Worker adapter: `GET|HEAD /cdn-cgi/image/<options>/<source>`.
//!
//! It only translates HTTP to the core and back. An image request goes through named steps,
//! each in its own module: route (parse and check the URL) -> key (resolve the options for
//! this client and name the variant) -> lookup (Cache API, then KV) -> source (cached source
//! bytes, then the origin) -> transform -> respond, with one write-back path after the
//! response. The layers and their trade-offs are described in docs/CACHING.md.

mod allow;
mod coalesce;
mod config;
mod events;
mod faults;
mod freshness;
mod inflight;
mod key;
mod origin;
mod purge;
mod respond;
mod route;
mod source;
mod stages;
mod store;
mod writeback;

use crate::answer;
use crate::resolve::Resolved;
use config::Config;
use freshness::Freshness;
use inflight::Reservation;
use key::VariantKey;
use origin::{FetchError, Fetched};
use respond::{Body, Reply, Timing};
use route::{ImageRequest, Refusal};
use std::cell::RefCell;
use std::rc::Rc;
use store::{Entry, Meta};
use wasm_bindgen::JsCast;
use worker::{event, Context, Env, Method, Request, Response, ResponseBuilder, Url};
use writeback::Write;

#[event(fetch)]
pub async fn main(req: Request, env: Env, ctx: Context) -> worker::Result<Response> {
    // No panic hook of our own: worker's (installed at start) marks the instance for
    // re-instantiation after a trap, and a hook set here would displace it.
    if let Some(r) = stages::exit_after(&env, "entry") {
        return Ok(r);
    }
    let url = req.url()?;
    if let Some(options_json) = bound_options(&env) {
        return bound(&req, &url, &env, &ctx, &options_json).await;
    }
    let path = url.path();
    if path.starts_with(route::PREFIX) || path == purge::PATH {
        let cfg = match config(&env) {
            Ok(c) => c,
            Err(m) => {
                return Ok(respond::error(
                    &Refusal::new(500, "bad_config", m),
                    &Config::default(),
                ))
            }
        };
        let now_secs = (js_sys::Date::now() / 1000.0) as u64;
        if path == purge::PATH {
            if req.method() != Method::Post {
                return Ok(respond::error(
                    &Refusal::new(405, "method_not_allowed", "purge is a POST"),
                    &cfg,
                ));
            }
            return Ok(match purge::handle(&url, &env, &cfg, now_secs).await {
                Ok(body) => ResponseBuilder::new()
                    .with_header("content-type", "application/json")?
                    .with_header("cache-control", "no-store")?
                    .fixed(body.into_bytes()),
                Err(r) => respond::error(&r, &cfg),
            });
        }
        return Ok(match route::parse(&req, &url, &cfg, now_secs) {
            Ok(ir) => {
                if let Some(r) = stages::exit_after(&env, "route") {
                    return Ok(r);
                }
                let mut outcome = events::Outcome::default();
                let resp = match handle_image(&ir, &url, &env, &ctx, &cfg, &mut outcome).await {
                    Ok(r) => r,
                    Err(e) => respond::error(
                        &Refusal::new(500, "internal", format!("internal error: {e}")),
                        &cfg,
                    ),
                };
                events::emit(&env, &cfg, &ir, &resp, &outcome);
                resp
            }
            Err(r) => respond::error(&r, &cfg),
        });
    }
    // Anything else is a static asset (run_worker_first only sends us /cdn-cgi/*, but a
    // misconfiguration must still serve the site).
    match env.assets(config::ASSETS_BINDING) {
        Ok(assets) => assets.fetch_request(req).await,
        Err(_) => Ok(respond::error(
            &Refusal::new(404, "not_found", "no such route"),
            &Config::default(),
        )),
    }
}

/// The property `Bound` (src/edge/entry.mjs) adds to the env it hands to `main`: a function
/// returning the caller's `cf.image` as JSON. Only that entrypoint, which only service
/// bindings reach, creates it; no configuration can (vars, secrets and bindings are never
/// functions), and nothing of a public request (URL, headers, body) can reach the env.
const BOUND_OPTIONS: &str = "__edgepixBoundOptions";

fn bound_options(env: &Env) -> Option<String> {
    let f = js_sys::Reflect::get(env, &wasm_bindgen::JsValue::from_str(BOUND_OPTIONS)).ok()?;
    let f: &js_sys::Function = f.dyn_ref()?;
    f.call0(&wasm_bindgen::JsValue::UNDEFINED).ok()?.as_string()
}

/// A request from another Worker through the service binding: the JSON option form.
async fn bound(
    req: &Request,
    url: &Url,
    env: &Env,
    ctx: &Context,
    options_json: &str,
) -> worker::Result<Response> {
    let cfg = match config(env) {
        Ok(c) => c,
        Err(m) => {
            return Ok(respond::error(
                &Refusal::new(500, "bad_config", m),
                &Config::default(),
            ))
        }
    };
    Ok(match route::parse_bound(req, url, &cfg, options_json) {
        Ok(ir) => {
            let mut outcome = events::Outcome::default();
            let resp = match handle_image(&ir, url, env, ctx, &cfg, &mut outcome).await {
                Ok(r) => r,
                Err(e) => respond::error(
                    &Refusal::new(500, "internal", format!("internal error: {e}")),
                    &cfg,
                ),
            };
            events::emit(env, &cfg, &ir, &resp, &outcome);
            resp
        }
        Err(r) => respond::error(&r, &cfg),
    })
}

thread_local! {
    static CONFIG: RefCell<Option<Rc<Config>>> = const { RefCell::new(None) };
}

/// The settings, read once per isolate: vars and secrets do not change during its life, and
/// parsing VARIANTS and the allowlist on every request would cost CPU on every hit.
fn config(env: &Env) -> Result<Rc<Config>, String> {
    if let Some(c) = CONFIG.with(|c| c.borrow().clone()) {
        return Ok(c);
    }
    let c = Rc::new(Config::from_env(env)?);
    faults::set(
        env.var("TEST_FAULTS")
            .ok()
            .map(|v| v.to_string())
            .as_deref(),
    );
    CONFIG.with(|slot| *slot.borrow_mut() = Some(c.clone()));
    Ok(c)
}

async fn handle_image(
    ir: &ImageRequest,
    url: &Url,
    env: &Env,
    ctx: &Context,
    cfg: &Config,
    outcome: &mut events::Outcome,
) -> worker::Result<Response> {
    // key: resolved once; the key and the plan both come from `resolved`
    let resolved = ir.options.resolve(&ir.client);
    let generation = purge::generation(env, &ir.source).await;
    #[cfg(feature = "test-trap")]
    if url.path().ends_with("/__edgepix-test-trap") {
        // Test builds only (feature test-trap, release flags): a panic after an await, where
        // a real one would happen (a decoder, after the source arrived), to prove that the
        // trapping request is answered JSON 500 and the next one by a fresh instance.
        panic!("test trap");
    }
    let arms = ir.experiments.label();
    let key = VariantKey::new(url, &resolved, &ir.source, generation, &arms);
    if let Some(r) = stages::exit_after(env, "key") {
        return Ok(r);
    }
    let mut reply = Reply {
        cfg,
        head: ir.head,
        vary: answer::Vary::of(&ir.options).header(&ir.experiments.vary),
        private: !ir.experiments.vary.is_empty(),
        if_none_match: ir.if_none_match.as_deref(),
        arms: &arms,
        timing: Timing::default(),
    };

    // lookup: Cache API, then KV
    let t0 = js_sys::Date::now();
    if let Some((meta, body)) = store::cache_lookup(&key.cache_url).await {
        if let Some(r) = stages::exit_after(env, "lookup") {
            return Ok(r);
        }
        reply.timing.cache = js_sys::Date::now() - t0;
        reply.timing.cache_desc = "cache-api";
        let (status, cc) = if meta.stale {
            ("STALE", Freshness::Public(cfg.stale_max_age).header())
        } else {
            ("HIT", cache_control(&meta, meta.ttl))
        };
        let len = (meta.len > 0).then_some(meta.len);
        return Ok(respond::variant(
            &meta,
            Body::Stream(body, len),
            &reply,
            status,
            "cache-api",
            &cc,
        ));
    }
    let now = js_sys::Date::now();
    let mut stale = None;
    if let Some(entry) = store::kv_get(env, &key.kv_key).await {
        reply.timing.cache = js_sys::Date::now() - t0;
        if entry.meta.is_fresh(now) {
            reply.timing.cache_desc = "kv";
            let left = entry.meta.left(now);
            let cc = cache_control(&entry.meta, entry.meta.ttl);
            let resp = respond::variant(
                &entry.meta,
                Body::Bytes(entry.body.clone()),
                &reply,
                "HIT",
                "kv",
                &cc,
            );
            // promote to this location's Cache API for what is left of its lifetime
            let w = Write {
                body: entry.body,
                meta: entry.meta,
                cache: Some((key.cache_url, left)).filter(|c| c.1 > 0),
                kv: None,
            };
            writeback::schedule(ctx, env, vec![w]);
            return Ok(resp);
        }
        stale = Some(entry);
    }
    reply.timing.cache = js_sys::Date::now() - t0;

    // coalesce: one fetch and one transform per key at a time in this isolate
    let lead = match coalesce::join(&key.kv_key) {
        coalesce::Turn::Lead(l) => Some(l),
        coalesce::Turn::Follow(rx) => match coalesce::wait(rx, 30_000).await {
            Some(made) => {
                reply.timing.cache_desc = "coalesced";
                return Ok(respond::variant(
                    &made.meta,
                    Body::Bytes(made.body.clone()),
                    &reply,
                    "MISS",
                    "coalesced",
                    &made.cache_control,
                ));
            }
            // the leader failed or is stuck: go on alone
            None => None,
        },
    };

    // source: the cached bytes of this source, then the origin
    let mut reservation = match Reservation::take(0, cfg.max_inflight_bytes) {
        Some(r) => r,
        None => return Ok(busy(cfg)),
    };
    let t1 = js_sys::Date::now();
    let fetched = fetch(env, cfg, url, ir, &key, stale.as_ref(), &mut reservation).await;
    reply.timing.fetch = Some(js_sys::Date::now() - t1);
    let (src, src_write) = match fetched {
        Ok(x) => x,
        Err(FetchError::Busy) => return Ok(busy(cfg)),
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
                reply.timing.cache_desc = "kv-stale";
                let cc = Freshness::Public(cfg.stale_max_age).header();
                let resp = respond::variant(
                    &entry.meta,
                    Body::Bytes(entry.body.clone()),
                    &reply,
                    "STALE",
                    "kv",
                    &cc,
                );
                // Shield the origin for a short while without hiding its recovery for long.
                entry.meta.stale = true;
                let w = Write {
                    body: entry.body,
                    meta: entry.meta,
                    cache: Some((key.cache_url, cfg.stale_max_age)),
                    kv: None,
                };
                writeback::schedule(ctx, env, vec![w]);
                return Ok(resp);
            }
            return Ok(respond::error(
                &fetch_refusal(&e, cfg.limits.max_input_bytes),
                cfg,
            ));
        }
    };
    let freshness = Freshness::from_cache_control(src.cache_control.as_deref(), cfg.ttl_floor);
    if src.not_modified {
        let Some(mut entry) = stale else {
            return Ok(respond::error(
                &Refusal::new(
                    502,
                    "origin_error",
                    "the origin answered 304 to an unconditional request",
                ),
                cfg,
            ));
        };
        // The source is unchanged: the stored variant is valid again, no transform needed.
        entry.meta.stored = js_sys::Date::now();
        entry.meta.ttl = freshness.ttl();
        entry.meta.revalidate = freshness == Freshness::Revalidate;
        reply.timing.cache_desc = "kv-revalidated";
        let resp = respond::variant(
            &entry.meta,
            Body::Bytes(entry.body.clone()),
            &reply,
            "HIT",
            "revalidated",
            &freshness.header(),
        );
        let writes = Write::decide(
            entry.body,
            entry.meta,
            freshness,
            Some(key.cache_url),
            Some((key.kv_key, cfg.kv_retention)),
            cfg.max_kv_bytes,
        );
        writeback::schedule(ctx, env, writes.into_iter().collect());
        return Ok(resp);
    }

    // overlays: fetched like the source (same checks, same reservation), after it
    let mut overlay_bytes: Vec<Vec<u8>> = Vec::with_capacity(ir.overlays.len());
    for (i, overlay) in ir.overlays.iter().enumerate() {
        match origin::fetch_source(env, cfg, url, overlay, None, &mut reservation).await {
            Ok(f) => overlay_bytes.push(f.bytes),
            Err(FetchError::Busy) => return Ok(busy(cfg)),
            Err(e) => {
                let r = fetch_refusal(&e, cfg.limits.max_input_bytes);
                let message = format!(
                    "draw[{i}]: {}",
                    r.message.replace("source image", "overlay image")
                );
                return Ok(respond::error(
                    &Refusal::new(r.status, r.code, message),
                    cfg,
                ));
            }
        }
    }
    let overlays: Vec<&[u8]> = overlay_bytes.iter().map(Vec::as_slice).collect();

    // transform, its memory reserved first
    let out = match transform(&src.bytes, &overlays, &resolved, cfg, &mut reservation) {
        Ok(o) => o,
        Err(TransformFailure::Busy) => return Ok(busy(cfg)),
        Err(TransformFailure::Engine(e)) => {
            if answer::redirects(&ir.options, &e) {
                return Ok(respond::redirect(
                    &ir.source.public_url(),
                    e.code.as_str(),
                    cfg,
                ));
            }
            return Ok(respond::error(&Refusal::from(e), cfg));
        }
    };
    drop(reservation);
    let stages = [out.timings.decode, out.timings.resize, out.timings.encode];
    reply.timing.stages = Some(stages);
    let reported = answer::Reported::of(&out, resolved.options());
    *outcome = events::Outcome {
        bytes_in: src.bytes.len() as u64,
        stages: Some(stages),
        width: out.width,
        height: out.height,
        quality: reported.quality,
        policy: reported.policy,
        predicted_score: reported.predicted_score,
        measured_score: reported.measured_score,
    };
    let digest = store::sha256_hex(&out.bytes);
    let meta = Meta {
        ct: answer::content_type(out.format).into(),
        etag: format!("\"{}\"", &digest[..32]),
        name: answer::file_name(&ir.source.file_stem(), out.format),
        notes: out.notes.join("; "),
        stored: js_sys::Date::now(),
        ttl: freshness.ttl(),
        src_etag: src.etag,
        stale: false,
        revalidate: freshness == Freshness::Revalidate,
        len: out.bytes.len() as u64,
        resized: answer::resized(&out),
    };
    let body = out.bytes;
    let resp = respond::variant(
        &meta,
        Body::Bytes(body.clone()),
        &reply,
        "MISS",
        "origin",
        &freshness.header(),
    );
    if let Some(lead) = lead {
        if freshness.storable() {
            lead.share(coalesce::Made {
                body: body.clone(),
                meta: meta.clone(),
                cache_control: freshness.header(),
            });
        }
    }
    let mut writes: Vec<Write> = Vec::new();
    writes.extend(Write::decide(
        body,
        meta,
        freshness,
        Some(key.cache_url),
        Some((key.kv_key, cfg.kv_retention)),
        cfg.max_kv_bytes,
    ));
    writes.extend(
        src_write.and_then(|(url, bytes, meta)| {
            Write::decide(bytes, meta, freshness, Some(url), None, 0)
        }),
    );
    writeback::schedule(ctx, env, writes);
    Ok(resp)
}

fn busy(cfg: &Config) -> Response {
    respond::error(
        &Refusal::new(
            503,
            "busy",
            "this isolate is at its in-flight memory cap (MAX_INFLIGHT_BYTES); retry shortly",
        ),
        cfg,
    )
}

/// `Cache-Control` of a stored variant served with `left` seconds of freshness.
fn cache_control(meta: &Meta, left: u64) -> String {
    if meta.revalidate {
        Freshness::Revalidate.header()
    } else {
        Freshness::Public(left).header()
    }
}

/// The source bytes: this source's own Cache API entry, then the origin (conditional when a
/// stored variant has the source's ETag). Also what to write back of the source itself, and
/// where.
async fn fetch(
    env: &Env,
    cfg: &Config,
    url: &Url,
    ir: &ImageRequest,
    key: &VariantKey,
    stale: Option<&Entry>,
    reservation: &mut Reservation,
) -> Result<(Fetched, Option<(String, Vec<u8>, Meta)>), FetchError> {
    let source_cache_url = key.source_cache_url();
    if let Some(e) = store::cache_get(&source_cache_url).await {
        if !reservation.grow(e.body.len() as u64, cfg.max_inflight_bytes) {
            return Err(FetchError::Busy);
        }
        let cache_control = Some(Freshness::Public(e.meta.ttl).header());
        return Ok((
            Fetched {
                bytes: e.body,
                not_modified: false,
                etag: e.meta.src_etag,
                cache_control,
            },
            None,
        ));
    }
    let inm_src = stale.and_then(|e| e.meta.src_etag.clone());
    let f =
        origin::fetch_source(env, cfg, url, &ir.source, inm_src.as_deref(), reservation).await?;
    let ttl = Freshness::from_cache_control(f.cache_control.as_deref(), cfg.ttl_floor).ttl();
    // N variants of a photo cost one origin fetch: the source is cached too (Cache API only)
    let meta = Meta {
        ct: "application/octet-stream".into(),
        etag: String::new(),
        name: String::new(),
        notes: String::new(),
        stored: js_sys::Date::now(),
        ttl,
        src_etag: f.etag.clone(),
        stale: false,
        revalidate: false,
        len: f.bytes.len() as u64,
        resized: String::new(),
    };
    let copy = (!f.not_modified).then(|| (source_cache_url, f.bytes.clone(), meta));
    Ok((f, copy))
}

enum TransformFailure {
    Busy,
    Engine(crate::Error),
}

/// Plans, reserves the plan's memory estimate against the isolate's in-flight cap, runs.
fn transform(
    bytes: &[u8],
    overlays: &[&[u8]],
    resolved: &Resolved,
    cfg: &Config,
    reservation: &mut Reservation,
) -> Result<crate::Output, TransformFailure> {
    // The plan's and the overlays' peaks, from headers; the input and the overlays' bytes are
    // already reserved and counted in it.
    let peak = crate::pipeline::peak_with_overlays(bytes, resolved, overlays, &cfg.limits)
        .map_err(TransformFailure::Engine)?;
    let more = peak.saturating_sub(reservation.bytes());
    if !reservation.grow(more, cfg.max_inflight_bytes) {
        return Err(TransformFailure::Busy);
    }
    let clock = || js_sys::Date::now();
    crate::transform_with_overlays(bytes, resolved, overlays, &cfg.limits, &clock)
        .map_err(TransformFailure::Engine)
}

fn fetch_refusal(e: &FetchError, max_input: usize) -> Refusal {
    match e {
        FetchError::NotFound(s) => Refusal::new(
            404,
            "source_not_found",
            format!("the origin answered {s} for the source image"),
        ),
        FetchError::Status(s) => Refusal::new(
            502,
            "origin_error",
            format!("the origin answered {s} for the source image"),
        ),
        FetchError::Timeout => Refusal::new(
            504,
            "origin_timeout",
            "the origin did not answer in time (ORIGIN_TIMEOUT_MS)",
        ),
        FetchError::Network(m) => Refusal::new(
            502,
            "origin_unreachable",
            format!("the origin could not be reached: {m}"),
        ),
        FetchError::Forbidden(u) => Refusal::new(
            403,
            "source_forbidden",
            format!("the origin redirected to a source that is not allowed: {u}"),
        ),
        FetchError::RedirectLoop(m) => Refusal::new(
            508,
            "redirect_loop",
            format!("the origin's redirects loop: {m}"),
        ),
        FetchError::TooLarge(n) => Refusal::from(crate::Error::new(
            crate::ErrorCode::InputTooLarge,
            format!("the source is {n} bytes; the largest accepted is {max_input} bytes"),
        )),
        FetchError::Busy => {
            Refusal::new(503, "busy", "this isolate is at its in-flight memory cap")
        }
    }
}
