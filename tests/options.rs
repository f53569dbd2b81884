//! The option language: canonical form round-trips, equivalent spellings share a cache key,
//! every invalid value is a 400 naming the option, JSON parses like the URL form.
#![cfg(not(target_arch = "wasm32"))]

use edgepix::options::{Fit, Flip, FormatOption, Gravity, Metadata, OnError, Quality, Rgba, Trim};
use edgepix::{ErrorCode, Options};
use proptest::prelude::*;

fn named_gravity(x: f32, y: f32) -> bool {
    matches!(
        (x, y),
        (0.5, 0.5) | (0.0, 0.5) | (1.0, 0.5) | (0.5, 0.0) | (0.5, 1.0)
    )
}

prop_compose! {
    fn arb_gravity()(k in 0..7u8, x in 0..=100u32, y in 0..=100u32) -> Gravity {
        let (x, y) = (x as f32 / 100.0, y as f32 / 100.0);
        match k {
            0 => Gravity::Center,
            1 => Gravity::Left,
            2 => Gravity::Right,
            3 => Gravity::Top,
            4 => Gravity::Bottom,
            5 => Gravity::Auto,
            // points equal to a name are stored as the name: keep the generator canonical
            _ if named_gravity(x, y) => Gravity::Auto,
            _ => Gravity::Point(x, y),
        }
    }
}

fn arb_options() -> impl Strategy<Value = Options> {
    let geometry = (
        proptest::option::of(1..=100_000u32),
        proptest::option::of(1..=100_000u32),
        proptest::option::of((1..=1000u32).prop_filter("dpr 1 is the default", |v| *v != 100)),
        0..6u8,
        arb_gravity(),
    );
    let output = (
        proptest::option::of(1..=100u8),
        proptest::option::of(0..7u8),
        proptest::option::of(any::<[u8; 4]>()),
        0..3u8,
        proptest::option::of(any::<bool>()),
    );
    let edits = (
        proptest::option::of(1..4u16),
        proptest::option::of(0..3u8),
        proptest::option::of(any::<[u16; 4]>().prop_filter("non-zero trim", |t| t != &[0; 4])),
        any::<bool>(),
    );
    (geometry, output, edits).prop_map(
        |((w, h, dpr, fit, gravity), (q, f, bg, m, anim), (rot, flip, trim, onerror))| Options {
            width: w,
            height: h,
            dpr: dpr.map(|v| v as f32 / 100.0),
            fit: [
                Fit::ScaleDown,
                Fit::Contain,
                Fit::Cover,
                Fit::Crop,
                Fit::Pad,
                Fit::Squeeze,
            ][fit as usize],
            gravity,
            quality: q.map(Quality::Value),
            format: f.map(|f| {
                [
                    FormatOption::Auto,
                    FormatOption::Jpeg,
                    FormatOption::BaselineJpeg,
                    FormatOption::Png,
                    FormatOption::Webp,
                    FormatOption::Avif,
                    FormatOption::Json,
                ][f as usize]
            }),
            background: bg.map(|[r, g, b, a]| Rgba { r, g, b, a }),
            metadata: [Metadata::Keep, Metadata::Copyright, Metadata::None][m as usize],
            anim,
            rotate: rot.map(|r| r * 90),
            flip: flip.map(|f| [Flip::H, Flip::V, Flip::Hv][f as usize]),
            trim: trim.map(|t| Trim {
                top: t[0] as u32,
                right: t[1] as u32,
                bottom: t[2] as u32,
                left: t[3] as u32,
            }),
            onerror: onerror.then_some(OnError::Redirect),
        },
    )
}

/// The canonical string as a JSON object (numbers where the URL form has numbers).
fn as_json(o: &Options) -> serde_json::Value {
    let mut m = serde_json::Map::new();
    for pair in o.canonical().split(',').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap();
        let value = match k {
            "trim" => {
                let s: Vec<u32> = v.split(';').map(|x| x.parse().unwrap()).collect();
                serde_json::json!({"top": s[0], "right": s[1], "bottom": s[2], "left": s[3]})
            }
            "anim" => serde_json::Value::Bool(v == "true"),
            _ => match v.parse::<f64>() {
                Ok(n) if k != "gravity" => serde_json::json!(n),
                _ => serde_json::Value::String(v.to_string()),
            },
        };
        m.insert(k.to_string(), value);
    }
    serde_json::Value::Object(m)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn canonical_round_trips(o in arb_options()) {
        let c = o.canonical();
        let back = Options::parse(&c).map_err(|e| TestCaseError::fail(format!("{c}: {e}")))?;
        prop_assert_eq!(&back, &o, "{}", c);
        prop_assert_eq!(back.canonical(), c);
    }

    #[test]
    fn json_parses_like_the_url_form(o in arb_options()) {
        let j = as_json(&o);
        let back = Options::from_json(&j).map_err(|e| TestCaseError::fail(format!("{j}: {e}")))?;
        prop_assert_eq!(back, o, "{}", j);
    }

    /// Option order and aliases do not change the key.
    #[test]
    fn order_does_not_matter(o in arb_options(), seed in any::<u64>()) {
        let mut parts: Vec<String> = o.canonical().split(',').filter(|p| !p.is_empty()).map(String::from).collect();
        // deterministic shuffle, and the short aliases where they exist
        let n = parts.len();
        for i in (1..n).rev() {
            parts.swap(i, (seed.wrapping_mul(i as u64 + 7) % (i as u64 + 1)) as usize);
        }
        let aliased: Vec<String> = parts.iter().map(|p| {
            for (long, short) in [("width=", "w="), ("height=", "h="), ("quality=", "q="), ("format=", "f="), ("gravity=", "g=")] {
                if let Some(rest) = p.strip_prefix(long) {
                    if seed % 2 == 0 { return format!("{short}{rest}"); }
                }
            }
            p.clone()
        }).collect();
        let back = Options::parse(&aliased.join(",")).unwrap();
        prop_assert_eq!(back.canonical(), o.canonical());
    }
}

