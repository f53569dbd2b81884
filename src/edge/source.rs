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
mod tests {
    use super::*;

    fn cfg(allow: &str, base: Option<&str>) -> Config {
        Config {
            allow: Allowlist::parse(allow).unwrap(),
            origin_base: base.map(|b| Url::parse(b).unwrap()),
            source_query: QueryPolicy::Keep,
            ..Config::default()
        }
    }

    #[test]
    fn the_query_policy_decides_what_reaches_key_and_origin() {
        let url = Url::parse("https://img.example.com/a.jpg").unwrap();
        let q = Some("v=12345&w=1&token=abc");
        assert_eq!(QueryPolicy::Drop.apply(&url, q), None);
        assert_eq!(QueryPolicy::Keep.apply(&url, q).as_deref(), q);
        let names = QueryPolicy::parse("token, w").unwrap();
        assert_eq!(names.apply(&url, q).as_deref(), Some("w=1&token=abc"));
        assert_eq!(names.apply(&url, Some("v=9")), None);
        let per_origin =
            QueryPolicy::parse(r#"[{"pattern": "https://img.example.com/**", "keep": ["v"]}]"#)
                .unwrap();
        assert_eq!(per_origin.apply(&url, q).as_deref(), Some("v=12345"));
        let other = Url::parse("https://cdn.other.net/a.jpg").unwrap();
        assert_eq!(per_origin.apply(&other, q), None);
        // the policy is applied by `resolve`: the default drops the flood parameter
        let c = Config {
            allow: Allowlist::parse("https://img.example.com/**").unwrap(),
            ..Config::default()
        };
        let s = resolve(&req(Some("v=random")), "https://img.example.com/a.jpg", &c).unwrap();
        assert_eq!(s.query, None);
        assert_eq!(s.key(), "https://img.example.com/a.jpg");
    }

    fn req(query: Option<&str>) -> Url {
        let mut u = Url::parse("https://edge.example/cdn-cgi/image/w=1/x").unwrap();
        u.set_query(query);
        u
    }

    fn run(raw: &str, c: &Config) -> Result<Source, SourceError> {
        resolve(&req(None), raw, c)
    }

    /// The URL `origin::fetch_source` starts from.
    fn remote_url(s: &Source) -> String {
        let Place::Remote { url, .. } = &s.place else {
            panic!("not a remote source: {s:?}")
        };
        with_query(url, s.query.as_deref()).to_string()
    }

    /// What `url` makes of the IPv4 spellings an attacker tries: all one dotted quad.
    #[test]
    fn url_normalises_ipv4_spellings() {
        for (spelling, host) in [
            ("http://2130706433/", "127.0.0.1"),
            ("http://0177.0.0.1/", "127.0.0.1"),
            ("http://0x7f.1/", "127.0.0.1"),
            ("http://0x7f000001/", "127.0.0.1"),
            ("http://127.1/", "127.0.0.1"),
            ("http://017700000001/", "127.0.0.1"),
            ("http://0/", "0.0.0.0"),
            ("http://0xA9.0xFE.0xA9.0xFE/", "169.254.169.254"),
            ("http://\u{ff11}\u{ff12}\u{ff17}.0.0.1/", "127.0.0.1"),
            ("http://127.0.0.1./", "127.0.0.1"),
            ("http://[::ffff:127.0.0.1]/", "[::ffff:7f00:1]"),
            ("http://[0:0:0:0:0:0:0:1]/", "[::1]"),
        ] {
            let u = Url::parse(spelling).unwrap();
            assert_eq!(u.host_str(), Some(host), "{spelling}");
        }
        // Five parts ending in a number are not a host at all.
        assert!(Url::parse("http://1.2.3.4.5/").is_err());
    }

    #[test]
    fn userinfo_is_refused() {
        let c = cfg("https://**/** http://**:*/**", None);
        for raw in [
            "https://user:pass@img.example.com/a.jpg",
            "https://img.example.com@evil.example/a.jpg",
            "https://user@img.example.com/a.jpg",
            "https://:pass@img.example.com/a.jpg",
            "https:/user:pass@img.example.com/a.jpg",
        ] {
            let e = run(raw, &c).unwrap_err();
            assert_eq!(e, SourceError::Userinfo, "{raw}");
            assert_eq!((e.status(), e.code()), (400, "bad_source"));
        }
        // An `@` in the path is not userinfo.
        assert!(run("https://img.example.com/a@2x.jpg", &c).is_ok());
    }

    #[test]
    fn non_public_literals_are_refused_even_under_wildcards() {
        // `**` admits every host name, and every IP literal too before this rule.
        let c = cfg("http://**:*/** https://**:*/** http://127.0.0.*:*/**", None);
        for raw in [
            "http://127.0.0.1/a.jpg",
            "http://127.0.0.2:8080/a.jpg",
            "http://2130706433/a.jpg",
            "http://0177.0.0.1/a.jpg",
            "http://0x7f.1/a.jpg",
            "http://0/a.jpg",
            "http://0.0.0.0/a.jpg",
            "http://10.1.2.3/a.jpg",
            "http://172.16.0.1/a.jpg",
            "http://172.31.255.255/a.jpg",
            "http://192.168.1.1/a.jpg",
            "http://169.254.169.254/latest/meta-data",
            "http://0xA9FEA9FE/a.jpg",
            "http://100.64.0.1/a.jpg",
            "http://100.100.100.200/a.jpg",
            "http://192.0.2.2/a.jpg",
            "http://224.0.0.1/a.jpg",
            "http://255.255.255.255/a.jpg",
            "http://[::1]/a.jpg",
            "http://[::]/a.jpg",
            "http://[::ffff:127.0.0.1]/a.jpg",
            "http://[::ffff:8.8.8.8]/a.jpg",
            "http://[::127.0.0.1]/a.jpg",
            "http://[fe80::1]/a.jpg",
            "http://[febf::1]/a.jpg",
            "http://[fc00::1]/a.jpg",
            "http://[fd00::2]:8080/a.jpg",
            "http://[ff02::1]/a.jpg",
            "http://[64:ff9b::7f00:1]/a.jpg",
            "http://[64:ff9b::a00:1]/a.jpg",
            "http://[2002:7f00:1::]/a.jpg",
            "http://[2002:c0a8:101::1]/a.jpg",
            "http://[2001:db8::1]/a.jpg",
            "http://localhost/a.jpg",
            "http://LOCALHOST./a.jpg",
            "http://a.b.localhost/a.jpg",
            "http://metadata.google.internal/computeMetadata/v1/",
            "http://printer.local/a.jpg",
            "http://router.home.arpa/a.jpg",
        ] {
            let e = run(raw, &c).unwrap_err();
            assert!(matches!(e, SourceError::NonPublic { .. }), "{raw}: {e:?}");
            assert_eq!((e.status(), e.code()), (403, "source_forbidden"), "{raw}");
        }
        for raw in [
            "http://8.8.8.8/a.jpg",
            "http://172.32.0.1/a.jpg",
            "http://100.128.0.1/a.jpg",
            "http://[2606:4700::1111]/a.jpg",
            "http://[64:ff9b::808:808]/a.jpg",
            "http://[2002:808:808::1]/a.jpg",
            "http://img.example.com/a.jpg",
            "http://localhost.example.com/a.jpg",
        ] {
            assert!(run(raw, &c).is_ok(), "{raw}");
        }
    }

    #[test]
    fn a_pattern_naming_the_address_literally_admits_it() {
        let c = cfg(
            "http://127.0.0.1:8787/** http://[::1]:9000/img/** http://localhost:3000/**",
            None,
        );
        assert!(run("http://127.0.0.1:8787/c/a.jpg", &c).is_ok());
        assert!(
            run("http://2130706433:8787/c/a.jpg", &c).is_ok(),
            "same address"
        );
        assert!(run("http://[::1]:9000/img/a.jpg", &c).is_ok());
        assert!(run("http://[0::1]:9000/img/a.jpg", &c).is_ok());
        assert!(run("http://localhost:3000/a.jpg", &c).is_ok());
        // The rest of the pattern still applies: port, path, and other addresses.
        for raw in [
            "http://127.0.0.1:8788/c/a.jpg",
            "http://127.0.0.2:8787/c/a.jpg",
            "http://[::1]:9000/other/a.jpg",
            "http://[::ffff:127.0.0.1]:8787/c/a.jpg",
            "https://127.0.0.1:8787/c/a.jpg",
        ] {
            assert_eq!(run(raw, &c).unwrap_err().status(), 403, "{raw}");
        }
        // JSON patterns, and an IPv6 literal written without brackets or compression.
        let j = cfg(
            r#"[{"protocol":"http","hostname":"0:0:0:0:0:0:0:1","pathname":"/**"},
                {"hostname":"10.0.0.7"}]"#,
            None,
        );
        assert!(run("http://[::1]:1234/a.jpg", &j).is_ok());
        assert!(run("https://10.0.0.7/a.jpg", &j).is_ok());
        assert!(run("https://10.0.0.8/a.jpg", &j).is_err());
    }

