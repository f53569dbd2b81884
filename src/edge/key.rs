//! Key: what a variant is stored under. The engine version, the options resolved for this
//! client (the same value the plan is made from), the source's identity and its purge
//! generation, and the experiment arms it was placed in: equal keys mean equal bytes, a purge
//! or a deploy that changes bytes moves every key, and two arms never share an entry (even
//! a control arm without overrides, so that its cache hit rate is measured on its own).

use super::memo;
use super::source::Source;
use super::store;
use crate::resolve::Resolved;
use crate::ENGINE_VERSION;
use worker::Url;

pub struct VariantKey {
    /// The Cache API URL of the variant.
    pub cache_url: String,
    /// The KV key of the variant.
    pub kv_key: String,
    /// The digest both are made from (the key of the per-isolate maps).
    pub hash: memo::Key,
    /// What the source's Cache API URL is made from; hashed only on a miss
    /// ([`VariantKey::source_cache_url`]), so a hit costs one digest, not two.
    source_text: String,
    request_url: Url,
}

impl VariantKey {
    pub fn new(
        request_url: &Url,
        resolved: &Resolved,
        source: &Source,
        generation: u64,
        arms: &str,
    ) -> VariantKey {
        let text = key_text(resolved, source, generation, arms);
        let digest = store::sha256(text.as_bytes());
        let hash = store::hex(&digest);
        VariantKey {
            cache_url: store::cache_url(request_url, "v", &hash),
            kv_key: store::kv_key("v2", &hash),
            hash: digest,
            source_text: format!("src\n{}\n{generation}", source.key()),
            request_url: request_url.clone(),
        }
    }

    /// The Cache API URL of the source bytes (shared by every variant of one source).
    pub fn source_cache_url(&self) -> String {
        let hash = store::sha256_hex(self.source_text.as_bytes());
        store::cache_url(&self.request_url, "s", &hash)
    }
}

/// The text a variant key hashes.
pub fn key_text(resolved: &Resolved, source: &Source, generation: u64, arms: &str) -> String {
    format!(
        "{ENGINE_VERSION}\n{}\n{}\n{generation}\n{arms}",
        resolved.canonical(),
        source.key()
    )
}