fn key(s: &str) -> String {
    Options::parse(s)
        .unwrap_or_else(|e| panic!("{s}: {e}"))
        .canonical()
}

#[test]
fn equivalent_strings_share_a_key() {
    let groups: &[&[&str]] = &[
        &[
            "w=640,f=auto",
            "format=auto,width=640",
            " width = 640 , format=auto ,",
        ],
        &["quality=high", "q=auto:high", "quality=auto:80"],
        &["quality=medium-high", "q=auto", "quality=auto:70:verify"],
        &["quality=medium-low", "q=auto:60"],
        &["quality=low", "q=auto:low"],
        &[
            "gravity=center",
            "gravity=0.5x0.5",
            "g=centre",
            "gravity=.5x.50",
            "",
        ],
        &["gravity=left", "gravity=0x0.5"],
        &["gravity=right", "gravity=1x0.5"],
        &["gravity=top", "gravity=0.5x0"],
        &["gravity=bottom", "gravity=0.5x1"],
        &["format=jpeg", "format=jpg", "f=jpg"],
        &["flip=hv", "flip=vh"],
        &[
            "rotate=0",
            "dpr=1",
            "trim=0;0;0;0",
            "fit=scale-down",
            "metadata=copyright",
            "",
        ],
        &[
            "background=white",
            "background=%23fff",
            "background=%23FFFFFF",
            "background=rgb(255,255,255)",
        ],
        &["anim=false", "anim=0"],
    ];
    for group in groups {
        let k = key(group[0]);
        for s in &group[1..] {
            assert_eq!(key(s), k, "{s:?} vs {:?}", group[0]);
        }
    }
    // and different meanings do not collide
    assert_ne!(key("width=640"), key("height=640"));
    assert_ne!(key("gravity=0.3x0.5"), key("gravity=left"));
}

#[test]
fn invalid_values_are_400_naming_the_option() {
    let cases = [
        ("width", &["0", "-1", "abc", "100001", "1.5", ""][..]),
        ("height", &["0", "x", "1e3"]),
        ("dpr", &["0", "-1", "11", "NaN", "inf", "x"]),
        ("fit", &["stretch", "COVER", ""]),
        ("gravity", &["2x0.5", "0.5x-1", "up", "0.5", "x"]),
        ("quality", &["0", "101", "best", "-5"]),
        ("format", &["gif", "tiff", "JPEG"]),
        (
            "background",
            &["notacolor", "#12345", "rgb(1,2)", "#gggggg"],
        ),
        ("metadata", &["all", "true"]),
        ("anim", &["maybe", "2"]),
        ("rotate", &["45", "360", "-90"]),
        ("flip", &["x", "hh"]),
        ("trim", &["1;2;3", "a;b;c;d", "1;2;3;4;5"]),
        ("onerror", &["none", "fallback"]),
    ];
    for (name, values) in cases {
        for v in values {
            let s = format!("{name}={v}");
            let e = Options::parse(&s).expect_err(&s);
            assert_eq!(e.code, ErrorCode::BadOption, "{s}: {e}");
            assert_eq!(e.http_status(), 400, "{s}");
            assert!(
                e.message.contains(name),
                "{s}: message {:?} does not name the option",
                e.message
            );
            // same through JSON
            let j = serde_json::json!({ name: v });
            let e = Options::from_json(&j).expect_err(&s);
            assert_eq!(e.http_status(), 400, "{j}");
            assert!(e.message.contains(name), "{j}: {:?}", e.message);
        }
    }
    // structural errors are 400 too
    for s in ["width", "width=1,width=2", "w=1,width=2", "width=%zz"] {
        let e = Options::parse(s).expect_err(s);
        assert_eq!(e.http_status(), 400, "{s}: {e}");
    }
}

#[test]
fn unknown_and_unimplemented_options_are_errors() {
    for s in ["foo=1", "Width=10", "resize=1"] {
        let e = Options::parse(s).expect_err(s);
        assert_eq!(e.code, ErrorCode::UnknownOption, "{s}");
        assert_eq!(e.http_status(), 400);
    }
    for s in [
        "blur=10",
        "sharpen=1",
        "brightness=0.5",
        "contrast=1.2",
        "gamma=2",
        "saturation=0",
        "border=1",
        "zoom=0.5",
        "compression=fast",
        "gravity=face",
        "width=auto",
    ] {
        let e = Options::parse(s).expect_err(s);
        assert_eq!(e.code, ErrorCode::UnsupportedOption, "{s}: {e}");
        assert_eq!(e.http_status(), 400);
        let name = s.split('=').next().unwrap();
        assert!(e.message.contains(name), "{s}: {:?}", e.message);
    }
}

#[test]
fn json_form_examples() {
    let j = serde_json::json!({"width": 640, "format": "auto", "fit": "cover", "gravity": {"x": 0.25, "y": 0.75}, "trim": {"top": 10}, "anim": false, "background": null});
    let u = Options::parse(
        "format=auto,width=640,fit=cover,gravity=0.25x0.75,trim=10;0;0;0,anim=false",
    )
    .unwrap();
    assert_eq!(Options::from_json(&j).unwrap(), u);
    assert_eq!(
        Options::from_json(&serde_json::json!([1]))
            .unwrap_err()
            .http_status(),
        400
    );
    assert_eq!(
        Options::from_json(&serde_json::json!({"width": [1]}))
            .unwrap_err()
            .http_status(),
        400
    );
}
