//! Bytes match their key (issue #9): the Worker keys a variant by the canonical form of the
//! options resolved for the client, and the plan is made from that same value. Property: for
//! any options and any two `Accept` headers, equal resolved options give equal plans, and the
//! plan's output format is the one the resolved options name (WebP for a WebP client asking
//! `auto`, the source's legacy format otherwise), on real corpus images.

use edgepix::format::Accepts;
use edgepix::options::FormatOption;
use edgepix::pipeline::plan_for;
use edgepix::resolve::Client;
use edgepix::{Limits, Options, OutputFormat};
use proptest::prelude::*;

mod common;

const SOURCES: [&str; 3] = [
    "photos/RainDrops.jpg",
    "photos/Gulp.png",
    "conformance/gif/image-gif/moon_impact.gif",
];

const ACCEPTS: [&str; 8] = [
    "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8",
    "image/webp,*/*",
    "image/png,image/svg+xml,image/*;q=0.8,video/*;q=0.8,*/*;q=0.5",
    "*/*",
    "",
    "image/webp;q=0,image/*",
    "image/jxl,image/avif,image/*",
    "text/html,application/xhtml+xml",
];

fn options() -> impl Strategy<Value = String> {
    (
        prop::option::of(16u32..2000),
        prop::option::of(prop::sample::select(vec![
            "auto", "webp", "jpeg", "png", "avif", "json",
        ])),
        prop::option::of(1u8..=100),
        prop::option::of(prop::sample::select(vec![
            "scale-down",
            "contain",
            "cover",
            "crop",
            "pad",
        ])),
    )
        .prop_map(|(w, f, q, fit)| {
            let mut parts = Vec::new();
            if let Some(w) = w {
                parts.push(format!("width={w},height={}", w / 2 + 1));
            }
            if let Some(f) = f {
                parts.push(format!("format={f}"));
            }
            if let Some(q) = q {
                parts.push(format!("quality={q}"));
            }
            if let Some(fit) = fit {
                parts.push(format!("fit={fit}"));
            }
            parts.join(",")
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn equal_keys_give_equal_plans_for_every_accept(
        opts in options(),
        src in 0usize..SOURCES.len(),
        a in 0usize..ACCEPTS.len(),
        b in 0usize..ACCEPTS.len(),
    ) {
        let bytes = common::read(SOURCES[src]);
        let o = Options::parse(&opts).unwrap();
        let client = |i: usize| Client::new(Accepts::from_header(Some(ACCEPTS[i]).filter(|s| !s.is_empty())));
        let (ra, rb) = (o.resolve(&client(a)), o.resolve(&client(b)));
        let limits = Limits::EDGE;
        let (pa, pb) = (plan_for(&bytes, &ra, &limits), plan_for(&bytes, &rb, &limits));
        if ra.canonical() == rb.canonical() {
            match (&pa, &pb) {
                (Ok(x), Ok(y)) => prop_assert_eq!(x, y),
                (Err(x), Err(y)) => prop_assert_eq!(x.code, y.code),
                _ => prop_assert!(false, "one key, one plan and one error: {opts} {a} {b}"),
            }
        }
        // the format the key names is the format the plan makes (an animation served as it
        // came keeps its own format, as Cloudflare serves one too large to transform)
        if let Some(p) = pa.as_ref().ok().filter(|p| p.frames != edgepix::plan::Frames::Untransformed) {
            // every browser that takes AVIF takes WebP (AVIF output is not on by default)
            let takes_webp = client(a).accepts.webp || client(a).accepts.avif;
            let expect_webp = match o.format {
                Some(FormatOption::Auto) => takes_webp,
                Some(FormatOption::Webp) | Some(FormatOption::Avif) => true,
                _ => false,
            };
            // AVIF where this build encodes it, WebP past its limits: both are the WebP class
            let webp_class = matches!(p.output, OutputFormat::Webp | OutputFormat::Avif);
            prop_assert_eq!(webp_class, expect_webp,
                "{} with Accept {:?} planned {:?}", opts, ACCEPTS[a], p.output);
            if o.format == Some(FormatOption::Auto) {
                let named = ra.canonical().contains("format=webp") || ra.canonical().contains("format=avif");
                prop_assert_eq!(named, takes_webp);
            }
        }
    }
}
