//! What the origin's `Cache-Control` allows edgepix to do with a source and its variants.
//!
//! The rule: edgepix caches no more than the origin allows. `no-store` and `private` mean
//! per-user or secret images: nothing is written to the Cache API or KV, the answer is
//! `private, no-store`, and such sources have no STALE fallback. `no-cache` means "store, but
//! ask before reusing": the variant is kept in KV with the source's ETag and revalidated with
//! the origin (If-None-Match) before every use, so an unchanged source costs a 304 and no
//! transform, and clients get `no-cache` too. Anything else is public: the TTL is the origin's
//! `s-maxage`, else `max-age`, lifted to `CACHE_TTL_FLOOR` (an origin that sends `max-age=0`
//! for public images is common; the floor is the operator's choice for those).

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// Cacheable for this many seconds (the floor already applied).
    Public(u64),
    /// Store, but revalidate with the origin before every reuse.
    Revalidate,
    /// Never stored anywhere; answered `private, no-store`.
    Private,
}

impl Freshness {
    /// From the origin's `Cache-Control` (None when it sent none).
    pub fn from_cache_control(cc: Option<&str>, floor: u64) -> Freshness {
        let cc = cc.unwrap_or("").to_ascii_lowercase();
        let directives: Vec<&str> = cc.split(',').map(str::trim).collect();
        let has = |d: &str| {
            directives
                .iter()
                .any(|x| *x == d || x.starts_with(&format!("{d}=")))
        };
        if has("no-store") || has("private") {
            return Freshness::Private;
        }
        if has("no-cache") {
            return Freshness::Revalidate;
        }
        let value = |name: &str| {
            directives
                .iter()
                .find_map(|d| d.strip_prefix(name)?.strip_prefix('='))
                .and_then(|v| v.trim_matches('"').parse::<u64>().ok())
        };
        let ttl = value("s-maxage").or_else(|| value("max-age")).unwrap_or(0);
        Freshness::Public(ttl.max(floor))
    }

    /// Seconds a stored copy is fresh for (0: revalidate first).
    pub fn ttl(self) -> u64 {
        match self {
            Freshness::Public(t) => t,
            Freshness::Revalidate | Freshness::Private => 0,
        }
    }

    /// Whether a copy may be written to KV (the Cache API needs a TTL as well).
    pub fn storable(self) -> bool {
        self != Freshness::Private
    }

    /// The `Cache-Control` edgepix answers with.
    pub fn header(self) -> String {
        match self {
            Freshness::Public(t) => format!("public, max-age={t}"),
            Freshness::Revalidate => "public, no-cache".into(),
            Freshness::Private => "private, no-store".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Freshness::{self, *};

    #[test]
    fn private_sources_are_never_made_public() {
        let f = |cc, floor| Freshness::from_cache_control(cc, floor);
        assert_eq!(f(Some("no-store"), 3600), Private);
        assert_eq!(f(Some("private, max-age=600"), 3600), Private);
        assert_eq!(f(Some("Private"), 0), Private);
        assert_eq!(f(Some("no-cache"), 3600), Revalidate);
        assert_eq!(f(Some("public, max-age=60"), 3600), Public(3600));
        assert_eq!(f(Some("max-age=600, s-maxage=86400"), 0), Public(86400));
        assert_eq!(f(None, 3600), Public(3600));
        assert_eq!(f(None, 0), Public(0));
        assert_eq!(Private.header(), "private, no-store");
        assert!(!Private.storable());
        assert_eq!(Revalidate.ttl(), 0);
    }
}
