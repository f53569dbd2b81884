//! Lookup: the stored variant, from this location's Cache API, then KV; then, on a miss, the
//! turn to make it (one fetch and one transform per key at a time in this isolate). A fresh
//! stored variant, or one another request of this isolate just made, is the answer.

use super::coalesce::{self, Lead, Shared, Turn};
use super::failure;
use super::freshness::Freshness;
use super::key::VariantKey;
use super::respond::Body;
use super::served::{Served, Variant};
use super::stages;
use super::store::{self, Entry, Meta};
use super::trip::Trip;
use super::writeback::Write;

/// What a miss hands on to the source step.
pub struct Found {
    /// A stored variant past its freshness: revalidated with the source's ETag, and served
    /// STALE if the origin is down.
    pub stale: Option<Entry>,
    /// This request makes the variant and shares it with the requests that wait for it.
    pub lead: Option<Lead>,
}

pub async fn lookup(t: &mut Trip<'_>, key: &VariantKey) -> Result<Found, Served> {
    let stale = stored(t, key).await?;
    let lead = turn(t, key).await?;
    Ok(Found { stale, lead })
}

/// The Cache API, then KV: a fresh variant is the answer (a KV hit is promoted to this
/// location's Cache API for what is left of its lifetime).
async fn stored(t: &mut Trip<'_>, key: &VariantKey) -> Result<Option<Entry>, Served> {
    let t0 = js_sys::Date::now();
    if let Some((meta, body)) = store::cache_lookup(&key.cache_url).await {
        if let Some(r) = stages::exit_after(t.env, "lookup") {
            return Err(Served::Exit(r));
        }
        if let Some(r) = failure::of_meta(&meta) {
            t.timing.cache_desc = "failure";
            return Err(r.into());
        }
        t.timing.cache = js_sys::Date::now() - t0;
        t.timing.cache_desc = "cache-api";
        let (status, cache_control, age) = if meta.stale {
            (
                "STALE",
                Freshness::Public(t.cfg.stale_max_age).header(),
                None,
            )
        } else {
            let age = meta.age(js_sys::Date::now());
            ("HIT", cache_control(&meta, meta.ttl), Some(age))
        };
        let len = (meta.len > 0).then_some(meta.len);
        return Err(Served::variant(Variant {
            meta,
            body: Body::Stream(body, len),
            status,
            layer: "cache-api",
            cache_control,
            writes: Vec::new(),
            age,
        }));
    }
    let now = js_sys::Date::now();
    let mut stale = None;
    if let Some(entry) = store::kv_get(t.env, &key.kv_key).await {
        t.timing.cache = js_sys::Date::now() - t0;
        if entry.meta.is_fresh(now) {
            t.timing.cache_desc = "kv";
            let left = entry.meta.left(now);
            let age = entry.meta.age(now);
            let promote = Write {
                body: entry.body.clone(), // the same JS copy: no bytes are copied
                meta: entry.meta.clone(),
                cache: Some((key.cache_url.clone(), left)).filter(|c| c.1 > 0),
                kv: None,
            };
            return Err(Served::variant(Variant {
                cache_control: cache_control(&entry.meta, entry.meta.ttl),
                meta: entry.meta,
                body: Body::Held(entry.body),
                status: "HIT",
                layer: "kv",
                writes: vec![promote],
                age: Some(age),
            }));
        }
        stale = Some(entry);
    }
    t.timing.cache = js_sys::Date::now() - t0;
    Ok(stale)
}

/// This request's turn: it makes the variant (`Some` lead), or it waits for the request that
/// does and answers with its variant or its refusal. A failure this isolate remembers is the
/// answer before any turn (checked here, with no await before `join`, so a request arriving
/// just after its leader failed does not lead again). A leader that is released or stuck
/// leaves it to go on alone.
async fn turn(t: &mut Trip<'_>, key: &VariantKey) -> Result<Option<Lead>, Served> {
    if let Some(r) = failure::recall(&key.hash, js_sys::Date::now()) {
        t.timing.cache_desc = "failure";
        return Err(r.into());
    }
    let rx = match coalesce::join(&key.hash) {
        Turn::Lead(l) => return Ok(Some(l)),
        Turn::Follow(rx) => rx,
    };
    let Some(shared) = coalesce::wait(rx, 30_000).await else {
        return Ok(None);
    };
    let made = match &*shared {
        Shared::Refused(r) => return Err(r.clone().into()),
        Shared::Made(m) => m,
    };
    t.timing.cache_desc = "coalesced";
    Err(Served::variant(Variant {
        meta: made.meta.clone(),
        body: Body::Bytes(made.body.clone()),
        status: "MISS",
        layer: "coalesced",
        cache_control: made.cache_control.clone(),
        writes: Vec::new(),
        age: None,
    }))
}

/// `Cache-Control` of a stored variant served with `left` seconds of freshness.
pub fn cache_control(meta: &Meta, left: u64) -> String {
    if meta.revalidate {
        Freshness::Revalidate.header()
    } else {
        Freshness::Public(left).header()
    }
}
