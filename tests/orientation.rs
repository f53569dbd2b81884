//! EXIF orientation through the full pipeline: every `Landscape_N` / `Portrait_N` transformed
//! with `width=300` must look like the series' upright `_1` output (SSIM >= 0.97 on luma).
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::*;

fn run(file: &str) -> image::RgbImage {
    let out = transform(&read(file), "width=300").unwrap_or_else(|e| panic!("{file}: {e}"));
    let img = image_decode(&out.bytes).to_rgb8();
    assert_eq!((out.width, out.height), img.dimensions(), "{file}");
    img
}

fn series(name: &str, expected: (u32, u32)) {
    let upright = run(&format!("orientation/{name}_1.jpg"));
    assert_eq!(upright.dimensions(), expected, "{name}_1");
    let (w, h) = (expected.0 as usize, expected.1 as usize);
    let reference = luma(upright.as_raw(), 3);
    for n in [0, 2, 3, 4, 5, 6, 7, 8] {
        let file = format!("orientation/{name}_{n}.jpg");
        let img = run(&file);
        assert_eq!(img.dimensions(), expected, "{file}");
        let s = ssim(&reference, &luma(img.as_raw(), 3), w, h);
        eprintln!("{file}: SSIM {s:.4}");
        assert!(s >= 0.97, "{file}: SSIM {s:.4} against {name}_1");
    }
}

#[test]
fn landscape_series_displays_upright() {
    series("Landscape", (300, 200));
}

#[test]
fn portrait_series_displays_upright() {
    series("Portrait", (300, 450));
}

/// The SSIM threshold is meaningful: a wrongly oriented frame scores far below it.
#[test]
fn ssim_rejects_a_mirrored_image() {
    let img = run("orientation/Landscape_1.jpg");
    let (w, h) = img.dimensions();
    let mirrored = image::imageops::flip_horizontal(&img);
    let s = ssim(
        &luma(img.as_raw(), 3),
        &luma(mirrored.as_raw(), 3),
        w as usize,
        h as usize,
    );
    assert!(s < 0.9, "mirrored SSIM {s:.4}");
}

#[test]
fn paris_orientation_5_is_transposed() {
    let bytes = read("orientation/paris_exif_orientation_5.jpg");
    let out = transform(&bytes, "").unwrap();
    assert_eq!((out.width, out.height), (302, 403));
    let img = image_decode(&out.bytes).to_rgb8();
    assert_eq!(img.dimensions(), (302, 403));
    // same pixel data as color/paris_exif_xmp_icc.jpg, transposed
    let plain = image_decode(
        &transform(&read("color/paris_exif_xmp_icc.jpg"), "")
            .unwrap()
            .bytes,
    )
    .to_rgb8();
    assert_eq!(plain.dimensions(), (403, 302));
    let transposed = image::ImageBuffer::from_fn(302, 403, |x, y| *plain.get_pixel(y, x));
    let s = ssim(
        &luma(img.as_raw(), 3),
        &luma(transposed.as_raw(), 3),
        302,
        403,
    );
    assert!(s >= 0.97, "SSIM {s:.4}");
}
