//! Where a source image comes from: the `<source>` part of `/cdn-cgi/image/<options>/<source>`
//! resolved against the configuration, and the rule every redirect hop is held to.
//!
//! Both are pure (no fetch, no `Env`) so they are tested natively. The rules, each with the
//! test that checks it, are in docs/reliability-ssrf.md:
//! * userinfo (`https://user:pass@host/`, `https://host@evil/`) is refused: 400 `bad_source`;
//! * a host that is not a public unicast address (loopback, RFC 1918, link-local, unique-local,
//!   IPv4-mapped ... in any spelling `url` accepts) or a name that only resolves locally
//!   (`localhost`, `*.internal` ...) is refused, 403 `source_forbidden`, unless an
//!   `ALLOWED_ORIGINS` pattern names it literally: no wildcard admits it;
//! * a path that climbs (`..` in any encoding an origin might decode) is refused: 400
//!   `bad_source`;
//! * a relative source stays under `ORIGIN_BASE`'s path; its redirects may stay on
//!   `ORIGIN_BASE`'s origin or go where the allowlist admits, like any other hop.

use super::allow::Allowlist;
use super::config::Config;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use worker::Url;

/// A source, decided once from the request.
#[derive(Debug, Clone)]
pub struct Source {
    pub place: Place,
    /// The source's query string (without `?`), kept apart from `place` so that one policy
    /// decides what reaches the cache key and the fetch: see [`source_query`].
    pub query: Option<String>,
}

#[derive(Debug, Clone)]
pub enum Place {
    /// A path in the Worker's own static assets (starts with `/`).
    Asset(String),
    /// An http(s) URL without its query string.
    Remote { url: Url, scope: Scope },
}

/// What the redirect hops of a remote source are held to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// An absolute source: every hop must be admitted by `ALLOWED_ORIGINS`.
    Allowlist,
    /// A relative source under `ORIGIN_BASE` (the URL held here): a hop may stay on its origin
    /// (the operator named it), anywhere else it must be admitted by `ALLOWED_ORIGINS`.
    Base(Url),
}

/// Why a source (or a redirect hop) is refused. [`SourceError::status`] and
/// [`SourceError::code`] are the one place these map to HTTP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceError {
    /// Neither a path nor an http(s) URL, or a URL that does not parse.
    Malformed(&'static str),
    /// `user[:password]@` in the authority.
    Userinfo,
    /// A `..` segment in some encoding (`..%2F`, `%2e%2e`, `..%5C`, `%252e%252e`, `..;`).
    Traversal,
    /// A control character (`%00` ...) in the decoded path.
    ControlCharacter,
    /// A host that is not a public address, and no pattern names it literally.
    NonPublic { host: String, reason: &'static str },
    /// No `ALLOWED_ORIGINS` pattern matches.
    NotAllowed,
}

impl SourceError {
    pub fn status(&self) -> u16 {
        match self {
            SourceError::Malformed(_)
            | SourceError::Userinfo
            | SourceError::Traversal
            | SourceError::ControlCharacter => 400,
            SourceError::NonPublic { .. } | SourceError::NotAllowed => 403,
        }
    }

    pub fn code(&self) -> &'static str {
        if self.status() == 400 {
            "bad_source"
        } else {
            "source_forbidden"
        }
    }

    pub fn message(&self) -> String {
        match self {
            SourceError::Malformed(m) => (*m).to_string(),
            SourceError::Userinfo => {
                "the source URL carries credentials (user@ or user:password@): refused".into()
            }
            SourceError::Traversal => {
                "the source path climbs out of its directory ('..' in some encoding)".into()
            }
            SourceError::ControlCharacter => "the source path holds a control character".into(),
            SourceError::NonPublic { host, reason } => format!(
                "the source host {host} is {reason}; only an ALLOWED_ORIGINS pattern naming it \
                 literally admits it"
            ),
            SourceError::NotAllowed => {
                "the source URL is not in the allowlist (ALLOWED_ORIGINS)".into()
            }
        }
    }
}

