//! Failure: a variant that could not be made is remembered for a short while, so that asking
//! again does not fetch and decode the source again. Ten identical requests for an output too
//! large each fetched the source (issue #18); a stranger repeating one failing URL made the
//! origin do the work of every request.
//!
//! A refusal listed in [`REMEMBERED`] is kept under the variant's key, with its reason, in two
//! places: this isolate's memo (checked synchronously when a request takes its turn, so that a
//! request arriving just after its leader failed does not lead again) and the Cache API at the
//! variant's own URL (for the location's other isolates; the variant lookup reads that URL
//! anyway, so remembering costs no extra read). The entry lives where the variant would: per
//! source, options, generation and arm, so a purge forgets it with the variants, and one
//! variant over budget is not the answer of a smaller one.
//!
//! How long: the origin's statuses for `ORIGIN_SECS` (it may recover, or a missing image be
//! uploaded, and that must show soon); what the bytes and the options decide (too large,
//! undecodable, over budget) for `BYTES_SECS`. Not remembered: `busy` (this isolate's moment),
//! timeouts and unreachable origins (the network's moment, and a stale copy may serve), and
//! `internal` (a bug must not be hidden).

use super::coalesce::{Lead, Shared};
use super::key::VariantKey;
use super::memo::{Key, Memo};
use super::route::Refusal;
use super::served::Served;
use super::store::{Failed, Meta};
use super::writeback::Write;
use std::cell::RefCell;

/// Seconds an origin's error status is remembered.
pub const ORIGIN_SECS: u64 = 10;
/// Seconds a failure decided by the source's bytes and the options is remembered.
pub const BYTES_SECS: u64 = 60;
/// The failures this isolate remembers, in bytes (docs/RELIABILITY.md section 7).
pub const MEMO_BYTES: usize = 64 * 1024;

/// Each remembered refusal code and for how long: the one place that decides.
const REMEMBERED: &[(&str, u64)] = &[
    ("source_not_found", ORIGIN_SECS),
    ("origin_error", ORIGIN_SECS),
    ("redirect_loop", ORIGIN_SECS),
    ("source_forbidden", BYTES_SECS),
    ("input_too_large", BYTES_SECS),
    ("too_many_pixels", BYTES_SECS),
    ("output_too_large", BYTES_SECS),
    ("too_many_frames", BYTES_SECS),
    ("over_memory_budget", BYTES_SECS),
    ("unsupported_format", BYTES_SECS),
    ("corrupt_image", BYTES_SECS),
];

thread_local! {
    /// Variant digest -> the refusal and when it is forgotten (ms).
    static MEMO: RefCell<Memo<(Refusal, f64)>> = RefCell::new(Memo::new(MEMO_BYTES));
}

/// The code as a static string and how long it is remembered; `None` when it is not.
fn remembered(code: &str) -> Option<(&'static str, u64)> {
    REMEMBERED.iter().find(|(c, _)| *c == code).copied()
}

/// The refusal this isolate remembers for the variant `key`, if it is still fresh.
pub fn recall(key: &Key, now_ms: f64) -> Option<Refusal> {
    MEMO.with(|m| {
        m.borrow()
            .get(key)
            .filter(|(_, until)| now_ms < *until)
            .map(|(r, _)| r.clone())
    })
}

/// The refusal a Cache API entry stands for, when it is a remembered failure.
pub fn of_meta(meta: &Meta) -> Option<Refusal> {
    let f = meta.failed.as_ref()?;
    let (code, _) = remembered(&f.code)?;
    Some(Refusal::new(f.status, code, f.message.clone()))
}

/// The leader's failed answer: handed to its waiters, remembered when it is listed, and with
/// it the Cache API write that remembers it for the location.
pub fn answered(key: &VariantKey, served: Served, lead: Option<Lead>, now_ms: f64) -> Served {
    let Served::Refused(r) = served else {
        return served; // a stale or revalidated variant, a redirect: the waiters go alone
    };
    if r.code == "busy" {
        return Served::Refused(r);
    }
    if let Some(lead) = lead {
        lead.share(Shared::Refused(r.clone()));
    }
    let Some((_, secs)) = remembered(r.code) else {
        return Served::Refused(r);
    };
    let heap = r.message.capacity();
    MEMO.with(|m| {
        m.borrow_mut()
            .insert(key.hash, (r.clone(), now_ms + secs as f64 * 1000.0), heap)
    });
    let write = Write {
        body: super::held::Held::copy(&[]),
        meta: meta(&r, now_ms, secs),
        cache: Some((key.cache_url.clone(), secs)),
        kv: None,
    };
    Served::Remembered(r, Box::new(write))
}

fn meta(r: &Refusal, now_ms: f64, secs: u64) -> Meta {
    Meta {
        ct: crate::answer::JSON_CONTENT_TYPE.into(),
        etag: String::new(),
        name: String::new(),
        notes: String::new(),
        stored: now_ms,
        ttl: secs,
        src_etag: None,
        stale: false,
        revalidate: false,
        len: 0,
        resized: String::new(),
        failed: Some(Failed {
            status: r.status,
            code: r.code.into(),
            message: r.message.clone(),
        }),
    }
}

/// Bytes the memo holds (`DEBUG_MEMORY_HEADER`).
pub fn memo_bytes() -> usize {
    MEMO.with(|m| m.borrow().bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_failure_reads_back_only_when_its_code_is_remembered() {
        let r = Refusal::new(413, "output_too_large", "too big");
        let m = meta(&r, 0.0, BYTES_SECS);
        assert_eq!(of_meta(&m), Some(r));
        let mut m = m;
        m.failed.as_mut().unwrap().code = "internal".into();
        assert_eq!(of_meta(&m), None);
        assert!(remembered("busy").is_none());
        assert!(remembered("origin_timeout").is_none());
        assert_eq!(
            remembered("source_not_found"),
            Some(("source_not_found", 10))
        );
    }
}