    #[test]
    fn allowlist_and_scheme_rules_still_apply() {
        let c = cfg("https://img.example.com/p/**", None);
        assert!(run("https://img.example.com/p/a.jpg", &c).is_ok());
        assert!(run("HTTPS:/img.example.com/p/a.jpg", &c).is_ok());
        let e = run("https://img.example.com/q/a.jpg", &c).unwrap_err();
        assert_eq!((e.status(), e.code()), (403, "source_forbidden"));
        for raw in [
            "ftp://img.example.com/p/a.jpg",
            "file:///etc/passwd",
            "https://",
        ] {
            let e = run(raw, &c).unwrap_err();
            assert_eq!((e.status(), e.code()), (400, "bad_source"), "{raw}");
        }
    }

    #[test]
    fn encoded_traversal_is_refused_for_assets_base_and_absolute() {
        let assets = cfg("https://img.example.com/p/**", None);
        let base = cfg("https://img.example.com/p/**", Some("https://o.example/c/"));
        for raw in [
            "..%2Fsecret.jpg",
            "a/..%2F..%2Fsecret.jpg",
            "..%2fsecret.jpg",
            "%2e%2e/secret.jpg",
            "%2E%2E%2Fsecret.jpg",
            ".%2e/secret.jpg",
            "..%5Csecret.jpg",
            "..\\secret.jpg",
            "a\\..\\..\\secret.jpg",
            "%252e%252e%252fsecret.jpg",
            "%25252e%25252e%25252fsecret.jpg",
            "..;/secret.jpg",
            "a/..;jsessionid=1/secret.jpg",
            "../secret.jpg",
            "a/../../secret.jpg",
            "..",
        ] {
            for c in [&assets, &base] {
                let e = run(raw, c).unwrap_err();
                assert_eq!(e, SourceError::Traversal, "{raw}");
                assert_eq!((e.status(), e.code()), (400, "bad_source"));
            }
        }
        // An absolute source cannot climb out of the pattern's path at a decoding origin.
        let e = run("https://img.example.com/p/..%2F..%2Fprivate/a.jpg", &base).unwrap_err();
        assert_eq!(e, SourceError::Traversal);
        // Encoded deeper than MAX_DECODE_ROUNDS: refused rather than decoded forever.
        assert_eq!(
            run("a%2525252525252e.jpg", &assets).unwrap_err(),
            SourceError::Traversal
        );
        for raw in ["a%00.jpg", "a%2500.jpg", "a%0d%0aX-Injected:1.jpg"] {
            let e = run(raw, &assets).unwrap_err();
            assert_eq!(e, SourceError::ControlCharacter, "{raw}");
            assert_eq!((e.status(), e.code()), (400, "bad_source"));
        }
    }

