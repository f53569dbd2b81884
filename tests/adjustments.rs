//! The adjustments (blur, sharpen, brightness, contrast, gamma, saturation) against ImageMagick
//! as an independent reference, on real photos.
//!
//! Each case renders a corpus photo twice through edgepix: resized only, and resized with the
//! adjustment. ImageMagick applies its own implementation of the adjustment to the first; the
//! result must match the second. The parameter mapping (docs/OPTIONS.md) is written out here,
//! not taken from the engine:
//!   blur=r        convert -blur 0x{1 + r/2}                (Gaussian, sigma = 1 + r/2)
//!   sharpen=s     convert -unsharp 0x1+{s/2}+0             (unsharp mask, sigma 1, gain s/2)
//!   brightness=b  convert -evaluate multiply b
//!   contrast=c    convert -function polynomial c,(1-c)/2  (about mid-grey)
//!   gamma=g       convert -gamma g                         (v^(1/g): 2 lightens)
//!   saturation=s  convert -color-matrix (CSS saturate(s), Rec. 709 weights)
//! ImageMagick (`convert`, 6.9 Q16 here) is required: the test fails, never skips, without it.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::*;
use std::process::Command;

const PHOTOS: &[&str] = &[
    "photos/kodak/kodim01.png",
    "photos/kodak/kodim04.png",
    "photos/kodak/kodim23.png",
    "photos/RainDrops.jpg",
];

/// The resize every case starts from: small enough for a quick test, large enough for blur
/// radii of tens of pixels.
const BASE: &str = "width=320,format=png";

fn rgb_of(png: &[u8]) -> (u32, u32, Vec<u8>) {
    let img = image_decode(png).to_rgb8();
    (img.width(), img.height(), img.into_raw())
}

