//! Key: what a variant is stored under. The engine version, the options resolved for this
//! client (the same value the plan is made from), the source's identity and its purge
//! generation: equal keys mean equal bytes, and a purge or a deploy that changes bytes moves
//! every key.

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
    /// The Cache API URL of the source bytes (shared by every variant of one source).
    pub source_cache_url: String,
}

impl VariantKey {
    pub async fn new(
        request_url: &Url,
        resolved: &Resolved,
        source: &Source,
        generation: u64,
    ) -> worker::Result<VariantKey> {
        let text = key_text(resolved, source, generation);
        let hash = store::sha256_hex(text.as_bytes()).await?;
        let src_text = format!("src\n{}\n{generation}", source.key());
        let src_hash = store::sha256_hex(src_text.as_bytes()).await?;
        Ok(VariantKey {
            cache_url: store::cache_url(request_url, "v", &hash),
            kv_key: store::kv_key("v2", &hash),
            source_cache_url: store::cache_url(request_url, "s", &src_hash),
        })
    }
}

/// The text a variant key hashes.
pub fn key_text(resolved: &Resolved, source: &Source, generation: u64) -> String {
    format!(
        "{ENGINE_VERSION}\n{}\n{}\n{generation}",
        resolved.canonical(),
        source.key()
    )
}