    #[test]
    fn harmless_relative_paths_resolve_under_the_base() {
        let base = cfg("", Some("https://o.example/c/"));
        for (raw, want) in [
            ("photos/a.jpg", "https://o.example/c/photos/a.jpg"),
            (
                "/example.com/x.jpg",
                "https://o.example/c/example.com/x.jpg",
            ),
            (
                "//example.com/x.jpg",
                "https://o.example/c/example.com/x.jpg",
            ),
            ("a..b/x.jpg", "https://o.example/c/a..b/x.jpg"),
            ("..a/x.jpg", "https://o.example/c/..a/x.jpg"),
            ("images%2Fa.jpg", "https://o.example/c/images%2Fa.jpg"),
            ("100%25.jpg", "https://o.example/c/100%25.jpg"),
            ("%2e/a.jpg", "https://o.example/c/a.jpg"),
        ] {
            let s = run(raw, &base).unwrap();
            assert_eq!(remote_url(&s), want, "{raw}");
            assert_eq!(s.key(), want);
        }
        // A base path without a trailing slash is still a directory.
        let nodir = cfg("", Some("https://o.example/images?sig=1#f"));
        let s = run("a.jpg", &nodir).unwrap();
        assert_eq!(remote_url(&s), "https://o.example/images/a.jpg");
        let Place::Remote { scope, .. } = &s.place else {
            panic!("remote")
        };
        assert_eq!(
            scope,
            &Scope::Base(Url::parse("https://o.example/images?sig=1#f").unwrap())
        );
        // Without ORIGIN_BASE: an asset path, query dropped.
        let assets = cfg("", None);
        let s = resolve(&req(Some("v=2")), "samples/a.jpg", &assets).unwrap();
        assert!(matches!(&s.place, Place::Asset(p) if p == "/samples/a.jpg"));
        assert_eq!(
            (s.key(), s.query),
            ("asset:/samples/a.jpg".to_string(), None)
        );
        assert_eq!(run("/", &assets).unwrap_err().status(), 400);
        assert_eq!(run("", &assets).unwrap_err().status(), 400);
    }