impl Source {
    /// Stable identity used in cache keys.
    pub fn key(&self) -> String {
        match &self.place {
            Place::Asset(p) => format!("asset:{p}"),
            Place::Remote { .. } => self.public_url(),
        }
    }

    /// What `onerror=redirect` sends the client to.
    pub fn public_url(&self) -> String {
        match &self.place {
            Place::Asset(p) => p.clone(),
            Place::Remote { url, .. } => with_query(url, self.query.as_deref()).to_string(),
        }
    }

    /// The last path segment, for Content-Disposition.
    pub fn file_stem(&self) -> String {
        let path = match &self.place {
            Place::Asset(p) => p.as_str(),
            Place::Remote { url, .. } => url.path(),
        };
        let last = path.rsplit('/').next().unwrap_or("");
        let stem = last.rsplit_once('.').map(|(s, _)| s).unwrap_or(last);
        let clean: String = stem
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                    c
                } else {
                    '_'
                }
            })
            .take(80)
            .collect();
        if clean.is_empty() {
            "image".into()
        } else {
            clean
        }
    }
}

/// `url` with `query` as its query string (the one place the two are joined).
pub fn with_query(url: &Url, query: Option<&str>) -> Url {
    let mut u = url.clone();
    u.set_query(query);
    u
}

/// Resolves `raw_source` (the path after `/cdn-cgi/image/<options>/`, still percent-encoded as
/// the request URL has it) into a [`Source`]. The request's query string is the source's.
pub fn resolve(request_url: &Url, raw_source: &str, cfg: &Config) -> Result<Source, SourceError> {
    let lower = raw_source.to_ascii_lowercase();
    let place = if lower.starts_with("http:/") || lower.starts_with("https:/") {
        absolute(raw_source, &cfg.allow)?
    } else if lower.contains("://") {
        return Err(SourceError::Malformed(
            "the source must be a path or an http(s) URL",
        ));
    } else {
        relative(raw_source, cfg.origin_base.as_ref())?
    };
    let query = source_query(&place, request_url.query(), cfg);
    Ok(Source { place, query })
}

/// An overlay's `url` (`draw[i].url`) as a [`Source`]: the same rules as the request's own
/// source (allowlist, non-public hosts, traversal), its query string under the same
/// `SOURCE_QUERY` policy. A path is relative to `ORIGIN_BASE` or the Worker's assets, as a
/// relative source is.
pub fn resolve_overlay(
    request_url: &Url,
    overlay_url: &str,
    cfg: &Config,
) -> Result<Source, SourceError> {
    let without_fragment = overlay_url.split('#').next().unwrap_or_default();
    let (raw, query) = match without_fragment.split_once('?') {
        Some((r, q)) => (r, Some(q)),
        None => (without_fragment, None),
    };
    resolve(&with_query(request_url, query), raw, cfg)
}

/// What of a source's query string reaches the cache key and the origin (`SOURCE_QUERY`).
///
/// A query the origin ignores (`?v=<random>`) would otherwise make every request a new source:
/// a new fetch and a new transform each time, a cheap flood. So the default drops it; an
/// operator whose origin serves different images by query says which parameters matter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryPolicy {
    /// `drop` (the default): no query reaches the origin or the key.
    Drop,
    /// `keep`: the whole query, as received.
    Keep,
    /// `v,version` (names) or a JSON array of `{"pattern": "<ALLOWED_ORIGINS pattern>",
    /// "keep": ["v"]}`: only the named parameters, in their received order; a pattern limits
    /// the rule to the sources it matches (first matching rule wins, no match drops all).
    Allow(Vec<(Option<Allowlist>, Vec<String>)>),
}

