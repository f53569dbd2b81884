//! quality=auto and gravity=auto on real photographs.
//!
//! The judge here is independent of the code under test: outputs are decoded by the `image`
//! crate and scored by calling the `ssimulacra2` crate directly (not `edgepix::quality::metric`)
//! against the un-encoded resized frame. The images are held out: Kodak-24 and
//! ../shared/corpus/photos, while the predictor was trained on the fetched eval corpus
//! (scripts/fetch-eval-corpus.sh, docs/QUALITY.md).
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::*;
use edgepix::pipeline::{render, Rendered};
use edgepix::pixels::{Layout, Raster};
use edgepix::{Limits, Options, Resolved};

/// Held-out photographs: a spread of flat (sky, skin) and textured (foliage, fur) content.
const HELD_OUT: [&str; 5] = [
    "photos/kodak/kodim03.png",
    "photos/kodak/kodim13.png",
    "photos/kodak/kodim23.png",
    "photos/elephants-baseline.jpg",
    "photos/hato.jpg",
];

fn frame(bytes: &[u8], opts: &str) -> Raster {
    let o = Options::parse(opts).unwrap();
    match render(
        bytes,
        &Resolved::for_any_modern_client(&o),
        &Limits::default(),
        &now,
    )
    .unwrap()
    {
        Rendered::Frame(f) => f.raster,
        Rendered::Metadata(_) | Rendered::Animation(_) => panic!("no single frame"),
    }
}

fn to_linear(r: &Raster) -> ssimulacra2::LinearRgb {
    let c = r.layout.channels();
    let lin = |v: u8| {
        let v = v as f32 / 255.0;
        if v <= 0.04045 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    let px: Vec<[f32; 3]> = r
        .data
        .chunks_exact(c)
        .map(|p| [lin(p[0]), lin(p[1]), lin(p[2])])
        .collect();
    ssimulacra2::LinearRgb::new(px, r.width as usize, r.height as usize).unwrap()
}

/// SSIMULACRA2 of the encoded `out` against `reference`, decoded by the `image` crate.
fn judge(reference: &Raster, out: &[u8]) -> f64 {
    let img = image::load_from_memory(out).unwrap().to_rgb8();
    assert_eq!(
        (img.width(), img.height()),
        (reference.width, reference.height)
    );
    let decoded = Raster::new(img.width(), img.height(), Layout::Rgb, img.into_raw());
    let reference = if reference.layout == Layout::Rgba {
        edgepix::pixels::compose::flatten(reference.clone(), edgepix::options::Rgba::WHITE)
    } else {
        reference.clone()
    };
    ssimulacra2::compute_frame_ssimulacra2(to_linear(&reference), to_linear(&decoded)).unwrap()
}

#[test]
fn quality_auto_meets_its_target_on_held_out_photos() {
    for name in HELD_OUT {
        let bytes = read(name);
        for format in ["jpeg", "webp"] {
            let base = format!("width=600,format={format}");
            let reference = frame(&bytes, &base);
            let out = transform(&bytes, &format!("{base},quality=auto")).unwrap();
            let choice = out.quality_choice.expect("quality=auto reports its choice");
            let score = judge(&reference, &out.bytes);
            assert!(
                score >= edgepix::quality::DEFAULT_TARGET as f64,
                "{name} {format}: SSIMULACRA2 {score:.2} at q{} ({choice:?})",
                choice.quality
            );
            // and it saves against the fixed q85 it replaces
            let q85 = transform(&bytes, &format!("{base},quality=85")).unwrap();
            assert!(
                out.bytes.len() <= q85.bytes.len() || choice.quality >= 85,
                "{name} {format}: {} bytes at q{} vs {} at q85",
                out.bytes.len(),
                choice.quality,
                q85.bytes.len()
            );
        }
    }
}

#[test]
fn a_higher_target_never_gives_fewer_bytes() {
    for name in ["photos/kodak/kodim05.png", "photos/RainDrops.jpg"] {
        let bytes = read(name);
        for format in ["jpeg", "webp"] {
            let mut last = (0u8, 0usize);
            for level in ["low", "medium-low", "medium-high", "high"] {
                let out = transform(
                    &bytes,
                    &format!("width=500,format={format},quality={level}"),
                )
                .unwrap();
                let target = out
                    .quality_choice
                    .unwrap_or_else(|| {
                        panic!("{name} {format} {level}: no choice, notes {:?}", out.notes)
                    })
                    .target;
                assert!(target > last.0);
                assert!(
                    out.bytes.len() >= last.1,
                    "{name} {format}: {level} (target {target}) gave {} bytes, less than {} at target {}",
                    out.bytes.len(),
                    last.1,
                    last.0
                );
                last = (target, out.bytes.len());
            }
        }
    }
}

#[test]
fn quality_auto_never_spends_more_than_the_source_at_its_size_and_format() {
    // a JPEG served at its own size and format: the output is never larger than the source
    for name in ["photos/hato.jpg", "photos/2569067123_aca715a2ee_o.jpg"] {
        let bytes = read(name);
        let out = transform(&bytes, "format=jpeg,quality=auto:90").unwrap();
        let p = edgepix::probe(&bytes, &Limits::default()).unwrap();
        assert_eq!((out.width, out.height), (p.width, p.height));
        assert!(
            out.bytes.len() <= bytes.len(),
            "{name}: {} > {}",
            out.bytes.len(),
            bytes.len()
        );
    }
}

#[test]
fn retraining_reproduces_the_checked_in_model() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let csv = std::fs::read_to_string(root.join("data/quality/curves.csv")).unwrap();
    let rows = edgepix::quality::train::parse_curves(&csv).unwrap();
    assert!(rows.len() > 100, "{} rows", rows.len());
    let fitted = edgepix::quality::train::to_json(&edgepix::quality::train::fit(&rows));
    let shipped = std::fs::read_to_string(root.join("data/quality/model.json")).unwrap();
    assert_eq!(fitted, shipped, "run: edgepix train (docs/QUALITY.md)");
}

