//! `edgepix sign`: signed image URLs and purge requests for a Worker with `SIGNING_KEYS`
//! (docs/CACHING.md). The key comes from `--key` or `EDGEPIX_SIGNING_KEY`; it never needs to
//! leave the machine that signs.
//!
//!   edgepix sign --source SRC (--options "width=640" | --variant NAME) [--expires SECONDS]
//!   edgepix sign --purge --source SRC [--expires SECONDS]
//!
//! SRC is written exactly as it will appear in the URL (`https://img.example.com/a.jpg?v=2`
//! or `samples/hato.jpg`). Prints the path to request: `/cdn-cgi/image/...` or, for a purge,
//! the `/cdn-cgi/edgepix/purge?...` to POST.

use crate::args::SignArgs;
use crate::Exit;
use edgepix::signing;

pub fn run(args: SignArgs) -> Exit {
    let SignArgs {
        source,
        options,
        variant,
        expires,
        key,
        purge,
    } = args;
    let Some(key) = key.filter(|k| !k.is_empty()) else {
        return Exit::Usage("no key: pass --key or set EDGEPIX_SIGNING_KEY".into());
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    if purge {
        let exp = now.saturating_add(expires.unwrap_or(300));
        let sig = signing::sign(
            key.as_bytes(),
            &signing::message("purge", &source, Some(exp)),
        );
        outln!(
            "/cdn-cgi/edgepix/purge?source={}&exp={exp}&sig={sig}",
            query_escape(&source)
        );
        return Exit::Ok;
    }
    let (signed, segment) = match (options, variant) {
        (Some(o), None) => (o.parsed.canonical(), o.text),
        (None, Some(v)) => (v.clone(), v),
        // both at once is clap's conflict error
        _ => return Exit::Usage("give --options or --variant".into()),
    };
    let exp = expires.map(|s| now.saturating_add(s));
    let sig = signing::sign(key.as_bytes(), &signing::message(&signed, &source, exp));
    let mut parts: Vec<String> = vec![segment];
    parts.extend(exp.map(|e| format!("exp={e}")));
    parts.push(format!("sig={sig}"));
    parts.retain(|p| !p.is_empty());
    outln!("/cdn-cgi/image/{}/{source}", parts.join(","));
    Exit::Ok
}

/// Percent-encodes what a query value cannot hold as is.
fn query_escape(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' | b':' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
