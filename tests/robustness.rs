//! Hostile inputs: every file in `malformed/`, `bombs/` and `fuzz-seeds/` gives an error or a
//! valid output, never a panic (caught as Internal), never a hang. Bombs are refused by the
//! probe with 413 (see also `tests/bomb_alloc.rs` for the allocation bound).
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::*;
use edgepix::ErrorCode;
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// A generous per-file ceiling for "does not hang" (debug build, 2 shared cores); the real
/// cost is milliseconds. This bounds a loop, it is not a performance assertion.
const HANG: Duration = Duration::from_secs(20);

fn classes() -> HashMap<String, String> {
    manifest().into_iter().collect()
}

fn check(file: &str, class: &str) -> Result<(), String> {
    let bytes = read(file);
    let t = Instant::now();
    let result = transform(&bytes, "width=64");
    if t.elapsed() > HANG {
        return Err(format!("{file}: took {:?}", t.elapsed()));
    }
    match (class, result) {
        (_, Err(e)) if e.code == ErrorCode::Internal => Err(format!("{file}: {e}")),
        ("bomb", Err(e)) if e.http_status() == 413 => Ok(()),
        ("bomb", other) => Err(format!(
            "{file}: bomb not refused with 413: {:?}",
            other.err()
        )),
        (_, Err(_)) => Ok(()),
        (_, Ok(out)) => {
            // a valid output: it must decode and have the size we report
            let img = image::load_from_memory(&out.bytes)
                .map_err(|e| format!("{file}: output does not decode: {e}"))?;
            if (img.width(), img.height()) != (out.width, out.height) {
                return Err(format!("{file}: output size mismatch"));
            }
            Ok(())
        }
    }
}

fn run_folder(folder: &str) -> usize {
    let classes = classes();
    let files: Vec<String> = files_under(folder)
        .into_iter()
        .filter(|f| classes.contains_key(f))
        .collect();
    let failures: Vec<String> = files
        .iter()
        .filter_map(|f| check(f, &classes[f]).err())
        .collect();
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    files.len()
}

#[test]
fn malformed_files_never_panic() {
    assert_eq!(run_folder("malformed"), 48);
}

#[test]
fn bombs_are_refused_with_413() {
    assert_eq!(run_folder("bombs"), 4);
    for f in files_under("bombs") {
        let e = edgepix::probe(&read(&f), &Default::default()).unwrap_err();
        assert_eq!(
            e.code,
            ErrorCode::TooManyPixels,
            "{f}: probe must refuse: {e}"
        );
    }
}

#[test]
fn fuzz_seeds_never_panic() {
    assert_eq!(run_folder("fuzz-seeds"), 904);
}

/// Every file of class bomb in the manifest (including `max_size.jpg` and the 8 fuzz seeds).
#[test]
fn every_manifest_bomb_is_refused_by_the_probe() {
    let bombs = files_of_class("bomb");
    assert_eq!(bombs.len(), 13);
    for f in bombs {
        let e = edgepix::probe(&read(&f), &Default::default()).unwrap_err();
        assert_eq!(e.http_status(), 413, "{f}: {e}");
    }
}

/// Every file of class valid in the manifest transforms (except the formats this build
/// cannot decode, which must say so with 415). Fuzz seeds are left out: their class comes from
/// whether Pillow's lenient decoder got through them, and most "valid" ones are truncated or
/// corrupt (422 is right for them; `fuzz_seeds_never_panic` covers them).
#[test]
fn valid_files_transform_or_are_cleanly_unsupported() {
    let mut failures = Vec::new();
    let mut unsupported = Vec::new();
    for (f, class) in manifest() {
        if class != "valid"
            || f.starts_with("fuzz-seeds/")
            || f.starts_with("photos/")
            || f.ends_with("bryce.webp")
        {
            continue; // the big photos are exercised by the pipeline tests
        }
        match transform(&read(&f), "width=32") {
            Ok(_) => {}
            Err(e) if e.code == ErrorCode::UnsupportedFormat => unsupported.push(f),
            Err(e) => failures.push(format!("{f}: {e}")),
        }
    }
    eprintln!("unsupported (415): {unsupported:?}");
    // AVIF (no decoder in this build), arithmetic-coded and 12-bit JPEG, and PPM
    assert!(unsupported.len() <= 15, "{unsupported:?}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The crafted files of issue #8 (tests/data/crafted/make.mjs explains their bytes): chunk
/// lengths that wrap a 32-bit `usize`, and a GIF frame outside its screen. Each is corrupt (422)
/// at once; the same files run through the wasm32 build in `scripts/test-wasm-sweep.sh`.
#[test]
fn crafted_files_are_corrupt_not_hangs() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/crafted");
    let mut seen = 0;
    for name in [
        "png-chunk-length-wraps.png",
        "webp-exif-length-wraps.webp",
        "gif-frame-outside-screen.gif",
    ] {
        let bytes = std::fs::read(dir.join(name)).unwrap();
        let t = Instant::now();
        let e = transform(&bytes, "width=64").expect_err(name);
        assert!(t.elapsed() < HANG, "{name}: took {:?}", t.elapsed());
        assert_eq!(e.code, ErrorCode::CorruptImage, "{name}: {e}");
        assert_eq!(
            edgepix::inspect(&bytes, &Default::default())
                .unwrap_err()
                .code,
            ErrorCode::CorruptImage
        );
        seen += 1;
    }
    assert_eq!(seen, 3);
}