impl QueryPolicy {
    pub fn parse(spec: &str) -> Result<QueryPolicy, String> {
        let spec = spec.trim();
        match spec {
            "drop" | "" => return Ok(QueryPolicy::Drop),
            "keep" => return Ok(QueryPolicy::Keep),
            _ => {}
        }
        if spec.starts_with('[') {
            let v: serde_json::Value =
                serde_json::from_str(spec).map_err(|e| format!("SOURCE_QUERY: {e}"))?;
            let mut rules = Vec::new();
            for r in v.as_array().into_iter().flatten() {
                let pattern = match r.get("pattern").and_then(|p| p.as_str()) {
                    Some(p) => Some(Allowlist::parse(p)?),
                    None => None,
                };
                let keep = r
                    .get("keep")
                    .and_then(|k| k.as_array())
                    .ok_or("SOURCE_QUERY: each rule needs \"keep\": [names]")?
                    .iter()
                    .filter_map(|n| n.as_str().map(str::to_string))
                    .collect();
                rules.push((pattern, keep));
            }
            return Ok(QueryPolicy::Allow(rules));
        }
        let names = spec
            .split(',')
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty())
            .collect();
        Ok(QueryPolicy::Allow(vec![(None, names)]))
    }

    /// The query a remote source at `url` keeps of `raw`.
    pub fn apply(&self, url: &Url, raw: Option<&str>) -> Option<String> {
        let raw = raw.filter(|q| !q.is_empty())?;
        let names = match self {
            QueryPolicy::Drop => return None,
            QueryPolicy::Keep => return Some(raw.to_string()),
            QueryPolicy::Allow(rules) => {
                &rules
                    .iter()
                    .find(|(p, _)| p.as_ref().is_none_or(|a| a.allows(url)))?
                    .1
            }
        };
        let kept: Vec<&str> = raw
            .split('&')
            .filter(|pair| {
                let name = pair.split('=').next().unwrap_or("");
                names.iter().any(|n| n == name)
            })
            .collect();
        (!kept.is_empty()).then(|| kept.join("&"))
    }
}

/// Static assets do not vary by query; a remote source keeps what `SOURCE_QUERY` says.
fn source_query(place: &Place, raw: Option<&str>, cfg: &Config) -> Option<String> {
    match place {
        Place::Asset(_) => None,
        Place::Remote { url, .. } => cfg.source_query.apply(url, raw),
    }
}

fn absolute(raw: &str, allow: &Allowlist) -> Result<Place, SourceError> {
    // Some clients collapse `//` in paths: accept `https:/host/...` too.
    let (scheme, after) = raw.split_once(':').unwrap_or(("", raw));
    let after = after.trim_start_matches('/');
    let url = Url::parse(&format!("{scheme}://{after}"))
        .map_err(|_| SourceError::Malformed("the source URL cannot be parsed"))?;
    admit(&url, &Scope::Allowlist, allow)?;
    Ok(Place::Remote {
        url,
        scope: Scope::Allowlist,
    })
}

fn relative(raw: &str, base: Option<&Url>) -> Result<Place, SourceError> {
    // Never let `//host/x` turn into a protocol-relative URL.
    let rel = raw.trim_start_matches('/');
    if rel.is_empty() {
        return Err(SourceError::Malformed("the source path is empty"));
    }
    check_path(rel)?;
    let Some(base) = base else {
        return Ok(Place::Asset(format!("/{rel}")));
    };
    // ORIGIN_BASE's path is a directory whether or not it ends in `/`, so that
    // `https://o/images` + `a.jpg` is `https://o/images/a.jpg`, never `https://o/a.jpg`.
    let mut dir = base.path().to_string();
    if !dir.ends_with('/') {
        dir.push('/');
    }
    let mut url = base.clone();
    url.set_query(None);
    url.set_fragment(None);
    url.set_path(&format!("{dir}{rel}"));
    // `check_path` already refused every `..`; this states the guarantee itself.
    if url.origin() != base.origin() || !url.path().starts_with(&dir) {
        return Err(SourceError::Traversal);
    }
    Ok(Place::Remote {
        url,
        scope: Scope::Base(base.clone()),
    })
}

