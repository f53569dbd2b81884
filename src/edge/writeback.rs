//! The one write-back path: after an answer is sent, what it made is stored where its
//! freshness allows, in `ctx.wait_until` so that no write delays a response. Storage errors are
//! logged and ignored (a cache layer failing only makes later requests slower).

use super::freshness::Freshness;
use super::held::Held;
use super::store::{self, Meta};
use worker::{Context, Env};

/// Where one entry goes.
pub struct Write {
    /// In JS (`held`): a body waiting for a write must not sit in wasm memory.
    pub body: Held,
    pub meta: Meta,
    /// Cache API: the URL and max-age (skipped when 0).
    pub cache: Option<(String, u64)>,
    /// KV: the key and how long KV keeps it (the STALE window).
    pub kv: Option<(String, u64)>,
}

impl Write {
    /// Where a variant (or a source's bytes, without KV) may be written, decided from the
    /// origin's freshness alone: private sources are written nowhere; sources to revalidate
    /// only to KV, where the next request finds the source ETag to revalidate with.
    pub fn decide(
        body: Held,
        meta: Meta,
        freshness: Freshness,
        cache_url: Option<String>,
        kv: Option<(String, u64)>,
        max_kv_bytes: usize,
    ) -> Option<Write> {
        if !freshness.storable() {
            return None;
        }
        let ttl = freshness.ttl();
        let cache = cache_url.filter(|_| ttl > 0).map(|u| (u, ttl));
        let kv = kv
            .filter(|_| body.len() <= max_kv_bytes as u64)
            .map(|(k, retention)| (k, retention.max(ttl)));
        (cache.is_some() || kv.is_some()).then_some(Write {
            body,
            meta,
            cache,
            kv,
        })
    }
}

/// Runs the writes after the response.
pub fn schedule(ctx: &Context, env: &Env, writes: Vec<Write>) {
    if writes.is_empty() {
        return;
    }
    let env = env.clone();
    ctx.wait_until(async move {
        for w in writes {
            let Write {
                body,
                meta,
                cache,
                kv,
            } = w;
            match (cache, kv) {
                (Some((url, ttl)), Some((key, retention))) => {
                    store::cache_put(url, &body, &meta, ttl).await;
                    store::kv_put(&env, key, &body, meta, retention).await;
                }
                (Some((url, ttl)), None) => store::cache_put(url, &body, &meta, ttl).await,
                (None, Some((key, retention))) => {
                    store::kv_put(&env, key, &body, meta, retention).await
                }
                (None, None) => {}
            }
        }
    });
}
