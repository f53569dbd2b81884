//! `trim` (edges, `trim.width/height/left/top`, `trim=border`), `border` and `fit=aspect-crop`
//! on real photos, in the URL form and the Workers JSON form, against the `image` crate's decode
//! of the source (and an ImageMagick-framed copy of it for `trim=border`).
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::*;
use edgepix::{Limits, Options};
use std::process::Command;

const PHOTO: &str = "photos/kodak/kodim01.png"; // 768x512 RGB

fn source() -> image::RgbImage {
    image_decode(&read(PHOTO)).to_rgb8()
}

fn out_rgb(bytes: &[u8]) -> image::RgbImage {
    image_decode(bytes).to_rgb8()
}

fn px(img: &image::RgbImage, x: u32, y: u32) -> [u8; 3] {
    img.get_pixel(x, y).0
}

/// `out` equals the `w` x `h` window of the source at (`x`, `y`), every sample within 1.
fn assert_window(out: &image::RgbImage, x: u32, y: u32, w: u32, h: u32, what: &str) {
    let src = source();
    assert_eq!(out.dimensions(), (w, h), "{what}: size");
    let window = image::imageops::crop_imm(&src, x, y, w, h).to_image();
    let d = max_diff(out.as_raw(), window.as_raw());
    assert!(d <= 1, "{what}: differs from the source window by {d}");
}

fn run(opts: &str) -> image::RgbImage {
    out_rgb(
        &transform(&read(PHOTO), opts)
            .unwrap_or_else(|e| panic!("{opts}: {e}"))
            .bytes,
    )
}

fn run_json(j: serde_json::Value) -> image::RgbImage {
    let o = Options::from_json(&j).unwrap_or_else(|e| panic!("{j}: {e}"));
    let out = transform_with(&read(PHOTO), &o, &Limits::default()).unwrap();
    out_rgb(&out.bytes)
}

#[test]
fn trim_edges_cut_the_source_before_anything_else() {
    assert_window(
        &run("trim=10;20;30;40,format=png"),
        40,
        10,
        708,
        472,
        "trim=t;r;b;l",
    );
    assert_window(
        &run("trim.left=40,trim.top=10,trim.width=300,trim.height=200,format=png"),
        40,
        10,
        300,
        200,
        "trim.*",
    );
    assert_window(
        &run_json(serde_json::json!({
            "trim": {"left": 40, "top": 10, "width": 300, "height": 200}, "format": "png"
        })),
        40,
        10,
        300,
        200,
        "JSON trim",
    );
    // lengths are multiplied by dpr, as Cloudflare documents
    assert_window(
        &run("trim.left=20,trim.top=5,trim.width=150,trim.height=100,dpr=2,format=png"),
        40,
        10,
        300,
        200,
        "trim with dpr=2",
    );
    // a width past the right edge keeps what there is
    assert_window(
        &run("trim.left=700,trim.width=500,format=png"),
        700,
        0,
        68,
        512,
        "clamped",
    );
}

#[test]
fn trim_comes_before_rotation_and_resize() {
    // the 100 columns cut on the left are the source's, not the rotated image's
    let out = run("trim=0;0;0;100,rotate=90,format=png");
    assert_eq!(out.dimensions(), (512, 668));
    let src = source();
    // rotating clockwise puts the trimmed source's bottom-left pixel at the top left
    let d = max_diff(&px(&out, 0, 0), &px(&src, 100, 511));
    assert!(d <= 1, "top-left after trim+rotate differs by {d}");
    let d = max_diff(&px(&out, 511, 667), &px(&src, 767, 0));
    assert!(d <= 1, "bottom-right after trim+rotate differs by {d}");
    // resize applies to the trimmed region: 384 of 768 columns, then half size
    assert_eq!(
        run("trim=0;384;0;0,width=192,format=png").dimensions(),
        (192, 256)
    );
}

#[test]
fn trim_that_removes_everything_is_a_400_naming_trim() {
    for s in ["trim=0;400;0;400", "trim=256;0;256;0", "trim.left=768"] {
        let e = transform(&read(PHOTO), s).expect_err(s);
        assert_eq!(e.http_status(), 400, "{s}");
        assert!(e.message.contains("trim"), "{s}: {}", e.message);
    }
}

/// The photo inside a 13 x 7 pixel frame of `color`, made by ImageMagick.
fn framed(color: &str) -> Vec<u8> {
    let dir = std::env::temp_dir();
    let dst = dir.join(format!(
        "edgepix-framed-{}-{}.png",
        std::process::id(),
        &color[1..]
    ));
    let st = Command::new("convert")
        .arg(path(PHOTO))
        .args(["-bordercolor", color, "-border", "13x7"])
        .arg(format!("png24:{}", dst.display()))
        .status()
        .expect("ImageMagick's convert is needed to frame the test image");
    assert!(st.success());
    let bytes = std::fs::read(&dst).unwrap();
    let _ = std::fs::remove_file(&dst);
    bytes
}