/// Whether `url` may be fetched: an absolute source, or any hop a redirect leads to.
pub fn admit(url: &Url, scope: &Scope, allow: &Allowlist) -> Result<(), SourceError> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(SourceError::NotAllowed);
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(SourceError::Userinfo);
    }
    check_path(url.path())?;
    if let Scope::Base(base) = scope {
        if url.origin() == base.origin() {
            return Ok(());
        }
    }
    if let Some(reason) = non_public(url) {
        return if allow.names_literally(url) {
            Ok(())
        } else {
            Err(SourceError::NonPublic {
                host: url.host_str().unwrap_or_default().to_string(),
                reason,
            })
        };
    }
    if allow.allows(url) {
        Ok(())
    } else {
        Err(SourceError::NotAllowed)
    }
}

/// Decoding rounds tried before a path counts as encoded deeper than any real name is.
const MAX_DECODE_ROUNDS: usize = 4;

/// Refuses a path that climbs in a spelling some origin decodes before it resolves dot
/// segments: `..%2F`, `%2e%2e/`, `..%5C` or `..\` (IIS, Windows), `..;/` (Tomcat's path
/// parameters), and the same encoded twice or more (`%252e%252e%252f`). The request URL's own
/// parser already resolved literal `..` and single-encoded `%2e%2e` segments before this sees
/// the path; this catches what it leaves. `%2F` alone is kept (some storage APIs put it in
/// object names) since it cannot climb without a `..` segment.
fn check_path(path: &str) -> Result<(), SourceError> {
    let mut cur = path.as_bytes().to_vec();
    for _ in 0..MAX_DECODE_ROUNDS {
        let climbs = cur
            .split(|&b| b == b'/' || b == b'\\')
            .any(|seg| seg == b".." || seg.starts_with(b"..;"));
        if climbs {
            return Err(SourceError::Traversal);
        }
        if cur.iter().any(|&b| b < 0x20 || b == 0x7f) {
            return Err(SourceError::ControlCharacter);
        }
        let next = percent_decode(&cur);
        if next == cur {
            return Ok(());
        }
        cur = next;
    }
    Err(SourceError::Traversal)
}

/// One round of `%XX` decoding; a `%` not followed by two hex digits stays as it is.
fn percent_decode(s: &[u8]) -> Vec<u8> {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if s[i] == b'%' && i + 2 < s.len() {
            if let (Some(h), Some(l)) = (hex(s[i + 1]), hex(s[i + 2])) {
                out.push(h << 4 | l);
                i += 3;
                continue;
            }
        }
        out.push(s[i]);
        i += 1;
    }
    out
}

/// Why the host of `url` is not a public unicast address, or a name only a local resolver
/// answers; `None` for an ordinary public host. `url` has already turned every IPv4 spelling
/// (`2130706433`, `0177.0.0.1`, `0x7f.1`, full-width digits) into a dotted quad and compressed
/// IPv6, so one parse of `host_str` sees every literal.
fn non_public(url: &Url) -> Option<&'static str> {
    let host = url.host_str()?;
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return match ip {
            IpAddr::V4(a) => non_public_v4(a),
            IpAddr::V6(a) => non_public_v6(a),
        };
    }
    let name = host.trim_end_matches('.');
    let under = |tld: &str| name == tld || name.ends_with(&format!(".{tld}"));
    if under("localhost") {
        Some("a loopback name (RFC 6761)")
    } else if under("local") {
        Some("a link-local multicast DNS name (RFC 6762)")
    } else if under("internal") || under("home.arpa") {
        Some("a private-use name (.internal, .home.arpa)")
    } else {
        None
    }
}