/// ImageMagick's rendering of `input` (a PNG) with `args`, as 8-bit RGB.
fn magick(input: &[u8], args: &[String], tag: &str) -> (u32, u32, Vec<u8>) {
    let dir = std::env::temp_dir();
    let id = format!("edgepix-adj-{}-{tag}", std::process::id());
    let src = dir.join(format!("{id}-in.png"));
    let dst = dir.join(format!("{id}-out.png"));
    std::fs::write(&src, input).unwrap();
    let out = Command::new("convert")
        .arg(&src)
        .args(args)
        .args(["-depth", "8"])
        .arg(format!("png24:{}", dst.display()))
        .output()
        .expect("ImageMagick's convert is needed for the reference (apt-get install imagemagick)");
    assert!(
        out.status.success(),
        "convert {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = std::fs::read(&dst).unwrap();
    let _ = std::fs::remove_file(&src);
    let _ = std::fs::remove_file(&dst);
    rgb_of(&bytes)
}

/// The smallest SSIM of the three channels.
fn min_channel_ssim(a: &[u8], b: &[u8], w: u32, h: u32) -> f64 {
    (0..3)
        .map(|c| {
            let pa: Vec<f64> = a.iter().skip(c).step_by(3).map(|&v| v as f64).collect();
            let pb: Vec<f64> = b.iter().skip(c).step_by(3).map(|&v| v as f64).collect();
            ssim(&pa, &pb, w as usize, h as usize)
        })
        .fold(f64::INFINITY, f64::min)
}

enum Tolerance {
    /// every sample within this many levels
    PerChannel(u8),
    /// SSIM of every channel at least this, and no sample off by more than the second
    Ssim(f64, u8),
}

fn check(option: &str, magick_args: &[String], tol: Tolerance) {
    for (i, f) in PHOTOS.iter().enumerate() {
        let src = read(f);
        let base = transform(&src, BASE).unwrap_or_else(|e| panic!("{f}: {e}"));
        let got = transform(&src, &format!("{BASE},{option}"))
            .unwrap_or_else(|e| panic!("{f} {option}: {e}"));
        let (w, h, ours) = rgb_of(&got.bytes);
        let tag = format!("{}-{i}", option.replace([',', '=', '.'], "_"));
        let (rw, rh, reference) = magick(&base.bytes, magick_args, &tag);
        assert_eq!((w, h), (rw, rh), "{f} {option}: size");
        let (base_w, base_h, plain) = rgb_of(&base.bytes);
        assert_eq!(
            (w, h),
            (base_w, base_h),
            "{f} {option}: adjustments keep the size"
        );
        // the adjustment did something: a no-op would pass any tolerance against a mild one
        assert!(
            max_diff(&ours, &plain) > 8,
            "{f} {option}: output equals the unadjusted image"
        );
        let md = max_diff(&ours, &reference);
        let s = min_channel_ssim(&ours, &reference, w, h);
        eprintln!(
            "{f} {option}: max diff {md}, mean {:.3}, min channel SSIM {s:.5}",
            mean_abs_diff(&ours, &reference)
        );
        match tol {
            Tolerance::PerChannel(t) => assert!(md <= t, "{f} {option}: max diff {md} > {t}"),
            Tolerance::Ssim(t, d) => {
                assert!(s >= t, "{f} {option}: SSIM {s} < {t}");
                assert!(md <= d, "{f} {option}: max diff {md} > {d}");
            }
        }
    }
}

fn args(s: &[&str]) -> Vec<String> {
    s.iter().map(|a| a.to_string()).collect()
}

#[test]
fn blur_is_a_gaussian_of_sigma_one_plus_half_the_radius() {
    for r in [1.0f64, 4.0, 20.0, 60.0] {
        let sigma = 1.0 + r / 2.0;
        check(
            &format!("blur={r}"),
            &args(&["-blur", &format!("0x{sigma}")]),
            // measured: SSIM >= 0.9945, max diff 4 (box passes from sigma 3 on)
            Tolerance::Ssim(0.99, 6),
        );
    }
}

#[test]
fn sharpen_is_an_unsharp_mask_of_sigma_one() {
    for s in [1.0f64, 3.0, 10.0] {
        check(
            &format!("sharpen={s}"),
            &args(&["-unsharp", &format!("0x1+{}+0", s / 2.0)]),
            // measured: SSIM >= 0.998, max diff 11 at sharpen=10 (gain 5 multiplies rounding)
            Tolerance::Ssim(0.99, 16),
        );
    }
}

#[test]
fn brightness_contrast_and_gamma_are_point_curves() {
    for b in [0.5f64, 1.2, 2.0] {
        check(
            &format!("brightness={b}"),
            &args(&["-evaluate", "multiply", &b.to_string()]),
            Tolerance::PerChannel(2),
        );
    }
    for c in [0.5f64, 1.1, 2.0] {
        check(
            &format!("contrast={c}"),
            &args(&[
                "-function",
                "polynomial",
                &format!("{c},{}", (1.0 - c) / 2.0),
            ]),
            Tolerance::PerChannel(2),
        );
    }
    for g in [0.5f64, 0.9, 2.2] {
        check(
            &format!("gamma={g}"),
            &args(&["-gamma", &g.to_string()]),
            Tolerance::PerChannel(2),
        );
    }
    // unpic's example, in Cloudflare's order: brightness, then contrast, then gamma
    check(
        "brightness=1.2,contrast=1.1,gamma=0.9",
        &args(&[
            "-evaluate",
            "multiply",
            "1.2",
            "-function",
            "polynomial",
            "1.1,-0.05",
            "-gamma",
            "0.9",
        ]),
        Tolerance::PerChannel(2),
    );
}

/// The Filter Effects `saturate(s)` matrix, written from the specification.
fn saturate_matrix(s: f64) -> String {
    let m = [
        0.213 + 0.787 * s,
        0.715 - 0.715 * s,
        0.072 - 0.072 * s,
        0.213 - 0.213 * s,
        0.715 + 0.285 * s,
        0.072 - 0.072 * s,
        0.213 - 0.213 * s,
        0.715 - 0.715 * s,
        0.072 + 0.928 * s,
    ];
    m.iter()
        .map(|v| format!("{v:.6}"))
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn saturation_is_the_css_saturate_matrix() {
    for s in [0.0f64, 0.5, 2.0] {
        check(
            &format!("saturation={s}"),
            &args(&["-color-matrix", &saturate_matrix(s)]),
            Tolerance::PerChannel(2),
        );
    }
}

/// Blur and sharpen come before the tone curve: blurring the brightened image would clip
/// highlights first and differ.
#[test]
fn adjustments_run_in_cloudflares_order() {
    check(
        "blur=6,brightness=1.5",
        &args(&["-blur", "0x4", "-evaluate", "multiply", "1.5"]),
        Tolerance::Ssim(0.99, 8),
    );
}

/// The option strings unpic 4.2's Cloudflare provider writes (its defaults `f=auto,fit=cover`
/// first, then the caller's operations) parse and transform; before the adjustments existed
/// these three were 400 `unsupported_option` (issue 10).
#[test]
fn unpic_cloudflare_provider_urls_transform() {
    let src = read("photos/RainDrops.jpg");
    let plain = transform(&src, "f=auto,fit=cover,width=400,height=300").unwrap();
    let plain_rgb = rgb_of_any(&plain.bytes);
    for ops in [
        "sharpen=1",
        "blur=20",
        "brightness=1.2,contrast=1.1,gamma=0.9",
    ] {
        let s = format!("f=auto,fit=cover,width=400,height=300,{ops}");
        let o = edgepix::Options::parse(&s).unwrap_or_else(|e| panic!("{s}: {e}"));
        assert_eq!(edgepix::Options::parse(&o.canonical()).unwrap(), o, "{s}");
        let out = transform(&src, &s).unwrap_or_else(|e| panic!("{s}: {e}"));
        assert_eq!((out.width, out.height), (400, 300), "{s}");
        let rgb = rgb_of_any(&out.bytes);
        assert!(
            max_diff(&rgb, &plain_rgb) > 8,
            "{s}: same pixels as without {ops}"
        );
    }
}

fn rgb_of_any(bytes: &[u8]) -> Vec<u8> {
    image_decode(bytes).to_rgb8().into_raw()
}
