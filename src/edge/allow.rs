//! The allowlist for absolute source URLs, shaped like Next.js `images.remotePatterns`:
//! protocol, hostname (with `*` / `**` wildcards), port and a pathname glob.
//!
//! Two spellings are accepted in the `ALLOWED_ORIGINS` variable:
//! * URL patterns separated by spaces or commas: `https://**.example.com/images/**`,
//!   `http://127.0.0.1:*/**`. A missing port means the scheme's default port only; `:*` means
//!   any port. `*://` allows http and https.
//! * A JSON array of objects `{"protocol":"https","hostname":"**.example.com","port":"",
//!   "pathname":"/images/**"}` with Next.js semantics (a missing field matches anything,
//!   except `hostname`, which is required).
//!
//! Wildcards: in a hostname `*` is one label and `**` one or more labels; in a pathname `*` is
//! one segment and `**` any number of segments. Inside a label or segment `*` also works as a
//! partial wildcard (`img-*.example.com`, `/photos/*.jpg`).
//!
//! A host that is not a public address (loopback, private, link-local ... see
//! `source::admit`) is admitted only by a pattern whose hostname names it literally, without
//! any `*`: [`Allowlist::names_literally`]. Literal hostnames are stored in the form `url`
//! gives hosts (IPv6 in brackets and compressed, IPv4 as a dotted quad), so `[0::1]` and
//! `::1` in a pattern name the same address as `[::1]` in a source.

use worker::Url;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    /// `http` or `https`; `None` allows both.
    pub protocol: Option<String>,
    pub hostname: String,
    /// `None`: any port. `Some("")`: the default port only.
    pub port: Option<String>,
    /// `None`: any path.
    pub pathname: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Allowlist {
    pub patterns: Vec<Pattern>,
}

impl Allowlist {
    /// Parse the variable. Invalid entries are reported, never silently widened.
    pub fn parse(spec: &str) -> Result<Allowlist, String> {
        let spec = spec.trim();
        if spec.is_empty() {
            return Ok(Allowlist::default());
        }
        if spec.starts_with('[') {
            let v: serde_json::Value =
                serde_json::from_str(spec).map_err(|e| format!("ALLOWED_ORIGINS: {e}"))?;
            return Allowlist::from_json(&v);
        }
        let patterns = spec
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
            .map(parse_url_pattern)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Allowlist { patterns })
    }

    pub fn from_json(v: &serde_json::Value) -> Result<Allowlist, String> {
        let arr = v
            .as_array()
            .ok_or("ALLOWED_ORIGINS: expected an array of patterns")?;
        let mut patterns = Vec::new();
        for item in arr {
            if let Some(s) = item.as_str() {
                patterns.push(parse_url_pattern(s)?);
                continue;
            }
            let field = |k: &str| item.get(k).and_then(|x| x.as_str()).map(str::to_string);
            let hostname =
                field("hostname").ok_or("ALLOWED_ORIGINS: a pattern needs a hostname")?;
            patterns.push(Pattern {
                protocol: field("protocol").map(|p| p.trim_end_matches(':').to_ascii_lowercase()),
                hostname: normalise_host(&hostname),
                port: field("port"),
                pathname: field("pathname"),
            });
        }
        Ok(Allowlist { patterns })
    }

    pub fn allows(&self, url: &Url) -> bool {
        self.patterns.iter().any(|p| p.matches(url))
    }

    /// Whether a pattern without any wildcard in its hostname matches `url`: the only way a
    /// non-public host is admitted.
    pub fn names_literally(&self, url: &Url) -> bool {
        self.patterns
            .iter()
            .any(|p| !p.hostname.contains('*') && p.matches(url))
    }
}

/// A literal hostname in the form `Url::host_str` gives it; a wildcard one lowercased.
fn normalise_host(h: &str) -> String {
    let h = h.trim();
    if h.contains('*') {
        return h.to_ascii_lowercase();
    }
    let bracketed = if h.contains(':') && !h.starts_with('[') {
        format!("[{h}]")
    } else {
        h.to_string()
    };
    Url::parse(&format!("http://{bracketed}/"))
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_else(|| h.to_ascii_lowercase())
}

