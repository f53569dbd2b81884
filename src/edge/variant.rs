//! Variant: the made output as the answer says it (`crate::answer`), shared with the requests
//! that waited for it, and written back where the source's freshness allows: the variant to
//! the Cache API and KV, the source's own copy to the Cache API.

use super::coalesce::{Lead, Made, Shared};
use super::fetch::Source;
use super::held::Held;
use super::key::VariantKey;
use super::respond::Body;
use super::served::{Served, Variant};
use super::store::{self, Meta};
use super::trip::Trip;
use super::writeback::Write;
use crate::answer;

pub fn made(
    t: &Trip<'_>,
    out: crate::Output,
    source: Source,
    key: VariantKey,
    lead: Option<Lead>,
) -> Served {
    let freshness = source.freshness;
    let digest = store::sha256_hex(&out.bytes);
    let meta = Meta {
        ct: answer::content_type(out.format).into(),
        etag: format!("\"{}\"", &digest[..32]),
        name: answer::file_name(&t.ir.source.file_stem(), out.format),
        notes: out.notes.join("; "),
        stored: js_sys::Date::now(),
        ttl: freshness.ttl(),
        src_etag: source.etag,
        stale: false,
        revalidate: freshness == super::freshness::Freshness::Revalidate,
        len: out.bytes.len() as u64,
        resized: answer::resized(&out),
        failed: None,
    };
    let body = out.bytes;
    if let Some(lead) = lead.filter(|_| freshness.storable()) {
        lead.share(Shared::Made(Made {
            body: body.clone(),
            meta: meta.clone(),
            cache_control: freshness.header(),
        }));
    }
    let mut writes: Vec<Write> = Vec::new();
    // the variant's write-back copy goes to JS at once (`held`), if the allowance has room
    writes.extend(Held::for_writeback(&body).and_then(|held| {
        Write::decide(
            held,
            meta.clone(),
            freshness,
            Some(key.cache_url),
            Some((key.kv_key, t.cfg.kv_retention)),
            t.cfg.max_kv_bytes,
        )
    }));
    writes.extend(
        source.copy.and_then(|(url, bytes, meta)| {
            Write::decide(bytes, meta, freshness, Some(url), None, 0)
        }),
    );
    Served::variant(Variant {
        meta,
        body: Body::Bytes(body),
        status: "MISS",
        layer: "origin",
        cache_control: freshness.header(),
        writes,
        age: None,
    })
}