#[test]
fn trim_border_finds_the_frame_in_the_pixels() {
    let input = framed("#ff00ff");
    let run_on = |opts: &str| {
        out_rgb(
            &transform(&input, opts)
                .unwrap_or_else(|e| panic!("{opts}: {e}"))
                .bytes,
        )
    };
    let src = source();
    // colour from the top-left pixel
    let out = run_on("trim=border,format=png");
    assert_eq!(out.dimensions(), (768, 512));
    assert_eq!(max_diff(out.as_raw(), src.as_raw()), 0, "trim=border");
    // colour given, 3 pixels of the frame kept on every side
    let out = run_on("trim=border,trim.border.color=%23f0f,trim.border.keep=3,format=png");
    assert_eq!(out.dimensions(), (774, 518));
    assert_eq!(px(&out, 0, 0), [255, 0, 255]);
    assert_eq!(px(&out, 773, 517), [255, 0, 255]);
    assert_eq!(max_diff(&px(&out, 3, 3), &px(&src, 0, 0)), 0);
    // tolerance: a colour 16 away from the frame's matches at 200 (diff <= 55), not at 250
    let near = "trim=border,trim.border.color=%23ff10f0,format=png";
    assert_eq!(
        run_on(&format!("{near},trim.border.tolerance=200")).dimensions(),
        (768, 512)
    );
    assert_eq!(
        run_on(&format!("{near},trim.border.tolerance=250")).dimensions(),
        (794, 526)
    );
    // the Workers form, then a resize of what was found
    let o = Options::from_json(&serde_json::json!({
        "trim": {"border": {"color": "#ff00ff", "keep": 0}}, "width": 384, "format": "png"
    }))
    .unwrap();
    let out = transform_with(&input, &o, &Limits::default()).unwrap();
    assert_eq!((out.width, out.height), (384, 256));
}

#[test]
fn border_frames_the_resized_image() {
    let base = run("width=384,format=png");
    let out = run("width=384,border.color=red,border.width=5,format=png");
    assert_eq!(out.dimensions(), (394, 266));
    for (x, y) in [(0, 0), (393, 265), (4, 100), (200, 265)] {
        assert_eq!(px(&out, x, y), [255, 0, 0], "({x},{y})");
    }
    let inner = image::imageops::crop_imm(&out, 5, 5, 384, 256).to_image();
    assert_eq!(
        max_diff(inner.as_raw(), base.as_raw()),
        0,
        "picture unchanged"
    );
    // per side, Workers form, widths times dpr
    let out = run_json(serde_json::json!({
        "width": 192, "dpr": 2,
        "border": {"color": "hsl(120 100% 50%)", "top": 3, "left": 4},
        "format": "png"
    }));
    assert_eq!(out.dimensions(), (384 + 8, 256 + 6));
    assert_eq!(px(&out, 7, 0), [0, 255, 0]);
    assert_eq!(px(&out, 0, 100), [0, 255, 0]);
    let d = max_diff(&px(&out, 8, 6), &px(&base, 0, 0));
    assert!(d <= 1, "first picture pixel differs by {d}");
}

#[test]
fn aspect_crop_fills_the_box_or_crops_to_its_ratio_without_enlarging() {
    // larger than the box: exactly cover
    assert_eq!(
        run("width=300,height=300,fit=aspect-crop,format=png").dimensions(),
        (300, 300)
    );
    // smaller than the box: the largest 1:1 window, not enlarged
    let out = run("width=1000,height=1000,fit=aspect-crop,format=png");
    assert_window(&out, 128, 0, 512, 512, "aspect-crop, centred");
    // cover enlarges where aspect-crop does not
    assert_eq!(
        run("width=1000,height=1000,fit=cover,format=png").dimensions(),
        (1000, 1000)
    );
}

/// Every new option at its extremes, alone and combined, on frames of one pixel, one row, one
/// column, with alpha and a photo: each answers an image or a 4xx error, never a panic.
#[test]
fn extreme_values_answer_an_image_or_a_4xx() {
    let files = [
        "conformance/jpeg/reftest/mozilla/jpg-size-1x1.jpg",
        "conformance/jpeg/reftest/grayscale_large.png",
        "conformance/jpeg/reftest/grayscale_long.jpg",
        "color/p3.png",
        "photos/kodak/kodim23.png",
    ];
    let cases = [
        "blur=250",
        "blur=0.0001",
        "sharpen=10",
        "sharpen=1e-9",
        "brightness=10,contrast=10,gamma=10,saturation=10",
        "brightness=0.0001,contrast=0.0001,gamma=0.0001,saturation=0",
        "trim=border",
        "trim=border,trim.border.tolerance=0",
        "trim=border,trim.border.keep=100000",
        "trim=border,trim.border.color=transparent,trim.border.tolerance=255",
        "trim.width=1,trim.height=1",
        "trim.left=99999,trim.top=99999",
        "trim=100000;100000;100000;100000",
        "border.color=red,border.width=100000",
        "border.color=%2300000000,border.width=3,dpr=10",
        "width=1,height=1,fit=aspect-crop,blur=250,sharpen=10,border.width=1",
        "width=100000,height=100000,fit=aspect-crop",
        "width=100000,height=1,fit=squeeze,blur=250",
        "trim=border,rotate=270,flip=hv,width=7,fit=pad,border.color=blue,border.top=2,format=json",
    ];
    for f in files {
        let bytes = read(f);
        for c in cases {
            let opts = format!("{c},format=png").replace("format=json,format=png", "format=json");
            match transform(&bytes, &opts) {
                Ok(out) => assert!(out.width >= 1 && out.height >= 1, "{f} {opts}"),
                Err(e) => {
                    let s = e.http_status();
                    assert!((400..500).contains(&s), "{f} {opts}: {s} {e}");
                }
            }
        }
    }
}
