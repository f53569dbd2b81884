//! The two cache layers: the Cache API (per data centre, fast, evictable) and KV (global,
//! durable, eventually consistent). Both are best effort: every error here is logged and
//! treated as a miss, never returned to the client.

use super::held::Held;
use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use worker::{console_warn, Cache, Env, Headers, Response, Url};

/// Everything needed to rebuild a variant's response headers. Stored as KV metadata (limit
/// 1024 bytes) and as the `x-edgepix-meta` header of the Cache API copy.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Meta {
    /// Content-Type
    pub ct: String,
    /// Strong ETag (quoted), a hash of the body.
    pub etag: String,
    /// Download name for Content-Disposition.
    pub name: String,
    /// The engine's notes, `; `-joined.
    #[serde(default)]
    pub notes: String,
    /// Unix ms when the variant was made.
    pub stored: f64,
    /// Freshness lifetime in seconds.
    pub ttl: u64,
    /// ETag of the source it was made from, when the origin sent one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub src_etag: Option<String>,
    /// Served during an origin outage (Cache API copies of a stale KV entry).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub stale: bool,
    /// The origin said `no-cache`: revalidate with it before every reuse.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub revalidate: bool,
    /// Body length, for Content-Length when a stored body is streamed through.
    #[serde(default)]
    pub len: u64,
    /// What the engine did, for `x-edgepix-resized` on hits too.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub resized: String,
    /// A remembered failure (`failure.rs`): the entry stands for a refusal, not a variant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed: Option<Failed>,
}

/// A refusal as stored (the code is read back through `failure::remembered`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Failed {
    pub status: u16,
    pub code: String,
    pub message: String,
}

impl Meta {
    pub fn is_fresh(&self, now_ms: f64) -> bool {
        !self.revalidate && now_ms < self.stored + self.ttl as f64 * 1000.0
    }

    /// Whole seconds since it was made, at `now_ms` (`Age`).
    pub fn age(&self, now_ms: f64) -> u64 {
        ((now_ms - self.stored) / 1000.0).max(0.0) as u64
    }

    /// Seconds of freshness left at `now_ms`.
    pub fn left(&self, now_ms: f64) -> u64 {
        ((self.stored + self.ttl as f64 * 1000.0 - now_ms) / 1000.0).max(0.0) as u64
    }
}

pub struct Entry {
    pub body: Held,
    pub meta: Meta,
}

/// SHA-256 as lowercase hex, computed in wasm: every request hashes its key, and
/// SubtleCrypto's digest is a promise, so each hit paid a trip through the event loop and
/// three copies across the JS boundary for a hash of about 200 bytes. The bytes (and so every
/// cache key and ETag) are the same as before.
pub fn sha256_hex(data: &[u8]) -> String {
    hex(&sha256(data))
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256, the raw digest (the key of every per-isolate map, `memo`).
pub fn sha256(data: &[u8]) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    Sha256::digest(data).into()
}

/// The synthetic URL a variant (`kind` = "v") or a source (`kind` = "s") is stored under in
/// the Cache API. It lives on the request's own host, since the Cache API is per zone.
pub fn cache_url(host_origin: &Url, kind: &str, hash: &str) -> String {
    let mut u = host_origin.clone();
    u.set_path(&format!("/__edgepix-cache/{kind}/{hash}"));
    u.set_query(None);
    u.set_fragment(None);
    u.to_string()
}

pub fn kv_key(kind: &str, hash: &str) -> String {
    format!("{kind}:{hash}")
}

/// A Cache API entry with the metadata edgepix stored beside it; a miss, an error (logged) and
/// an entry without readable metadata are all `None`.
async fn cached(url: &str) -> Option<(Meta, Response)> {
    if super::faults::on("cache-down") {
        return None;
    }
    let resp = match Cache::default().get(url, true).await {
        Ok(Some(r)) => r,
        Ok(None) => return None,
        Err(e) => {
            console_warn!("edgepix: cache API get failed: {e}");
            return None;
        }
    };
    let meta: Meta = resp
        .headers()
        .get("x-edgepix-meta")
        .ok()
        .flatten()
        .and_then(|m| serde_json::from_str(&m).ok())?;
    Some((meta, resp))
}

/// A Cache API hit as metadata and the stored body's stream: a hit is answered without the
/// bytes passing through wasm memory.
pub async fn cache_lookup(url: &str) -> Option<(Meta, worker::ResponseBody)> {
    let (meta, resp) = cached(url).await?;
    Some((meta, resp.into_parts().1))
}

