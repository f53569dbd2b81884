//! PngSuite (`conformance/png/`) against `ref_results.csv`.
//!
//! The CSV hashes stb's 8-bit output (palette expanded, tRNS as alpha, 16-bit reduced to the
//! high byte, `ncomp` channels as stored). Our decoder expands grey to RGB, palette/tRNS to
//! RGBA and rounds 16-bit samples to the nearest 8-bit value ((v + 128) / 257). So:
//! * 8-bit and lower files: project our RGB(A) back to stb's `ncomp` channels and compare the
//!   FNV-1a hash exactly (the projection is lossless because grey is stored as r = g = b);
//! * 16-bit files: the high byte is not what we output, so the `image` crate's 16-bit decode
//!   is checked against the stb hash (high byte) and our decode against its rounded values
//!   (±0: both round the same 16-bit sample; ±1 allowed per the brief, we measure 0).
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::*;
use edgepix::ErrorCode;

struct Row {
    file: String,
    width: u32,
    height: u32,
    ncomp: usize,
    error: String,
    hash: u32,
}

fn rows() -> Vec<Row> {
    let text = std::fs::read_to_string(path("conformance/png/ref_results.csv")).unwrap();
    text.lines()
        .skip(1)
        .filter(|l| !l.is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            Row {
                file: format!(
                    "conformance/png/{}",
                    f[0].strip_prefix("pngsuite/").unwrap()
                ),
                width: f[1].parse().unwrap(),
                height: f[2].parse().unwrap(),
                ncomp: f[3].parse().unwrap(),
                error: f[4].to_string(),
                hash: u32::from_str_radix(f[5].trim_start_matches("0x"), 16).unwrap(),
            }
        })
        .collect()
}

/// Our RGB/RGBA raster as stb's `ncomp`-channel buffer.
fn as_stb(r: &edgepix::pixels::Raster, ncomp: usize) -> Vec<u8> {
    let c = r.layout.channels();
    let mut out = Vec::with_capacity(r.data.len());
    for p in r.data.chunks_exact(c) {
        let a = if c == 4 { p[3] } else { 255 };
        match ncomp {
            1 => out.push(p[0]),
            2 => out.extend_from_slice(&[p[0], a]),
            3 => out.extend_from_slice(&p[..3]),
            _ => out.extend_from_slice(&[p[0], p[1], p[2], a]),
        }
    }
    out
}

fn is_sixteen_bit(bytes: &[u8]) -> bool {
    bytes.len() > 24 && bytes[24] == 16
}

#[test]
fn pngsuite_matches_stb_reference() {
    let rows = rows();
    let mut checked = 0;
    let mut sixteen = 0;
    let mut max16 = 0u8;
    for row in rows.iter().filter(|r| {
        r.error.is_empty() && !r.file.contains("/corrupt/") && !r.file.contains("/iphone/")
    }) {
        let bytes = read(&row.file);
        let r = engine_decode(&bytes).unwrap_or_else(|e| panic!("{}: {e}", row.file));
        assert_eq!(
            (r.width, r.height),
            (row.width, row.height),
            "{}: dimensions",
            row.file
        );
        // stb's layout must be reachable from ours: alpha exactly where stb has it
        let ours_alpha = r.layout.channels() == 4;
        let stb_alpha = row.ncomp == 2 || row.ncomp == 4;
        assert_eq!(ours_alpha, stb_alpha, "{}: alpha channel", row.file);
        if row.ncomp <= 2 {
            assert!(
                r.data
                    .chunks_exact(r.layout.channels())
                    .all(|p| p[0] == p[1] && p[1] == p[2]),
                "{}: grey file must decode to r = g = b",
                row.file
            );
        }
        if is_sixteen_bit(&bytes) {
            sixteen += 1;
            // the reference decoder agrees with stb's high bytes ...
            let img = image_decode(&bytes);
            let wide: Vec<u16> = match row.ncomp {
                1 => img.to_luma16().into_raw(),
                2 => img.to_luma_alpha16().into_raw(),
                3 => img.to_rgb16().into_raw(),
                _ => img.to_rgba16().into_raw(),
            };
            let high: Vec<u8> = wide.iter().map(|v| (v >> 8) as u8).collect();
            assert_eq!(fnv1a(&high), row.hash, "{}: image crate vs stb", row.file);
            // ... and ours equals its samples rounded to nearest
            let rounded: Vec<u8> = wide
                .iter()
                .map(|&v| ((v as u32 + 128) / 257) as u8)
                .collect();
            let d = max_diff(&as_stb(&r, row.ncomp), &rounded);
            assert!(d <= 1, "{}: 16-bit rounding off by {d}", row.file);
            max16 = max16.max(d);
        } else {
            assert_eq!(
                fnv1a(&as_stb(&r, row.ncomp)),
                row.hash,
                "{}: pixels differ from stb",
                row.file
            );
        }
        checked += 1;
    }
    eprintln!("PngSuite: {checked} files match ({sixteen} 16-bit, max deviation {max16})");
    assert!(checked >= 200, "only {checked} files checked");
}

