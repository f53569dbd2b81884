//! WebP decoding against `conformance/webp/`: libwebp's md5 list (dwebp output as PPM/PAM),
//! the lossless vectors against grid.png/peak.png, and image-webp's reference PNGs.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::*;
use std::collections::BTreeMap;

const DIR: &str = "conformance/webp/libwebp-test-data";

/// file -> (ppm md5, pam md5)
fn md5_list() -> BTreeMap<String, (Option<String>, Option<String>)> {
    let text = std::fs::read_to_string(path(&format!("{DIR}/libwebp_tests.md5"))).unwrap();
    let mut m: BTreeMap<String, (Option<String>, Option<String>)> = BTreeMap::new();
    for l in text.lines() {
        let Some((sum, name)) = l.split_once("  ") else {
            continue;
        };
        if let Some(f) = name.strip_suffix(".ppm") {
            m.entry(f.to_string()).or_default().0 = Some(sum.to_string());
        } else if let Some(f) = name.strip_suffix(".pam") {
            m.entry(f.to_string()).or_default().1 = Some(sum.to_string());
        }
    }
    m
}

fn ppm_md5(r: &edgepix::pixels::Raster) -> String {
    let mut b = format!("P6\n{} {}\n255\n", r.width, r.height).into_bytes();
    b.extend(to_rgb(r));
    md5_hex(&b)
}

fn pam_md5(r: &edgepix::pixels::Raster) -> String {
    let mut b = format!(
        "P7\nWIDTH {}\nHEIGHT {}\nDEPTH 4\nMAXVAL 255\nTUPLTYPE RGB_ALPHA\nENDHDR\n",
        r.width, r.height
    )
    .into_bytes();
    b.extend(to_rgba(r));
    md5_hex(&b)
}

fn is_lossless(bytes: &[u8]) -> bool {
    // the first chunk after the RIFF header; VP8X files are checked for a VP8L chunk
    bytes.get(12..16) == Some(b"VP8L") || bytes.windows(4).any(|w| w == b"VP8L")
}

/// Every file must reproduce dwebp's output bit for bit, lossy (fancy upsampling) included:
/// vaam-image-webp matches libwebp 1.6.0 on all 96 `.ppm` and 95 `.pam` entries (the 96th,
/// `bad_palette_index.webp.pam`, libwebp itself does not reproduce; corpus README).
#[test]
fn libwebp_md5_list() {
    let (mut files, mut ppms, mut pams, mut lossy) = (0, 0, 0, 0);
    for (file, (ppm, pam)) in md5_list() {
        let bytes = read(&format!("{DIR}/{file}"));
        let r = engine_decode(&bytes).unwrap_or_else(|e| panic!("{file}: {e}"));
        if let Some(ppm) = ppm {
            assert_eq!(ppm_md5(&r), ppm, "{file}: .ppm");
            ppms += 1;
        }
        if let Some(pam) = pam {
            if file != "bad_palette_index.webp" {
                assert_eq!(pam_md5(&r), pam, "{file}: .pam");
                pams += 1;
            }
        }
        lossy += usize::from(!is_lossless(&bytes));
        files += 1;
    }
    eprintln!("libwebp md5: {files} files ({lossy} lossy), {ppms} .ppm and {pams} .pam exact");
    assert_eq!((ppms, pams), (96, 95));
}

/// `lossless_color_transform.webp`: the md5 values upstream publishes (corpus README).
#[test]
fn lossless_color_transform() {
    let r = engine_decode(&read(&format!("{DIR}/lossless_color_transform.webp"))).unwrap();
    assert_eq!(pam_md5(&r), "f2e1d08aa768280f23e75356172300ce");
    assert_eq!(ppm_md5(&r), "3a897a9092b8a8bc7ae1bd1847ba4e7e");
}

#[test]
fn lossless_vectors_decode_to_grid_and_peak() {
    let grid = image_decode(&read(&format!("{DIR}/grid.png")))
        .to_rgba8()
        .into_raw();
    let peak = image_decode(&read(&format!("{DIR}/peak.png")))
        .to_rgba8()
        .into_raw();
    let mut n = 0;
    for f in files_under(DIR) {
        let name = f.rsplit('/').next().unwrap();
        let expected = if name.starts_with("lossless_vec_1_") {
            &grid
        } else if name.starts_with("lossless_vec_2_") {
            &peak
        } else {
            continue;
        };
        let r = engine_decode(&read(&f)).unwrap_or_else(|e| panic!("{f}: {e}"));
        assert_eq!(&to_rgba(&r), expected, "{f}");
        n += 1;
    }
    assert_eq!(n, 32);
}

/// image-webp's reference PNGs are dwebp's exact output; ours must be identical, lossy
/// (`*_webp_a`, `dark`, `tiny`: fancy upsampling, alpha) and lossless alike (measured: all 16
/// exact, so no tolerance is needed).
#[test]
fn lossy_matches_reference_pngs() {
    let mut n = 0;
    for png in files_under("conformance/webp/image-webp/reference") {
        let webp = png
            .replace("/reference/", "/images/")
            .replace(".png", ".webp");
        let bytes = read(&webp);
        let r = engine_decode(&bytes).unwrap_or_else(|e| panic!("{webp}: {e}"));
        let reference = image_decode(&read(&png)).to_rgba8();
        assert_eq!((r.width, r.height), reference.dimensions(), "{webp}");
        let (a, b) = (to_rgba(&r), reference.into_raw());
        let (max, mean) = (max_diff(&a, &b), mean_abs_diff(&a, &b));
        assert_eq!(max, 0, "{webp}: max {max}, mean {mean:.4}");
        n += 1;
    }
    assert_eq!(n, 16);
}