/// A source's own copy from the Cache API, read into wasm for the transform.
pub async fn cache_get(url: &str) -> Option<(Meta, Vec<u8>)> {
    let (meta, mut resp) = cached(url).await?;
    let body = resp.bytes().await.ok()?;
    Some((meta, body))
}

/// Stores with `max-age` = what is left of the entry's lifetime (or `ttl_override`). The body
/// goes from its JS copy into the Response: it never enters wasm memory here.
pub async fn cache_put(url: String, body: &Held, meta: &Meta, ttl: u64) {
    if ttl == 0 || super::faults::on("cache-down") {
        return;
    }
    let headers = Headers::new();
    let meta_json = serde_json::to_string(meta).unwrap_or_default();
    let ok = headers.set("content-type", &meta.ct).is_ok()
        && headers
            .set("cache-control", &format!("public, max-age={ttl}"))
            .is_ok()
        && headers.set("x-edgepix-meta", &meta_json).is_ok();
    if !ok {
        return;
    }
    let init = web_sys::ResponseInit::new();
    init.set_status(200);
    init.set_headers(headers.0.as_ref());
    let resp =
        match web_sys::Response::new_with_opt_buffer_source_and_init(Some(body.array()), &init) {
            Ok(r) => Response::from(r),
            Err(e) => {
                console_warn!("edgepix: cache API put failed: {e:?}");
                return;
            }
        };
    if let Err(e) = Cache::default().put(url.as_str(), resp).await {
        console_warn!("edgepix: cache API put failed: {e}");
    }
}

/// The KV namespace's JS object and one of its methods: the crate's KV API copies every value
/// through a wasm `Vec`, and a stored variant has no business in wasm memory.
fn kv_method(env: &Env, name: &str) -> Option<(JsValue, js_sys::Function)> {
    let kv = js_sys::Reflect::get(env.as_ref(), &super::config::KV_BINDING.into()).ok()?;
    let f = js_sys::Reflect::get(&kv, &name.into())
        .ok()?
        .dyn_into()
        .ok()?;
    Some((kv, f))
}

/// A KV entry with its metadata; the body stays in JS (`Held`).
pub async fn kv_get(env: &Env, key: &str) -> Option<Entry> {
    if super::faults::on("kv-slow") {
        worker::Delay::from(std::time::Duration::from_millis(1500)).await;
    }
    if super::faults::on("kv-down") {
        console_warn!("edgepix: KV get failed: injected fault kv-down");
        return None;
    }
    let (kv, get) = kv_method(env, "getWithMetadata")?;
    let options = js_sys::Object::new();
    js_sys::Reflect::set(&options, &"type".into(), &"arrayBuffer".into()).ok()?;
    let got = match get.call2(&kv, &key.into(), &options) {
        Ok(p) => JsFuture::from(js_sys::Promise::from(p)).await,
        Err(e) => Err(e),
    };
    let got = match got {
        Ok(v) => v,
        Err(e) => {
            console_warn!("edgepix: KV get failed: {e:?}");
            return None;
        }
    };
    let value = js_sys::Reflect::get(&got, &"value".into()).ok()?;
    let buffer: js_sys::ArrayBuffer = value.dyn_into().ok()?;
    let metadata = js_sys::Reflect::get(&got, &"metadata".into()).ok()?;
    let json: String = js_sys::JSON::stringify(&metadata).ok()?.into();
    let meta: Meta = serde_json::from_str(&json).ok()?;
    Some(Entry {
        body: Held::adopt(js_sys::Uint8Array::new(&buffer)),
        meta,
    })
}

pub async fn kv_put(env: &Env, key: String, body: &Held, meta: Meta, retention: u64) {
    if super::faults::on("kv-down") {
        console_warn!("edgepix: KV put failed: injected fault kv-down");
        return;
    }
    let Some((kv, put)) = kv_method(env, "put") else {
        return;
    };
    let options = js_sys::Object::new();
    let metadata = serde_json::to_string(&meta)
        .ok()
        .and_then(|m| js_sys::JSON::parse(&m).ok());
    let set = metadata
        .is_some_and(|m| js_sys::Reflect::set(&options, &"metadata".into(), &m).is_ok())
        && js_sys::Reflect::set(
            &options,
            &"expirationTtl".into(),
            &JsValue::from_f64(retention.max(60) as f64),
        )
        .is_ok();
    if !set {
        return;
    }
    let result = match put.call3(&kv, &key.into(), &body.array().buffer(), &options) {
        Ok(p) => JsFuture::from(js_sys::Promise::from(p)).await,
        Err(e) => Err(e),
    };
    if let Err(e) = result {
        console_warn!("edgepix: KV put failed: {e:?}");
    }
}
