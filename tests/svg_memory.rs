//! The memory budget covers what the SVG sanitiser really allocates: a counting global
//! allocator records the peak heap of whole transforms of SVGs shaped to stress the parser
//! (deep nesting, one huge text run, one huge attribute, many elements, entity expansion), and
//! the peak plus the input the caller holds must stay within the plan's own estimate.
//! One test function only, so no other test thread allocates while we measure.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use edgepix::{Accepts, Client, ErrorCode, Limits, Options};

#[global_allocator]
static ALLOC: common::counting::Counting = common::counting::Counting;
use common::counting::peak_of;

const OPEN: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\">";

fn doc(body: &str) -> Vec<u8> {
    format!("{OPEN}{body}</svg>").into_bytes()
}

fn shapes() -> Vec<(&'static str, Vec<u8>)> {
    let mb = 2 << 20;
    let nested = |depth: usize| format!("{}<rect/>{}", "<g>".repeat(depth), "</g>".repeat(depth));
    let shapes_nested = |depth: usize| {
        format!(
            "{}<path d=\"M10 10 L20 20 L30 10 Z\" fill=\"#336699\"/><circle cx=\"5\" cy=\"5\" r=\"4\"/>{}",
            "<g transform=\"translate(1 1)\">".repeat(depth),
            "</g>".repeat(depth)
        )
    };
    let attrs = [
        "x",
        "y",
        "width",
        "height",
        "rx",
        "ry",
        "fill",
        "stroke",
        "stroke-width",
        "opacity",
        "fill-opacity",
        "stroke-opacity",
        "stroke-dasharray",
        "stroke-linecap",
        "transform",
        "data-note",
        "aria-label",
        "id",
        "class",
        "style",
    ]
    .iter()
    .enumerate()
    .map(|(i, n)| format!(" {n}=\"{i}\""))
    .collect::<String>();
    // xml-rs allows 3 reparses while an expansion is pending, so nested entities with many
    // references fail to parse; the amplifier left is one large literal referenced many times
    let entity = |copies: usize| {
        let a = "x".repeat(100_000);
        format!(
            "<?xml version=\"1.0\"?><!DOCTYPE svg [<!ENTITY a \"{a}\">]>{OPEN}<text>{}</text></svg>",
            "&a;".repeat(copies)
        )
        .into_bytes()
    };
    vec![
        (
            "benign",
            std::fs::read(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/data/svg/benign.svg"
            ))
            .unwrap(),
        ),
        (
            "nested 12 deep with shapes, repeated",
            doc(&shapes_nested(12).repeat(mb / 800)),
        ),
        (
            "bare groups 40 deep, repeated (refused)",
            doc(&nested(40).repeat(mb / 300)),
        ),
        ("nested 100k deep (refused)", doc(&nested(100_000))),
        (
            "one text run",
            doc(&format!("<text>{}</text>", "t".repeat(mb))),
        ),
        (
            "one attribute",
            doc(&format!("<path d=\"M0 0{}\"/>", " L1 1".repeat(mb / 5))),
        ),
        ("small elements", doc(&"<rect/>".repeat(mb / 7))),
        (
            "20 attributes each",
            doc(&format!("<rect{attrs}/>").repeat(mb / 250)),
        ),
        (
            "non-ASCII text",
            doc(&format!("<text>{}</text>", "é漢".repeat(mb / 5))),
        ),
        ("entity of 100 kB, 10 references", entity(10)),
        ("entity of 100 kB, 10k references (bomb)", entity(10_000)),
    ]
}

#[test]
fn the_sanitiser_stays_within_its_budget() {
    let limits = Limits::LOCAL;
    let resolved = Options::default().resolve(&Client::new(Accepts::default()));
    for (name, svg) in shapes() {
        let plan = edgepix::pipeline::plan_for(&svg, &resolved, &limits).unwrap();
        let (peak, result) = peak_of(|| {
            edgepix::transform_resolved(&svg, &resolved, &limits, &|| 0.0).map(|o| o.bytes.len())
        });
        let held = peak + svg.len() as u64;
        eprintln!(
            "{name}: input {} B, output {:?}, measured peak {} B ({:.2}x input), plan peak {} B",
            svg.len(),
            result.as_ref().map_err(|e| e.code),
            held,
            held as f64 / svg.len() as f64,
            plan.memory.peak
        );
        assert!(
            held <= plan.memory.peak,
            "{name}: held {held} B, the plan budgets {} B",
            plan.memory.peak
        );
        if name.contains("refused") || name.contains("bomb") {
            let e = result.unwrap_err();
            assert!(
                matches!(e.code, ErrorCode::OutputTooLarge | ErrorCode::CorruptImage),
                "{name}: {e}"
            );
        } else {
            result.unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }
}
