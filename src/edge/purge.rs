//! Purge: invalidate every variant of one source without knowing the variants.
//!
//! Each source has a generation number in KV (`gen:<sha256 of its identity>`, absent = 0),
//! folded into every variant key and into the key of the cached source bytes. A purge writes
//! the next number, so the next request for any variant is a new key: a MISS that fetches the
//! source again. Old entries are never read again and age out of the Cache API and KV.
//!
//! Consistency: a Worker reads the generation through KV's edge cache (60 s, KV's minimum)
//! and keeps it in the isolate for `MEMO_MS`, and KV takes up to 60 s to reach every location.
//! So after a purge, a location may serve the old variants for up to about two minutes; the
//! location that took the purge (and any isolate there that answers it) sees it at once.
//!
//! The request is `POST /cdn-cgi/edgepix/purge?source=<source as in an image URL>&exp=<unix
//! seconds>&sig=<HMAC>`, signed with `SIGNING_KEYS` over `purge`, the source and `exp`
//! (`edgepix sign --purge` prints it). Without signing keys there is no purge endpoint.

use super::config::{Config, KV_BINDING};
use super::memo::{self, Memo};
use super::route::Refusal;
use super::source::{self, Source};
use super::store;
use crate::signing;
use std::cell::RefCell;
use std::collections::HashMap;
use worker::{console_warn, Env, Url};

pub const PATH: &str = "/cdn-cgi/edgepix/purge";
/// How long an isolate trusts a generation it read.
const MEMO_MS: f64 = 10_000.0;
/// The generations an isolate remembers, in bytes (about 750 sources; docs/RELIABILITY.md).
/// Past it the oldest are forgotten: the memo only saves KV reads.
pub const MEMO_BYTES: usize = 128 * 1024;

thread_local! {
    /// By the digest of the source's identity: a source of any length costs the same.
    static MEMO: RefCell<Memo<(u64, f64)>> = RefCell::new(Memo::new(MEMO_BYTES));
}

fn gen_key(source: &Source) -> String {
    format!("gen:{}", store::sha256_hex(source.key().as_bytes()))
}

fn memo_key(source: &Source) -> memo::Key {
    store::sha256(source.key().as_bytes())
}

/// Bytes the memo holds (`DEBUG_MEMORY_HEADER`).
pub fn memo_bytes() -> usize {
    MEMO.with(|m| m.borrow().bytes())
}

/// The source's current generation (0 when never purged, or when KV cannot be read: a KV
/// outage must not fail image requests).
pub async fn generation(env: &Env, source: &Source) -> u64 {
    let now = js_sys::Date::now();
    let id = memo_key(source);
    if let Some(g) = MEMO.with(|m| {
        m.borrow()
            .get(&id)
            .filter(|e| now - e.1 < MEMO_MS)
            .map(|e| e.0)
    }) {
        return g;
    }
    let key = gen_key(source);
    if super::faults::on("kv-slow") {
        worker::Delay::from(std::time::Duration::from_millis(1500)).await;
    }
    let g = match env.kv(KV_BINDING) {
        Ok(_) if super::faults::on("kv-down") => 0,
        Ok(kv) => match kv.get(&key).cache_ttl(60).text().await {
            Ok(v) => v.and_then(|s| s.trim().parse().ok()).unwrap_or(0),
            Err(e) => {
                console_warn!("edgepix: KV get of a generation failed: {e}");
                0
            }
        },
        Err(_) => 0,
    };
    MEMO.with(|m| m.borrow_mut().insert(id, (g, now), 0));
    g
}

/// The message a purge request signs.
pub fn message(source: &str, exp: u64) -> String {
    signing::message("purge", source, Some(exp))
}

/// Handles a purge request: checks the signature, bumps the generation, answers its new value.
pub async fn handle(url: &Url, env: &Env, cfg: &Config, now_secs: u64) -> Result<String, Refusal> {
    if cfg.signing_keys.is_empty() {
        return Err(Refusal::new(
            404,
            "not_found",
            "purge needs SIGNING_KEYS to be set",
        ));
    }
    let q: HashMap<String, String> = url.query_pairs().into_owned().collect();
    let (Some(raw), Some(exp), Some(sig)) = (q.get("source"), q.get("exp"), q.get("sig")) else {
        return Err(Refusal::new(
            400,
            "bad_request",
            "expected ?source=...&exp=...&sig=...",
        ));
    };
    let exp: u64 = exp
        .parse()
        .map_err(|_| Refusal::new(400, "bad_request", "exp= is not a number of seconds"))?;
    if !signing::verify(&cfg.signing_keys, &message(raw, exp), sig) || exp <= now_secs {
        return Err(Refusal::new(
            403,
            "bad_signature",
            "the purge signature is wrong or expired",
        ));
    }
    // Resolve the source exactly as an image URL would, so the identity (and key) match.
    let (path, query) = raw
        .split_once('?')
        .map_or((raw.as_str(), None), |(p, q)| (p, Some(q)));
    let mut as_image = url.clone();
    as_image.set_path(&format!("/cdn-cgi/image/_/{path}"));
    as_image.set_query(query);
    let src = source::resolve(&as_image, path, cfg)
        .map_err(|e| Refusal::new(e.status(), e.code(), e.message()))?;
    let key = gen_key(&src);
    let kv = env
        .kv(KV_BINDING)
        .map_err(|e| Refusal::new(500, "no_kv", e.to_string()))?;
    let current: u64 = kv
        .get(&key)
        .text()
        .await
        .ok()
        .flatten()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(0);
    let next = current + 1;
    kv.put(&key, next.to_string())
        .map_err(|e| Refusal::new(500, "kv_write_failed", e.to_string()))?
        .execute()
        .await
        .map_err(|e| Refusal::new(503, "kv_write_failed", e.to_string()))?;
    MEMO.with(|m| {
        m.borrow_mut()
            .insert(memo_key(&src), (next, js_sys::Date::now()), 0)
    });
    Ok(serde_json::json!({"source": src.key(), "generation": next}).to_string())
}
