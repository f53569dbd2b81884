//! Source: the source bytes (this source's own Cache API entry, then the origin, conditional
//! when a stale variant has the source's ETag), then the overlays, all inside the request's
//! in-flight reservation. An origin outage with a stale variant serves it STALE; a 304 makes
//! the stale variant valid again without a transform.

use super::config::Config;
use super::freshness::Freshness;
use super::held::Held;
use super::inflight::Reservation;
use super::key::VariantKey;
use super::origin::{self, FetchError, Fetched};
use super::respond::Body;
use super::route::Refusal;
use super::served::{Served, Variant};
use super::store::{self, Entry, Meta};
use super::trip::Trip;
use super::writeback::Write;

/// The source as the transform and the write-back need it.
pub struct Source {
    pub bytes: Vec<u8>,
    pub etag: Option<String>,
    /// What the origin allows for it and for every variant made from it.
    pub freshness: Freshness,
    /// The source's own Cache API copy to write, when it came from the origin.
    pub copy: Option<(String, Held, Meta)>,
}

/// What the transform reads: the source, the overlays in order, and the reservation that
/// already counts their bytes.
pub struct Sources {
    pub source: Source,
    pub overlays: Vec<Vec<u8>>,
    pub reservation: Reservation,
}

pub async fn sources(
    t: &mut Trip<'_>,
    key: &VariantKey,
    stale: Option<Entry>,
) -> Result<Sources, Served> {
    let mut reservation =
        Reservation::take(0, t.cfg.max_inflight_bytes).ok_or_else(Served::busy)?;
    let source = source(t, key, stale, &mut reservation).await?;
    let overlays = overlays(t, &mut reservation).await?;
    Ok(Sources {
        source,
        overlays,
        reservation,
    })
}

async fn source(
    t: &mut Trip<'_>,
    key: &VariantKey,
    stale: Option<Entry>,
    reservation: &mut Reservation,
) -> Result<Source, Served> {
    let t1 = js_sys::Date::now();
    let fetched = fetch(t, key, stale.as_ref(), reservation).await;
    t.timing.fetch = Some(js_sys::Date::now() - t1);
    let (src, copy) = match fetched {
        Ok(x) => x,
        Err(e) => return Err(outage(t, key, e, stale)),
    };
    let freshness = Freshness::from_cache_control(src.cache_control.as_deref(), t.cfg.ttl_floor);
    if src.not_modified {
        return Err(revalidated(t, key, freshness, stale));
    }
    Ok(Source {
        bytes: src.bytes,
        etag: src.etag,
        freshness,
        copy,
    })
}

/// A failed fetch: availability over freshness, an outage serves the last good variant
/// (written to the Cache API for a short while, to shield the origin without hiding its
/// recovery for long); anything else is refused.
fn outage(t: &mut Trip<'_>, key: &VariantKey, e: FetchError, stale: Option<Entry>) -> Served {
    if matches!(e, FetchError::Busy) {
        return Served::busy();
    }
    let outage = matches!(
        e,
        FetchError::Status(500..=599)
            | FetchError::Timeout
            | FetchError::Network(_)
            | FetchError::RedirectLoop(_)
    );
    let Some(mut entry) = stale.filter(|_| outage) else {
        return refusal(&e, t.cfg).into();
    };
    t.timing.cache_desc = "kv-stale";
    let body = Body::Held(entry.body.clone());
    let meta = entry.meta.clone();
    entry.meta.stale = true;
    let shield = Write {
        body: entry.body,
        meta: entry.meta,
        cache: Some((key.cache_url.clone(), t.cfg.stale_max_age)),
        kv: None,
    };
    Served::variant(Variant {
        meta,
        body,
        status: "STALE",
        layer: "kv",
        cache_control: Freshness::Public(t.cfg.stale_max_age).header(),
        writes: vec![shield],
        age: None,
    })
}

/// The origin answered 304: the source is unchanged, so the stored variant is valid again
/// for the origin's new lifetime, no transform needed.
fn revalidated(
    t: &mut Trip<'_>,
    key: &VariantKey,
    freshness: Freshness,
    stale: Option<Entry>,
) -> Served {
    let Some(mut entry) = stale else {
        return Refusal::new(
            502,
            "origin_error",
            "the origin answered 304 to an unconditional request",
        )
        .into();
    };
    entry.meta.stored = js_sys::Date::now();
    entry.meta.ttl = freshness.ttl();
    entry.meta.revalidate = freshness == Freshness::Revalidate;
    t.timing.cache_desc = "kv-revalidated";
    let body = Body::Held(entry.body.clone());
    let meta = entry.meta.clone();
    let writes = Write::decide(
        entry.body,
        entry.meta,
        freshness,
        Some(key.cache_url.clone()),
        Some((key.kv_key.clone(), t.cfg.kv_retention)),
        t.cfg.max_kv_bytes,
    );
    Served::variant(Variant {
        meta,
        body,
        status: "HIT",
        layer: "revalidated",
        cache_control: freshness.header(),
        writes: writes.into_iter().collect(),
        age: None,
    })
}

/// The overlays of `draw`: fetched like the source (same checks, same reservation), after it.
async fn overlays(t: &Trip<'_>, reservation: &mut Reservation) -> Result<Vec<Vec<u8>>, Served> {
    let mut bytes = Vec::with_capacity(t.ir.overlays.len());
    for (i, overlay) in t.ir.overlays.iter().enumerate() {
        match origin::fetch_source(t.env, t.cfg, t.url, overlay, None, reservation).await {
            Ok(f) => bytes.push(f.bytes),
            Err(FetchError::Busy) => return Err(Served::busy()),
            Err(e) => {
                let r = refusal(&e, t.cfg);
                let message = format!(
                    "draw[{i}]: {}",
                    r.message.replace("source image", "overlay image")
                );
                return Err(Refusal::new(r.status, r.code, message).into());
            }
        }
    }
    Ok(bytes)
}

/// The source bytes: this source's own Cache API entry, then the origin (conditional when a
/// stored variant has the source's ETag). Also what to write back of the source itself, and
/// where.
async fn fetch(
    t: &Trip<'_>,
    key: &VariantKey,
    stale: Option<&Entry>,
    reservation: &mut Reservation,
) -> Result<(Fetched, Option<(String, Held, Meta)>), FetchError> {
    let cfg = t.cfg;
    let source_cache_url = key.source_cache_url();
    if let Some((meta, body)) = store::cache_get(&source_cache_url).await {
        if !reservation.grow(body.len() as u64, cfg.max_inflight_bytes) {
            return Err(FetchError::Busy);
        }
        let cache_control = Some(Freshness::Public(meta.ttl).header());
        return Ok((
            Fetched {
                bytes: body,
                not_modified: false,
                etag: meta.src_etag,
                cache_control,
            },
            None,
        ));
    }
    let inm_src = stale.and_then(|e| e.meta.src_etag.clone());
    let f = origin::fetch_source(
        t.env,
        cfg,
        t.url,
        &t.ir.source,
        inm_src.as_deref(),
        reservation,
    )
    .await?;
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
        failed: None,
    };
    // the copy to write back goes to JS at once (not a second copy in wasm memory), or is not
    // written when the write-backs' allowance is full
    let copy = (!f.not_modified)
        .then(|| Held::for_writeback(&f.bytes))
        .flatten()
        .map(|held| (source_cache_url, held, meta));
    Ok((f, copy))
}

fn refusal(e: &FetchError, cfg: &Config) -> Refusal {
    let max_input = cfg.limits.max_input_bytes;
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
