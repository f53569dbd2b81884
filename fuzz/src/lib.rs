//! What each fuzz target does with one input, in one place: the cargo fuzz targets
//! (fuzz_targets/*.rs) call these, and the native regression test (tests/fuzz_regressions.rs)
//! includes this file, so a saved crash input is replayed through exactly the same call.
//!
//! A panic here is a finding: a panic inside the engine, an `internal` error (a bug by the
//! error type's own definition), or a property of the result that does not hold. The file
//! depends only on `edgepix` and `serde_json`, which the main crate's tests also have.

use edgepix::{Accepts, ErrorCode, Limits, Options};
use serde_json::{Map, Number, Value};

/// `options`: the URL form and the JSON form of the option parser. Every option set either
/// parses to one whose canonical form parses back to itself, or is refused with an option code.
pub fn options(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    check_options("URL form", &text, Options::parse(&text));
    let json = serde_json::from_slice::<Value>(data).unwrap_or_else(|_| object_from_pairs(&text));
    check_options("JSON form", &json.to_string(), Options::from_json(&json));
}

fn check_options(form: &str, input: &str, parsed: edgepix::Result<Options>) {
    match parsed {
        Ok(o) => {
            let canonical = o.canonical();
            let again = Options::parse(&canonical);
            assert!(
                again.as_ref() == Ok(&o),
                "{form} {input:?}: canonical {canonical:?} parses to {again:?}, not {o:?}"
            );
        }
        Err(e) => assert!(
            matches!(
                e.code,
                ErrorCode::BadOption | ErrorCode::UnknownOption | ErrorCode::UnsupportedOption
            ),
            "{form} {input:?}: the option parser answered {:?}: {e}",
            e.code
        ),
    }
}

/// The JSON object a JavaScript caller would pass for `name=value,...`: numbers and booleans
/// typed as in JavaScript, `trim=a;b;c;d` and `gravity=XxY` as the nested objects `from_json`
/// also accepts, so URL-form inputs reach every branch of the JSON form too.
fn object_from_pairs(text: &str) -> Value {
    let mut obj = Map::new();
    for part in text.split(',') {
        let (key, raw) = part.split_once('=').unwrap_or((part, ""));
        let nums: Vec<Value> = raw.split(';').map(scalar).collect();
        let value = if key == "trim" && nums.len() == 4 {
            let sides = ["top", "right", "bottom", "left"];
            Value::Object(sides.iter().map(|s| s.to_string()).zip(nums).collect())
        } else if let Some((x, y)) = raw.split_once('x').filter(|_| key == "gravity") {
            let axes = [("x".to_string(), scalar(x)), ("y".to_string(), scalar(y))];
            Value::Object(axes.into_iter().collect())
        } else {
            scalar(raw)
        };
        obj.insert(key.to_string(), value);
    }
    Value::Object(obj)
}

fn scalar(raw: &str) -> Value {
    match raw {
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        "null" => Value::Null,
        _ => raw
            .parse::<f64>()
            .ok()
            .and_then(Number::from_f64)
            .map(Value::Number)
            .unwrap_or_else(|| Value::String(raw.to_string())),
    }
}

/// `probe`: the header reader and the metadata document built from it, with default limits.
pub fn probe(data: &[u8]) {
    let limits = Limits::default();
    let probed = edgepix::probe(data, &limits);
    let inspected = edgepix::inspect(data, &limits);
    match (probed, inspected) {
        (Ok(p), Ok(json)) => {
            assert!(
                p.width > 0 && p.height > 0,
                "probe accepted a zero dimension: {p:?}"
            );
            assert!(
                p.pixels() <= limits.max_input_pixels,
                "probe passed a bomb: {p:?}"
            );
            assert!(
                (1..=8).contains(&p.orientation),
                "orientation out of range: {p:?}"
            );
            serde_json::from_str::<Value>(&json).expect("inspect() wrote invalid JSON");
        }
        (Err(a), Err(b)) => {
            assert_ne!(a.code, ErrorCode::Internal, "probe: {a}");
            assert_eq!(a.code, b.code, "probe and inspect disagree: {a} / {b}");
        }
        (a, b) => panic!("probe and inspect disagree: {a:?} / {b:?}"),
    }
}

/// The limits of the `transform` target: small enough that one execution stays in tens of
/// milliseconds, large enough for every seed image under the seed size cap.
pub fn transform_limits() -> Limits {
    Limits {
        max_input_bytes: 1024 * 1024,
        max_input_pixels: 4_000_000,
        max_output_dimension: 1024,
        max_output_pixels: 1024 * 1024,
        max_frames: 100,
        max_animation_pixels: 8_000_000,
        max_transformed_animation_pixels: 4_000_000,
        max_animation_output_pixels: 4_000_000,
        max_decoded_bytes: 16 * 1024 * 1024,
        max_memory_bytes: 48 * 1024 * 1024,
        max_avif_pixels: 256 * 256,
    }
}

/// The option strings of the `transform` target. The input's last byte picks one
/// (`TRANSFORM_OPTIONS[last % len]`) and the whole input is the image, so a corpus file is
/// exactly the image that was transformed (the wasm32 sweep replays it as it is).
pub const TRANSFORM_OPTIONS: &[&str] = &[
    "width=64",
    "width=100,height=100,fit=cover",
    "width=80,format=webp",
    "width=96,format=png",
    "width=72,format=jpeg,quality=50",
    "width=60,height=40,fit=pad,background=%23ff000080,format=png",
    "width=48,rotate=90,flip=h",
    "trim=1;2;3;4,width=40,format=webp",
    "format=json",
    "width=50,height=50,fit=crop,gravity=0.2x0.8,format=baseline-jpeg,metadata=keep",
    "dpr=2,width=20,height=30,fit=contain,format=webp,quality=100",
    "width=33,height=17,fit=squeeze,rotate=270,format=png,background=white",
    "height=90,fit=scale-down,format=auto,metadata=none",
];

/// The option string `transform` uses for this input.
pub fn transform_options(data: &[u8]) -> &'static str {
    let pick = data.last().copied().unwrap_or(0) as usize;
    TRANSFORM_OPTIONS[pick % TRANSFORM_OPTIONS.len()]
}

/// `transform`: the whole pipeline without its panic guard, so a panic is a crash here.
/// An output must be an image our own probe reads back at the size the transform reports.
pub fn transform(data: &[u8]) {
    let limits = transform_limits();
    let text = transform_options(data);
    let opts = Options::parse(text).expect("the target's own option strings parse");
    let accepts = Accepts {
        webp: true,
        avif: false,
    };
    match edgepix::pipeline::transform_unguarded(data, &opts, accepts, &limits, &|| 0.0) {
        Ok(out) if out.format == edgepix::OutputFormat::Json => {
            serde_json::from_slice::<Value>(&out.bytes).expect("format=json wrote invalid JSON");
        }
        Ok(out) => {
            let back = edgepix::probe(&out.bytes, &Limits::default())
                .unwrap_or_else(|e| panic!("{text}: the output does not probe: {e}"));
            assert_eq!(
                (back.width, back.height),
                (out.width, out.height),
                "{text}: the output's header disagrees with the reported size"
            );
            assert!(
                out.width <= limits.max_output_dimension
                    && out.height <= limits.max_output_dimension
            );
        }
        Err(e) => assert_ne!(e.code, ErrorCode::Internal, "{text}: {e}"),
    }
}