#[test]
fn smart_crop_is_deterministic_and_stays_inside_the_picture() {
    for name in [
        "photos/kodak/kodim04.png",
        "photos/dog_exif_extended_xmp_icc.jpg",
    ] {
        let bytes = read(name);
        let o = Options::parse("width=200,height=300,fit=cover,gravity=auto").unwrap();
        let plan = |o: &Options| match render(
            &bytes,
            &Resolved::for_any_modern_client(o),
            &Limits::default(),
            &now,
        )
        .unwrap()
        {
            Rendered::Frame(f) => f.plan,
            Rendered::Metadata(_) | Rendered::Animation(_) => panic!("no single frame"),
        };
        let a = plan(&o);
        assert_eq!(a, plan(&o), "{name}");
        let [x, y, w, h] = a.crop;
        let (dw, dh) = a.display_size;
        assert!(
            x >= 0.0 && y >= 0.0 && x + w <= dw as f64 + 1e-6 && y + h <= dh as f64 + 1e-6,
            "{name}: {:?}",
            a.crop
        );
        // same window size as the centre crop: only its position may differ
        let c = plan(&Options::parse("width=200,height=300,fit=cover").unwrap());
        assert!((c.crop[2] - w).abs() < 1e-9 && (c.crop[3] - h).abs() < 1e-9);
        let first = transform(&bytes, "width=200,height=300,fit=cover,gravity=auto").unwrap();
        let second = transform(&bytes, "width=200,height=300,fit=cover,gravity=auto").unwrap();
        assert_eq!(first.bytes, second.bytes, "{name}");
    }
}

fn now() -> f64 {
    0.0
}

#[test]
fn quality_auto_on_outputs_too_small_to_score_encodes_at_the_default_quality() {
    // SSIMULACRA2 needs 8 px a side: a 6x6 answer has nothing to check (it answered 500 before)
    let bytes = read("photos/hato.jpg");
    for (opts, mime) in [
        ("width=6,height=6,fit=cover,quality=auto", "image/jpeg"),
        (
            "width=6,height=6,fit=cover,quality=auto,format=webp",
            "image/webp",
        ),
        ("width=7,height=300,fit=cover,quality=auto", "image/jpeg"),
    ] {
        let out = transform(&bytes, opts).unwrap_or_else(|e| panic!("{opts}: {e}"));
        assert_eq!(out.mime(), mime, "{opts}");
        let img = image::load_from_memory(&out.bytes).unwrap();
        assert_eq!(
            (img.width(), img.height()),
            (out.width, out.height),
            "{opts}"
        );
        assert!(out.width < 8, "{opts}");
        assert_eq!(out.encodes, 1, "{opts}");
        assert!(out.quality_choice.is_none(), "{opts}");
    }
}

#[test]
fn quality_auto_spends_at_most_six_encodes_even_when_it_must_stay_under_a_tiny_source() {
    // A WebP at quality 5 served again as WebP at its own size: quality=auto:95 chooses far
    // above it, and "never more bytes than the source" then walks down to the floor. It took
    // up to 14 encodes (95, 90, ... 30) before the allowance.
    let photo = read("photos/hato.jpg");
    let small = transform(&photo, "width=640,format=webp,quality=5").unwrap();
    let out = transform(&small.bytes, "format=webp,quality=auto:95").unwrap();
    let choice = out.quality_choice.expect("quality=auto reports its choice");
    assert_eq!((out.width, out.height), (small.width, small.height));
    assert!(out.encodes <= 6, "{} encodes", out.encodes);
    assert!(out.encodes > choice.checks, "the final encode is counted");
    assert!(
        out.bytes.len() <= small.bytes.len() || choice.quality == edgepix::quality::MIN_Q,
        "{} > {} at q{}",
        out.bytes.len(),
        small.bytes.len(),
        choice.quality
    );
}

#[test]
fn max_bytes_with_quality_auto_spends_at_most_its_allowance() {
    let bytes = read("photos/hato.jpg");
    let o = Options::parse("width=800,quality=auto").unwrap();
    let out = edgepix::fit_bytes::transform_max_bytes(
        &bytes,
        &o,
        edgepix::Accepts::default(),
        &Limits::default(),
        &now,
        6_000,
    )
    .unwrap();
    assert!(out.bytes.len() <= 6_000, "{} bytes", out.bytes.len());
    assert!(
        out.encodes <= edgepix::steps::allowance::PER_FIT,
        "{} encodes",
        out.encodes
    );
}
