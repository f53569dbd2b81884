//! The option language: canonical form round-trips, equivalent spellings share a cache key,
//! every invalid value is a 400 naming the option, JSON parses like the URL form.
#![cfg(not(target_arch = "wasm32"))]

use edgepix::options::{
    Border, Effects, Fit, Flip, FormatOption, Gravity, Metadata, OnError, Quality, Rgba, Trim,
    TrimBorder,
};
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
        0..7u8,
        arb_gravity(),
    );
    let output = (
        proptest::option::of(1..=100u8),
        proptest::option::of(0..7u8),
        proptest::option::of(any::<[u8; 4]>()),
        0..3u8,
        proptest::option::of(any::<bool>()),
        proptest::option::of(1..=100u8),
        any::<bool>(),
    );
    let edits = (
        proptest::option::of(1..4u16),
        proptest::option::of(0..3u8),
        proptest::option::of(any::<[u16; 4]>().prop_filter("non-zero trim", |t| t != &[0; 4])),
        any::<bool>(),
    );
    let extras = (
        proptest::option::of(1..=100_000u32),
        proptest::option::of(1..=100_000u32),
        proptest::option::of((
            proptest::option::of(any::<[u8; 4]>()),
            any::<u8>(),
            0..=1000u32,
        )),
        proptest::option::of((any::<[u8; 4]>(), any::<[u8; 4]>())),
        arb_effects(),
    );
    (geometry, output, edits, extras).prop_map(
        |(
            (w, h, dpr, fit, gravity),
            (q, f, bg, m, anim, scq, fast),
            (rot, flip, trim, onerror),
            (tw, th, tb, border, effects),
        )| Options {
            width: w,
            // width=auto only where there is no number (one width option); any bit will do
            width_auto: w.is_none() && fast,
            height: h,
            dpr: dpr.map(|v| v as f32 / 100.0),
            fit: [
                Fit::ScaleDown,
                Fit::Contain,
                Fit::Cover,
                Fit::Crop,
                Fit::AspectCrop,
                Fit::Pad,
                Fit::Squeeze,
            ][fit as usize],
            gravity,
            quality: q.map(Quality::Value),
            slow_connection_quality: scq.map(Quality::Value),
            compression_fast: fast,
            // no URL form: the JSON-only draw list is checked in tests/draw.rs
            draw: Vec::new(),
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
            trim: {
                let t = trim.unwrap_or_default();
                let t = Trim {
                    top: t[0] as u32,
                    right: t[1] as u32,
                    bottom: t[2] as u32,
                    left: t[3] as u32,
                    width: tw,
                    height: th,
                    border: tb.map(|(c, tolerance, keep)| TrimBorder {
                        color: c.map(|[r, g, b, a]| Rgba { r, g, b, a }),
                        tolerance,
                        keep,
                    }),
                };
                // a trim that cuts nothing is no trim: one key per meaning
                (t != Trim::default()).then_some(t)
            },
            border: border
                .filter(|(_, w)| w != &[0; 4])
                .map(|([r, g, b, a], w)| Border {
                    color: Rgba { r, g, b, a },
                    top: w[0] as u32,
                    right: w[1] as u32,
                    bottom: w[2] as u32,
                    left: w[3] as u32,
                }),
            effects,
            onerror: onerror.then_some(OnError::Redirect),
        },
    )
}

/// Adjustments in their ranges, leaving out the values that change nothing (as parsing does).
fn arb_effects() -> impl Strategy<Value = Effects> {
    let hundredths = |max: u32, skip: u32| {
        proptest::option::of((1..=max).prop_filter("no-op value", move |v| *v != skip))
            .prop_map(|v| v.map(|v| v as f32 / 100.0))
    };
    (
        hundredths(25_000, 0),
        hundredths(1000, 0),
        hundredths(1000, 100),
        hundredths(1000, 100),
        hundredths(1000, 100),
        proptest::option::of((0..=1000u32).prop_filter("no-op value", |v| *v != 100))
            .prop_map(|v| v.map(|v| v as f32 / 100.0)),
    )
        .prop_map(
            |(blur, sharpen, brightness, contrast, gamma, saturation)| Effects {
                blur,
                sharpen,
                brightness,
                contrast,
                gamma,
                saturation,
            },
        )
}

