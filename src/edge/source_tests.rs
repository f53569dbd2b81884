//! The source rules of `source.rs`, checked natively (docs/reliability-ssrf.md names the
//! test of each rule).

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