/// IPv4 ranges that are not globally reachable unicast (IANA special-purpose registry).
const V4_RANGES: &[([u8; 4], u8, &str)] = &[
    (
        [0, 0, 0, 0],
        8,
        "an unspecified or this-network address (0.0.0.0/8)",
    ),
    ([10, 0, 0, 0], 8, "a private address (RFC 1918)"),
    (
        [100, 64, 0, 0],
        10,
        "a shared CGNAT address (100.64.0.0/10)",
    ),
    ([127, 0, 0, 0], 8, "a loopback address"),
    (
        [169, 254, 0, 0],
        16,
        "a link-local address (169.254.0.0/16)",
    ),
    ([172, 16, 0, 0], 12, "a private address (RFC 1918)"),
    (
        [192, 0, 0, 0],
        24,
        "an IETF protocol address (192.0.0.0/24)",
    ),
    ([192, 0, 2, 0], 24, "a documentation address"),
    (
        [192, 88, 99, 0],
        24,
        "a 6to4 relay address (192.88.99.0/24)",
    ),
    ([192, 168, 0, 0], 16, "a private address (RFC 1918)"),
    (
        [198, 18, 0, 0],
        15,
        "a benchmarking address (198.18.0.0/15)",
    ),
    ([198, 51, 100, 0], 24, "a documentation address"),
    ([203, 0, 113, 0], 24, "a documentation address"),
    ([224, 0, 0, 0], 4, "a multicast address"),
    (
        [240, 0, 0, 0],
        4,
        "a reserved or broadcast address (240.0.0.0/4)",
    ),
];

fn non_public_v4(a: Ipv4Addr) -> Option<&'static str> {
    let bits = u32::from(a);
    V4_RANGES.iter().find_map(|&(net, len, why)| {
        let mask = u32::MAX << (32 - u32::from(len));
        (bits & mask == u32::from_be_bytes(net)).then_some(why)
    })
}

fn non_public_v6(a: Ipv6Addr) -> Option<&'static str> {
    let bits = u128::from(a);
    let within = |net: u128, len: u32| bits >> (128 - len) == net >> (128 - len);
    let embedded = |shift: u32| Ipv4Addr::from((bits >> shift) as u32);
    if bits == 0 {
        return Some("the unspecified address (::)");
    }
    if bits == 1 {
        return Some("a loopback address (::1)");
    }
    if within(0xffff << 32, 96) {
        return Some("an IPv4-mapped address (::ffff:0:0/96)");
    }
    if within(0, 96) {
        return Some("an IPv4-compatible address (::/96, deprecated)");
    }
    // NAT64 and 6to4 reach the IPv4 address they embed: judge that address.
    if within(0x64_ff9b << 96, 96) {
        return non_public_v4(embedded(0)).map(|_| "a NAT64 address embedding a non-public IPv4");
    }
    if within(0x2002 << 112, 16) {
        return non_public_v4(embedded(80)).map(|_| "a 6to4 address embedding a non-public IPv4");
    }
    const RANGES: &[(u128, u32, &str)] = &[
        (
            0x64_ff9b_0001 << 80,
            48,
            "a local-use NAT64 address (64:ff9b:1::/48)",
        ),
        (0x0100 << 112, 64, "a discard-only address (100::/64)"),
        (0x2001 << 112, 32, "a Teredo address (2001::/32)"),
        (
            0x2001_0002 << 96,
            48,
            "a benchmarking address (2001:2::/48)",
        ),
        (
            0x2001_0db8 << 96,
            32,
            "a documentation address (2001:db8::/32)",
        ),
        (0xfc00 << 112, 7, "a unique-local address (fc00::/7)"),
        (0xfe80 << 112, 10, "a link-local address (fe80::/10)"),
        (
            0xfec0 << 112,
            10,
            "a site-local address (fec0::/10, deprecated)",
        ),
        (0xff00 << 112, 8, "a multicast address"),
    ];
    RANGES
        .iter()
        .find_map(|&(net, len, why)| within(net, len).then_some(why))
}

#[cfg(test)]
#[path = "source_tests.rs"]
mod tests;