/// `primary_check/X.png` is `primary/X.png` decoded to RGBA8: same pixels through our decoder.
#[test]
fn primary_equals_primary_check() {
    let mut n = 0;
    for f in files_under("conformance/png/primary") {
        let check = f.replace("/primary/", "/primary_check/");
        if !path(&check).exists() {
            continue;
        }
        let a = engine_decode(&read(&f)).unwrap();
        let b = engine_decode(&read(&check)).unwrap();
        assert_eq!(to_rgba(&a), to_rgba(&b), "{f}");
        n += 1;
    }
    assert!(n > 50, "{n}");
}

/// The `x*` files are corrupt. A mangled signature means the bytes are not recognisably a PNG
/// (415, like any unknown format); everything else is a PNG with invalid content (422).
/// That includes the two with bad CRCs that stb accepts: PngSuite calls them corrupt.
#[test]
fn corrupt_pngsuite_files_are_refused() {
    let files = files_under("conformance/png/corrupt");
    assert_eq!(files.len(), 14);
    for f in files {
        let name = f.rsplit('/').next().unwrap();
        let expected = match name {
            // signature damage: byte 1 changed (xs*) or CR/LF translated (xcr, xlf)
            n if n.starts_with("xs") || n.starts_with("xcr") || n.starts_with("xlf") => {
                ErrorCode::UnsupportedFormat
            }
            _ => ErrorCode::CorruptImage,
        };
        let bytes = read(&f);
        let decode = engine_decode(&bytes).err();
        let pipeline = transform(&bytes, "width=16").err();
        for (what, e) in [("decode", decode), ("transform", pipeline)] {
            let e = e.unwrap_or_else(|| panic!("{f}: {what} accepted a corrupt file"));
            assert_eq!(e.code, expected, "{f}: {what}: {e}");
            assert_eq!(
                e.http_status(),
                if expected == ErrorCode::CorruptImage {
                    422
                } else {
                    415
                }
            );
        }
    }
}

/// Apple's CgBI "PNGs" (iphone/) are not standard PNG: refuse them cleanly.
#[test]
fn iphone_cgbi_files_are_refused() {
    for f in files_under("conformance/png/iphone") {
        let e = transform(&read(&f), "").expect_err(&f);
        assert_eq!(e.code, ErrorCode::CorruptImage, "{f}: {e}");
    }
}

/// The shared helpers (MD5, FNV-1a, SSIM) against known values.
#[test]
fn helpers_are_correct() {
    assert_eq!(md5_hex(b""), "d41d8cd98f00b204e9800998ecf8427e");
    assert_eq!(
        md5_hex(b"The quick brown fox jumps over the lazy dog"),
        "9e107d9d372bb6826bd81d3542a419d6"
    );
    assert_eq!(fnv1a(b""), 0x811c9dc5);
    assert_eq!(fnv1a(b"a"), 0xe40c292c);
    let a: Vec<f64> = (0..256).map(|i| (i * 7 % 256) as f64).collect();
    assert!((ssim(&a, &a, 16, 16) - 1.0).abs() < 1e-12);
    let b: Vec<f64> = a.iter().map(|v| 255.0 - v).collect();
    assert!(ssim(&a, &b, 16, 16) < 0.5);
}
