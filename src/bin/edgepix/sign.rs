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

use crate::Exit;
use edgepix::{signing, Options};

pub const USAGE: &str = "edgepix sign --source SRC (--options \"width=640\" | --variant NAME) [--expires SECONDS] [--key KEY]
edgepix sign --purge --source SRC [--expires SECONDS] [--key KEY]
  the key comes from --key or EDGEPIX_SIGNING_KEY; --expires is seconds from now (purges: default 300)";

pub fn run(raw: &[String]) -> Exit {
    let mut it = raw.iter();
    let (mut source, mut options, mut variant, mut expires, mut key, mut purge) = (
        None,
        None,
        None,
        None,
        std::env::var("EDGEPIX_SIGNING_KEY").ok(),
        false,
    );
    while let Some(a) = it.next() {
        let mut value = |name: &str| it.next().cloned().ok_or(format!("{name} needs a value"));
        let r = match a.as_str() {
            "--source" => value("--source").map(|v| source = Some(v)),
            "--options" | "-o" => value("--options").map(|v| options = Some(v)),
            "--variant" => value("--variant").map(|v| variant = Some(v)),
            "--expires" => value("--expires").and_then(|v| {
                v.parse::<u64>()
                    .map(|s| expires = Some(s))
                    .map_err(|_| "--expires takes whole seconds".to_string())
            }),
            "--key" => value("--key").map(|v| key = Some(v)),
            "--purge" => {
                purge = true;
                Ok(())
            }
            other => Err(format!("unknown argument '{other}'\n{USAGE}")),
        };
        if let Err(e) = r {
            return Exit::Usage(e);
        }
    }
    let Some(key) = key.filter(|k| !k.is_empty()) else {
        return Exit::Usage("no key: pass --key or set EDGEPIX_SIGNING_KEY".into());
    };
    let Some(source) = source else {
        return Exit::Usage(format!("--source is required\n{USAGE}"));
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    if purge {
        let exp = now + expires.unwrap_or(300);
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
        (Some(o), None) => match Options::parse(&o) {
            Ok(parsed) => (parsed.canonical(), o),
            Err(e) => return Exit::Usage(e.to_string()),
        },
        (None, Some(v)) => (v.clone(), v),
        _ => return Exit::Usage(format!("give --options or --variant\n{USAGE}")),
    };
    let exp = expires.map(|s| now + s);
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