/// A JSON value for one canonical value: numbers where the URL form has numbers.
fn json_scalar(k: &str, v: &str) -> serde_json::Value {
    match v.parse::<f64>() {
        Ok(n) if k != "gravity" && !k.ends_with("color") => serde_json::json!(n),
        _ => serde_json::Value::String(v.to_string()),
    }
}

/// The canonical string as a JSON object in Cloudflare's Workers shape: dotted names become
/// nested objects (`trim.border.color` is `{"trim": {"border": {"color": …}}}`).
fn as_json(o: &Options) -> serde_json::Value {
    let mut m = serde_json::Map::new();
    let mut nested = |path: &[&str], value: serde_json::Value| {
        let mut at = &mut m;
        for p in &path[..path.len() - 1] {
            at = at
                .entry(p.to_string())
                .or_insert_with(|| serde_json::json!({}))
                .as_object_mut()
                .unwrap();
        }
        at.insert(path[path.len() - 1].to_string(), value);
    };
    for pair in o.canonical().split(',').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap();
        match (k, v) {
            ("trim", "border") => nested(&["trim", "border"], serde_json::json!({})),
            ("trim", _) => {
                let s: Vec<u32> = v.split(';').map(|x| x.parse().unwrap()).collect();
                for (side, n) in ["top", "right", "bottom", "left"].iter().zip(s) {
                    nested(&["trim", side], serde_json::json!(n));
                }
            }
            ("anim", _) => nested(&[k], serde_json::Value::Bool(v == "true")),
            _ => {
                let path: Vec<&str> = k.split('.').collect();
                nested(&path, json_scalar(k, v));
            }
        }
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

const NAMES: &[&str] = &[
    "width",
    "dpr",
    "fit",
    "trim",
    "trim.top",
    "trim.left",
    "trim.width",
    "trim.height",
    "trim.border",
    "trim.border.color",
    "trim.border.tolerance",
    "trim.border.keep",
    "border",
    "border.color",
    "border.width",
    "border.top",
    "border.right",
    "blur",
    "sharpen",
    "brightness",
    "contrast",
    "gamma",
    "saturation",
    "background",
    "rotate",
];
const VALUES: &[&str] = &[
    "0",
    "-0",
    "1",
    "0.5",
    "10",
    "250",
    "251",
    "1e-40",
    "1e40",
    "NaN",
    "inf",
    "-1",
    "100000",
    "100001",
    "border",
    "true",
    "false",
    "1;2;3;4",
    "red",
    "%23fff",
    "transparent",
    "rgb(1 2 3 / 50%25)",
    "hsl(120 100% 50%)",
    "aspect-crop",
    "",
    "x",
];

proptest! {
    /// Any string of known names and awkward values either parses to options whose canonical
    /// form parses back to them, or fails as a 400 of one of the option codes: never a panic,
    /// never another error.
    #[test]
    fn arbitrary_option_strings_round_trip_or_fail_cleanly(
        pairs in proptest::collection::vec((0..NAMES.len(), 0..VALUES.len()), 0..6)
    ) {
        let s: Vec<String> = pairs.iter().map(|&(n, v)| format!("{}={}", NAMES[n], VALUES[v])).collect();
        let s = s.join(",");
        match Options::parse(&s) {
            Ok(o) => {
                let c = o.canonical();
                let back = Options::parse(&c).map_err(|e| TestCaseError::fail(format!("{s} -> {c}: {e}")))?;
                prop_assert_eq!(back, o, "{} -> {}", s, c);
            }
            Err(e) => {
                prop_assert!(matches!(e.code, ErrorCode::BadOption | ErrorCode::UnknownOption | ErrorCode::UnsupportedOption), "{}: {:?}", s, e.code);
                prop_assert_eq!(e.http_status(), 400);
            }
        }
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
        (
            "trim",
            &[
                "1;2;3",
                "a;b;c;d",
                "1;2;3;4;5",
                "-1;0;0;0",
                "100001;0;0;0",
                "edges",
            ],
        ),
        ("trim.top", &["-1", "NaN", "1e9", "x", ""]),
        ("trim.width", &["0", "-5", "inf", "100001", "1.5"]),
        ("trim.height", &["0", "NaN", "99999999999"]),
        ("trim.border.color", &["nope", "#12", "rgb(1,2)"]),
        ("trim.border.tolerance", &["256", "-1", "NaN", "0.5"]),
        ("trim.border.keep", &["-1", "NaN", "100001"]),
        ("border.color", &["nope", "hsl(1)"]),
        ("border.width", &["-1", "NaN", "100001", "1.5", "inf"]),
        ("border.left", &["-3", "1e40"]),
        (
            "blur",
            &["-1", "251", "NaN", "inf", "-inf", "1e40", "x", ""],
        ),
        ("sharpen", &["-0.5", "10.5", "NaN", "inf", "x"]),
        ("brightness", &["-1", "11", "NaN", "inf", "1e40"]),
        ("contrast", &["-0.1", "NaN", "inf"]),
        ("gamma", &["-2", "NaN", "-inf", "1e39"]),
        ("saturation", &["-1", "NaN", "inf", "10.01"]),
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
        "zoom=0.5",
        "segment=foreground",
        "upscale=generate",
        "gravity=face",
        "draw=x",
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

#[test]
fn json_object_fields_match_the_dotted_url_names() {
    let j = serde_json::json!({
        "width": 300,
        "trim": {"left": 5, "top": 6, "width": 100, "height": 80,
                 "border": {"color": "#fff", "tolerance": 200, "keep": 3}},
        "border": {"color": "rgb(255 0 0 / 50%)", "width": 4},
        "blur": 20, "sharpen": 1.5, "brightness": 1.2, "contrast": 1.1, "gamma": 0.9,
        "saturation": 0
    });
    let u = Options::parse(
        "width=300,trim.left=5,trim.top=6,trim.width=100,trim.height=80,trim=border,\
         trim.border.color=%23fff,trim.border.tolerance=200,trim.border.keep=3,\
         border.color=rgb(255 0 0 / 50%25),border.width=4,blur=20,sharpen=1.5,\
         brightness=1.2,contrast=1.1,gamma=0.9,saturation=0",
    )
    .unwrap();
    assert_eq!(Options::from_json(&j).unwrap(), u);
    let t = u.trim.unwrap();
    assert_eq!(
        (t.left, t.top, t.width, t.height),
        (5, 6, Some(100), Some(80))
    );
    let tb = t.border.unwrap();
    assert_eq!(
        (tb.color, tb.tolerance, tb.keep),
        (Some(Rgba::WHITE), 200, 3)
    );
    let b = u.border.unwrap();
    assert_eq!((b.color.r, b.color.a, b.top, b.left), (255, 128, 4, 4));
    assert_eq!(u.effects.blur, Some(20.0));
    assert_eq!(u.effects.saturation, Some(0.0));
    // `trim: {border: true}` is `trim=border`
    let on = Options::from_json(&serde_json::json!({"trim": {"border": true}})).unwrap();
    assert_eq!(on, Options::parse("trim=border").unwrap());
    // a field given twice through two spellings is refused
    for s in [
        "trim=1;2;3;4,trim.left=5",
        "border.width=3,border.top=1",
        "trim=border,trim=border",
    ] {
        assert_eq!(Options::parse(s).unwrap_err().http_status(), 400, "{s}");
    }
}

#[test]
fn adjustments_that_change_nothing_share_the_plain_key() {
    for s in [
        "blur=0",
        "sharpen=0",
        "brightness=1",
        "contrast=1",
        "gamma=1",
        "saturation=1",
        "brightness=0",
        "contrast=0",
        "gamma=0",
        "border.width=0",
        "trim.left=0",
    ] {
        assert_eq!(key(s), key(""), "{s}");
    }
    // saturation=0 is grey, not "ignored"
    assert_ne!(key("saturation=0"), key(""));
    assert_eq!(key("saturation=-0"), key("saturation=0"));
    assert_eq!(key("blur=-0"), key(""));
    assert_eq!(key("blur=20.0"), key("blur=20"));
    assert_eq!(
        key("trim.border.color=%23FFF"),
        key("trim.border.color=white")
    );
}

/// The words of an error message's `expected …` part, as a reader splits them: `one of a, b`,
/// `a, b or c`, `a, b, or <more>`.
fn listed_words(expected: &str) -> Vec<String> {
    let list = expected.strip_prefix("one of ").unwrap_or(expected);
    list.split(", ")
        .flat_map(|t| t.strip_prefix("or ").unwrap_or(t).split(" or "))
        .map(String::from)
        .collect()
}

#[test]
fn every_enumerated_option_lists_exactly_the_table_words() {
    let enumerated: Vec<_> = edgepix::options::ROWS
        .iter()
        .filter_map(|r| Some((r, r.values()?)))
        .collect();
    // the options with a fixed list of words, so a row that loses its list is noticed
    let names: Vec<&str> = enumerated.iter().map(|(r, _)| r.name).collect();
    assert_eq!(
        names,
        [
            "fit",
            "gravity",
            "format",
            "compression",
            "metadata",
            "anim",
            "rotate",
            "flip",
            "upscale",
            "onerror"
        ]
    );
    for (row, values) in enumerated {
        assert!(!values.is_empty(), "{}", row.name);
        let mut want: Vec<String> = values.iter().map(|v| v.to_string()).collect();
        want.extend(row.more().map(String::from));
        for name in std::iter::once(row.name).chain(row.aliases.iter().copied()) {
            for bad in ["not-a-word", "", "X"] {
                for e in [
                    Options::parse(&format!("{name}={bad}")).unwrap_err(),
                    Options::from_json(&serde_json::json!({ name: bad })).unwrap_err(),
                ] {
                    assert_eq!(e.code, ErrorCode::BadOption, "{name}={bad}: {e}");
                    let head =
                        format!("invalid value {bad:?} for option '{}': expected ", row.name);
                    let expected = e
                        .message
                        .strip_prefix(&head)
                        .unwrap_or_else(|| panic!("{name}={bad}: {:?}", e.message));
                    assert_eq!(
                        listed_words(expected),
                        want,
                        "{name}={bad}: {:?}",
                        e.message
                    );
                }
            }
        }
        // and every word listed is taken (`upscale=generate` is refused as unsupported)
        for v in &values {
            match Options::parse(&format!("{}={v}", row.name)) {
                Ok(_) => {}
                Err(e) => assert_eq!(
                    e.code,
                    ErrorCode::UnsupportedOption,
                    "{}={v}: {e}",
                    row.name
                ),
            }
        }
    }
}

#[test]
fn every_alias_means_its_option() {
    let samples = [
        ("width", "640"),
        ("height", "480"),
        ("quality", "80"),
        ("format", "webp"),
        ("gravity", "0.25x0.75"),
        ("slow-connection-quality", "30"),
    ];
    let mut aliased = 0;
    for row in edgepix::options::ROWS {
        for alias in row.aliases {
            let (_, v) = samples
                .iter()
                .find(|(n, _)| *n == row.name)
                .unwrap_or_else(|| panic!("no sample value for {} (alias {alias})", row.name));
            assert_eq!(
                key(&format!("{alias}={v}")),
                key(&format!("{}={v}", row.name)),
                "{alias}"
            );
            assert_ne!(key(&format!("{alias}={v}")), key(""), "{alias}");
            aliased += 1;
        }
    }
    // Cloudflare's w, h, q, f, g and edgepix's scq
    assert_eq!(aliased, 6);
}