fn parse_url_pattern(s: &str) -> Result<Pattern, String> {
    let bad = || {
        format!("ALLOWED_ORIGINS: cannot read pattern {s:?} (expected scheme://host[:port]/path)")
    };
    let (scheme, rest) = s.split_once("://").ok_or_else(bad)?;
    let protocol = match scheme.to_ascii_lowercase().as_str() {
        "*" => None,
        p @ ("http" | "https") => Some(p.to_string()),
        _ => return Err(bad()),
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/**"),
    };
    // An IPv6 literal keeps its colons inside brackets: split the port after `]`.
    let (host, port_part) = match authority.strip_prefix('[') {
        Some(r) => {
            let end = r.find(']').ok_or_else(bad)?;
            (&authority[..end + 2], &r[end + 1..])
        }
        None => match authority.rfind(':') {
            Some(i) => (&authority[..i], &authority[i..]),
            None => (authority, ""),
        },
    };
    let port = match port_part {
        "" => Some(String::new()),
        ":*" => None,
        p if p.len() > 1 && p[1..].bytes().all(|b| b.is_ascii_digit()) => Some(p[1..].to_string()),
        _ => return Err(bad()),
    };
    if host.is_empty() {
        return Err(bad());
    }
    Ok(Pattern {
        protocol,
        hostname: normalise_host(host),
        port,
        pathname: Some(path.to_string()),
    })
}

impl Pattern {
    pub fn matches(&self, url: &Url) -> bool {
        let scheme = url.scheme();
        if scheme != "http" && scheme != "https" {
            return false;
        }
        if let Some(p) = &self.protocol {
            if p != scheme {
                return false;
            }
        }
        let Some(host) = url.host_str() else {
            return false;
        };
        let host = host.to_ascii_lowercase();
        if !glob(&self.hostname, &host, '.', 1) {
            return false;
        }
        if let Some(port) = &self.port {
            // `Url::port()` is None for the scheme's default port.
            let actual = url.port().map(|p| p.to_string()).unwrap_or_default();
            if *port != actual {
                return false;
            }
        }
        match &self.pathname {
            Some(p) => glob(p, url.path(), '/', 0),
            None => true,
        }
    }
}

/// Segment-wise glob: `**` spans `min_double` or more whole segments, `*` inside a segment
/// spans any characters of that segment.
fn glob(pattern: &str, text: &str, sep: char, min_double: usize) -> bool {
    let p: Vec<&str> = pattern.split(sep).collect();
    let t: Vec<&str> = text.split(sep).collect();
    match_segments(&p, &t, min_double)
}

fn match_segments(p: &[&str], t: &[&str], min_double: usize) -> bool {
    match p.first() {
        None => t.is_empty(),
        Some(&"**") => (min_double..=t.len()).any(|n| match_segments(&p[1..], &t[n..], min_double)),
        Some(seg) => match t.first() {
            Some(s) => {
                wildcard(seg.as_bytes(), s.as_bytes())
                    && match_segments(&p[1..], &t[1..], min_double)
            }
            None => false,
        },
    }
}

fn wildcard(p: &[u8], t: &[u8]) -> bool {
    match p.first() {
        None => t.is_empty(),
        Some(b'*') => (0..=t.len()).any(|i| wildcard(&p[1..], &t[i..])),
        Some(&c) => t.first() == Some(&c) && wildcard(&p[1..], &t[1..]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allows(spec: &str, url: &str) -> bool {
        Allowlist::parse(spec)
            .unwrap()
            .allows(&Url::parse(url).unwrap())
    }

    #[test]
    fn patterns() {
        let s = "https://**.example.com/images/** http://127.0.0.1:*/**";
        assert!(allows(s, "https://a.example.com/images/x.jpg"));
        assert!(allows(s, "https://a.b.example.com/images/d/x.jpg"));
        assert!(!allows(s, "https://example.com/images/x.jpg"));
        assert!(!allows(s, "https://a.example.com/other/x.jpg"));
        assert!(!allows(s, "https://a.example.com:8443/images/x.jpg"));
        assert!(!allows(s, "http://a.example.com/images/x.jpg"));
        assert!(!allows(s, "https://evil.com/images/x.jpg?a.example.com"));
        assert!(allows(s, "http://127.0.0.1:9999/a/b.png"));
        assert!(!allows(s, "http://127.0.0.2:9999/a/b.png"));
        assert!(allows(
            "https://*.cdn.net/*.jpg",
            "https://img.cdn.net/a.jpg"
        ));
        assert!(!allows(
            "https://*.cdn.net/*.jpg",
            "https://img.cdn.net/d/a.jpg"
        ));
        assert!(!allows("", "https://img.cdn.net/a.jpg"));
        let j = r#"[{"protocol":"https","hostname":"img-*.x.org","pathname":"/p/**"}]"#;
        assert!(allows(j, "https://img-1.x.org:444/p/q/r.jpg"));
        assert!(!allows(j, "https://img.x.org/p/r.jpg"));
    }

    #[test]
    fn ipv6_and_literal_hostnames() {
        assert!(allows("http://[::1]/**", "http://[::1]/a.jpg"));
        assert!(!allows("http://[::1]/**", "http://[::1]:81/a.jpg"));
        assert!(allows("http://[0::1]:*/**", "http://[::1]:81/a.jpg"));
        assert!(allows("http://[::1]:8080/**", "http://[::1]:8080/a.jpg"));
        assert!(Allowlist::parse("http://[::1/**").is_err());
        assert!(Allowlist::parse("http://[::1]x/**").is_err());
        assert!(Allowlist::parse("http://host:/**").is_err());
        let a = Allowlist::parse("http://127.0.0.1:*/** https://**.example.com/**").unwrap();
        let url = |s: &str| Url::parse(s).unwrap();
        assert!(a.names_literally(&url("http://127.0.0.1:5/x")));
        assert!(!a.names_literally(&url("http://127.0.0.2:5/x")));
        assert!(!a.names_literally(&url("https://a.example.com/x")));
        assert!(a.allows(&url("https://a.example.com/x")));
        assert!(allows(
            "https://IMG.Example.COM/**",
            "https://img.example.com/a"
        ));
    }
}