    #[test]
    fn the_query_is_kept_apart_and_reaches_key_and_fetch() {
        let c = cfg("https://img.example.com/**", Some("https://o.example/c/"));
        let s = resolve(&req(Some("v=1&w=2")), "https://img.example.com/a.jpg", &c).unwrap();
        assert_eq!(s.query.as_deref(), Some("v=1&w=2"));
        let Place::Remote { url, .. } = &s.place else {
            panic!("remote")
        };
        assert_eq!(url.query(), None);
        assert_eq!(remote_url(&s), "https://img.example.com/a.jpg?v=1&w=2");
        assert_eq!(s.key(), "https://img.example.com/a.jpg?v=1&w=2");
        assert_eq!(s.public_url(), s.key());
        let r = resolve(&req(Some("v=3")), "x/a.jpg", &c).unwrap();
        assert_eq!(r.key(), "https://o.example/c/x/a.jpg?v=3");
        assert_eq!(r.file_stem(), "a");
    }

    #[test]
    fn redirect_hops_from_the_base_stay_on_its_origin_or_the_allowlist() {
        let base = Url::parse("http://127.0.0.1:8080/c/").unwrap();
        let scope = Scope::Base(base);
        let allow = Allowlist::parse("https://img.example.com/** http://**:*/**").unwrap();
        let hop = |u: &str| admit(&Url::parse(u).unwrap(), &scope, &allow);
        // The operator named the base, private address and all: any path on its origin.
        assert_eq!(hop("http://127.0.0.1:8080/elsewhere/a.jpg"), Ok(()));
        assert_eq!(hop("https://img.example.com/a.jpg"), Ok(()));
        for u in [
            "http://127.0.0.1:8081/a.jpg",
            "http://localhost:8080/a.jpg",
            "http://169.254.169.254/latest/meta-data/",
            "http://[::1]:8080/a.jpg",
        ] {
            assert_eq!(hop(u).unwrap_err().status(), 403, "{u}");
        }
        assert_eq!(
            hop("http://u:p@127.0.0.1:8080/a.jpg"),
            Err(SourceError::Userinfo)
        );
        assert_eq!(
            hop("http://127.0.0.1:8080/c/..%2f..%2fsecret"),
            Err(SourceError::Traversal)
        );
        assert!(hop("file:///etc/passwd").is_err());
        // An absolute source's hops get no such exception.
        let abs = |u: &str| admit(&Url::parse(u).unwrap(), &Scope::Allowlist, &allow);
        assert!(abs("http://127.0.0.1:8080/elsewhere/a.jpg").is_err());
        assert_eq!(abs("http://img.example.com:81/a.jpg"), Ok(()));
    }

    #[test]
    fn percent_decode_is_one_lenient_round() {
        assert_eq!(percent_decode(b"%2e%2E%zz%4"), b"..%zz%4");
        assert_eq!(percent_decode(b"%252e"), b"%2e");
        assert_eq!(percent_decode(b"%"), b"%");
        assert_eq!(percent_decode(b"a%41"), b"aA");
    }
}
