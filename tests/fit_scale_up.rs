//! `fit=scale-up`: the mirror of `scale-down` (Cloudflare, 2026-06: "always enlarge"). The
//! image is enlarged to fit inside the box when it is smaller than the box, and left at its
//! own size otherwise: it never shrinks. Sizes are read from the decoded output; the enlarged
//! pixels are checked against an independent Lanczos3 resize of the `image` crate's decode.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::*;

const PHOTO: &str = "orientation/Landscape_1.jpg"; // 1800x1200 photo

fn decoded_size(opts: &str) -> (u32, u32) {
    let out = transform(&read(PHOTO), opts).unwrap_or_else(|e| panic!("{opts}: {e}"));
    let img = image_decode(&out.bytes);
    (img.width(), img.height())
}

#[test]
fn scale_up_enlarges_to_the_box_and_never_shrinks() {
    let cases = [
        ("width=3600,fit=scale-up", (3600, 2400)),
        ("height=2400,fit=scale-up", (3600, 2400)),
        ("width=3600,height=3600,fit=scale-up", (3600, 2400)), // inside the box, as contain
        ("width=2700,height=1500,fit=scale-up", (2250, 1500)), // the tighter side wins
        ("width=600,fit=scale-up", (1800, 1200)),              // never shrinks
        ("width=600,height=600,fit=scale-up", (1800, 1200)),
        ("width=3600,height=600,fit=scale-up", (1800, 1200)), // the box is smaller on one side
        ("fit=scale-up", (1800, 1200)),
    ];
    for (opts, expected) in cases {
        assert_eq!(decoded_size(opts), expected, "{opts}");
    }
}

#[test]
fn scale_up_pixels_follow_an_independent_lanczos3() {
    let file = "conformance/jpeg/libjpeg-turbo/testorig.jpg"; // 227x149, no ICC
    let src = image_decode(&read(file)).to_rgb8();
    let (sw, sh) = src.dimensions();
    let out = transform(&read(file), "width=681,fit=scale-up,format=png").expect("scale-up");
    let got = image_decode(&out.bytes).to_rgb8();
    let (w, h) = got.dimensions();
    assert_eq!((w, h), (681, 447));
    let want = lanczos3(
        src.as_raw(),
        sw as usize,
        sh as usize,
        3,
        w as usize,
        h as usize,
    );
    let want: Vec<u8> = want.iter().map(|v| v.round() as u8).collect();
    let mean = mean_abs_diff(got.as_raw(), &want);
    let s = ssim(
        &luma(got.as_raw(), 3),
        &luma(&want, 3),
        w as usize,
        h as usize,
    );
    assert!(
        mean < 2.0 && s > 0.98,
        "mean difference {mean:.2}, SSIM {s:.4} against Lanczos3"
    );
}

#[test]
fn scale_up_has_a_canonical_form_and_a_cache_identity_of_its_own() {
    let a = edgepix::Options::parse("width=300,fit=scale-up").expect("parses");
    let b = edgepix::Options::parse("fit=scale-up,w=300").expect("parses");
    let c = edgepix::Options::parse("width=300,fit=contain").expect("parses");
    assert_eq!(a.canonical(), b.canonical());
    assert!(a.canonical().contains("fit=scale-up"), "{}", a.canonical());
    assert_ne!(a.canonical(), c.canonical());
}
