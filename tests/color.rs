//! Colour management to sRGB: ICC (Display P3, DCI-P3), CMYK with and without a profile, and
//! PNG gAMA. Expected values are derived here from the colour-space definitions.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::*;
use edgepix::pixels::{color, Layout, Raster};

fn srgb_decode(v: f64) -> f64 {
    if v <= 0.04045 {
        v / 12.92
    } else {
        ((v + 0.055) / 1.055).powf(2.4)
    }
}

fn srgb_encode(l: f64) -> f64 {
    let l = l.clamp(0.0, 1.0);
    if l <= 0.003_130_8 {
        l * 12.92
    } else {
        1.055 * l.powf(1.0 / 2.4) - 0.055
    }
}

/// Linear P3 (D65 white, both Display P3 and "DCI-P3 D65") to linear sRGB: M_sRGB^-1 * M_P3,
/// from the primaries P3 R(0.680,0.320) G(0.265,0.690) B(0.150,0.060), sRGB/BT.709 primaries.
const P3_TO_SRGB: [[f64; 3]; 3] = [
    [1.224_940_2, -0.224_940_4, 0.0],
    [-0.042_056_9, 1.042_057_1, 0.0],
    [-0.019_637_6, -0.078_636_1, 1.098_273_5],
];

/// Expected 8-bit sRGB of an 8-bit P3 pixel whose transfer curve is `decode` (clipping, as a
/// relative-colorimetric matrix transform does for out-of-gamut colours).
fn p3_pixel_to_srgb(p: &[u8], decode: impl Fn(f64) -> f64) -> [u8; 3] {
    let lin = [0, 1, 2].map(|i| decode(p[i] as f64 / 255.0));
    [0, 1, 2].map(|r| {
        let v: f64 = (0..3).map(|c| P3_TO_SRGB[r][c] * lin[c]).sum();
        (srgb_encode(v) * 255.0).round() as u8
    })
}

fn output_rgba(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    let out = transform(bytes, "format=png").unwrap();
    let img = image_decode(&out.bytes).to_rgba8();
    (img.width(), img.height(), img.into_raw())
}

/// Largest deviation between the output and the expectation computed from the decoded
/// (still P3-encoded) pixels.
fn p3_deviation(file: &str, decode: impl Fn(f64) -> f64 + Copy) -> u8 {
    let bytes = read(file);
    let src = to_rgba(&engine_decode(&bytes).unwrap());
    let (_, _, out) = output_rgba(&bytes);
    src.chunks_exact(4)
        .zip(out.chunks_exact(4))
        .map(|(s, o)| {
            let e = p3_pixel_to_srgb(s, decode);
            assert_eq!(s[3], o[3], "{file}: alpha must not change");
            (0..3).map(|i| e[i].abs_diff(o[i])).max().unwrap()
        })
        .max()
        .unwrap()
}

/// `p3.png` is P3 red (240..255, 0, 0) in a Display P3 (sRGB curve) profile. P3 red is
/// outside sRGB: linear sRGB R = 1.2249 * r > 1, G and B < 0, so every pixel must clip to
/// (255, 0, 0). Tolerance 2 (moxcms's 8-bit LUT). Measured: 0.
#[test]
fn display_p3_png_to_srgb() {
    let d = p3_deviation("color/p3.png", srgb_decode);
    eprintln!("p3.png: max deviation {d}");
    assert!(d <= 2, "p3.png deviates by {d}");
}

/// The same Display P3 profile applied to in-gamut colours, so the matrix (not only the
/// clipping) is checked: greys stay grey, and each colour lands on the derived value.
#[test]
fn display_p3_profile_on_in_gamut_colours() {
    let bytes = read("color/p3.png");
    let p = edgepix::probe(&bytes, &Default::default()).unwrap();
    let icc = edgepix::codecs::decode(&bytes, &p, (p.width, p.height), &Default::default())
        .unwrap()
        .color
        .icc
        .expect("p3.png carries an iCCP profile");
    let samples: Vec<[u8; 3]> = vec![
        [0, 0, 0],
        [128, 128, 128],
        [255, 255, 255],
        [200, 100, 50],
        [60, 180, 90],
        [90, 110, 220],
        [180, 160, 140],
    ];
    let mut r = Raster::new(
        samples.len() as u32,
        1,
        Layout::Rgb,
        samples.iter().flatten().copied().collect(),
    );
    color::icc_to_srgb(&mut r, &icc).unwrap();
    let mut worst = 0;
    for (s, o) in samples.iter().zip(r.data.chunks_exact(3)) {
        let e = p3_pixel_to_srgb(s, srgb_decode);
        let d = (0..3).map(|i| e[i].abs_diff(o[i])).max().unwrap();
        assert!(d <= 2, "P3 {s:?}: expected {e:?}, got {o:?}");
        worst = worst.max(d);
    }
    // the conversion does something: P3 (200,100,50) is more saturated than sRGB (200,100,50)
    assert!(r.data[9] > 200 && r.data[11] < 50, "{:?}", &r.data[9..12]);
    eprintln!("P3 in-gamut: max deviation {worst}");
}

/// `red-blue-gradient.dcip3d65-no-chrm-no-gama.png`: P3 D65 primaries with DCI's pure 2.6
/// power curve. Tolerance 3: the profile's curve is a sampled/parametric approximation of 2.6.
#[test]
fn dci_p3_gradient_to_srgb() {
    let d = p3_deviation(
        "color/red-blue-gradient.dcip3d65-no-chrm-no-gama.png",
        |v| v.powf(2.6),
    );
    eprintln!("dci-p3 gradient: max deviation {d}");
    assert!(d <= 3, "deviation {d}");
}

/// The gAMA variants share their samples and differ only in the gAMA chunk. A file that says
/// gamma 1/2.2 (`gamma2dot2`) looks like an untagged (sRGB) file; gamma 1.0 means the samples
/// are linear light; 1/1.8 means linear = v^1.8. Each output is checked against the sRGB
/// encoding of that linear light (±1 for the 8-bit LUT's rounding).
#[test]
fn png_gamma_variants() {
    let base = "color/red-blue-gradient";
    let (w, h, vanilla) = output_rgba(&read(&format!("{base}.vanilla.png")));
    assert_eq!((w, h), (256, 256));
    let samples = to_rgba(&engine_decode(&read(&format!("{base}.vanilla.png"))).unwrap());
    let mut means = Vec::new();
    for (file, to_linear) in [
        ("gamma2dot2", None),
        ("gamma1dot8", Some(1.0 / 0.55556)),
        ("gamma1dot0", Some(1.0)),
    ] {
        let bytes = read(&format!("{base}.{file}.png"));
        assert_eq!(
            to_rgba(&engine_decode(&bytes).unwrap()),
            samples,
            "{file}: same samples as vanilla"
        );
        let (_, _, out) = output_rgba(&bytes);
        let expected: Vec<u8> = match to_linear {
            None => vanilla.clone(),
            Some(exp) => samples
                .chunks_exact(4)
                .flat_map(|p| {
                    let f =
                        |v: u8| (srgb_encode((v as f64 / 255.0).powf(exp)) * 255.0).round() as u8;
                    [f(p[0]), f(p[1]), f(p[2]), p[3]]
                })
                .collect(),
        };
        let d = max_diff(&out, &expected);
        assert!(d <= 1, "{file}: max deviation {d}");
        means.push(out.iter().map(|&v| v as f64).sum::<f64>() / out.len() as f64);
    }
    // lower encoding gamma = brighter in sRGB: 2.2 < 1.8 < 1.0
    assert!(means[0] < means[1] && means[1] < means[2], "{means:?}");
}

/// CMYK without a profile (Adobe transform 2 = YCCK): the naive CMYK->RGB the reference PNG
/// (`ycck.png`, same photo) was made with. Tolerance 3 as for all lossy JPEG. Measured: max 3,
/// mean 0.04.
#[test]
fn cmyk_without_profile_is_naive_cmyk() {
    let naive = image_decode(&read("conformance/jpeg/reftest/ycck.png"))
        .to_rgb8()
        .into_raw();
    let bytes = read("color/Channel_digital_image_CMYK_color_no_profile.jpg");
    let p = edgepix::probe(&bytes, &Default::default()).unwrap();
    assert_eq!(p.jpeg.unwrap().adobe_transform, Some(2));
    let out = transform(&bytes, "format=png").unwrap();
    let rgb = image_decode(&out.bytes).to_rgb8().into_raw();
    let (max, mean) = (max_diff(&rgb, &naive), mean_abs_diff(&rgb, &naive));
    eprintln!("CMYK no profile vs naive: max {max}, mean {mean:.3}");
    assert!(max <= 3, "max {max}");
}

/// The ICC profile of a JPEG, reassembled from its APP2 `ICC_PROFILE` chunks.
fn jpeg_icc(b: &[u8]) -> Vec<u8> {
    let mut chunks = Vec::new();
    let mut pos = 2;
    while pos + 4 <= b.len() && b[pos] == 0xFF && b[pos + 1] != 0xDA {
        let len = u16::from_be_bytes([b[pos + 2], b[pos + 3]]) as usize;
        let seg = &b[pos + 4..pos + 2 + len];
        if b[pos + 1] == 0xE2 && seg.starts_with(b"ICC_PROFILE\0") {
            chunks.push((seg[12], seg[14..].to_vec()));
        }
        pos += 2 + len;
    }
    chunks.sort();
    chunks.into_iter().flat_map(|c| c.1).collect()
}

/// CMYK with the U.S. Web Coated (SWOP) v2 profile. Reference values: the sRGB of SWOP v2 ink
/// patches as Photoshop converts them (relative colorimetric + black point compensation),
/// the widely published process colours: paper (0,0,0,0) -> #FFFFFF, cyan 100 -> #00AEEF,
/// magenta 100 -> #EC008C, yellow 100 -> #FFF200, black 100 -> #231F20. Tolerance 3 per
/// channel (moxcms vs Adobe ACE rounding); measured max 1. The naive formula misses these by
/// 35 (black) to 115 (magenta), and an inverted CMYK buffer (paper <-> full ink) by > 200.
#[test]
fn swop_profile_ink_patches() {
    let icc = jpeg_icc(&read("color/Channel_digital_image_CMYK_color.jpg"));
    assert!(
        icc.len() > 100_000,
        "SWOP v2 profile is ~557 KB, got {}",
        icc.len()
    );
    let patches: [([u8; 4], [u8; 3]); 5] = [
        ([0, 0, 0, 0], [255, 255, 255]),
        ([255, 0, 0, 0], [0, 174, 239]),
        ([0, 255, 0, 0], [236, 0, 140]),
        ([0, 0, 255, 0], [255, 242, 0]),
        ([0, 0, 0, 255], [35, 31, 32]),
    ];
    let cmyk: Vec<u8> = patches.iter().flat_map(|p| p.0).collect();
    let r = color::cmyk_to_rgb(&cmyk, patches.len() as u32, 1, Some(&icc)).unwrap();
    let mut worst = 0;
    for ((ink, expected), got) in patches.iter().zip(r.data.chunks_exact(3)) {
        let d = (0..3).map(|i| expected[i].abs_diff(got[i])).max().unwrap();
        eprintln!("SWOP {ink:?}: expected {expected:?}, got {got:?} (max {d})");
        worst = worst.max(d);
    }
    assert!(worst <= 3, "max deviation {worst}");
}

/// The whole photo with its SWOP profile (`ycck.jpg` is the same file): converted through the
/// profile, so it must not equal the naive formula, yet show the same picture (an inverted
/// buffer would give a negative: SSIM near 0). Measured: mean |diff| 12.5 vs naive, SSIM 0.98.
#[test]
fn cmyk_photo_with_swop_profile() {
    let naive = image_decode(&read("conformance/jpeg/reftest/ycck.png"))
        .to_rgb8()
        .into_raw();
    for file in [
        "color/Channel_digital_image_CMYK_color.jpg",
        "conformance/jpeg/reftest/ycck.jpg",
    ] {
        let out = transform(&read(file), "format=png").unwrap();
        let img = image_decode(&out.bytes).to_rgb8();
        let (w, h) = img.dimensions();
        let rgb = img.into_raw();
        let mean = mean_abs_diff(&rgb, &naive);
        let s = ssim(&luma(&rgb, 3), &luma(&naive, 3), w as usize, h as usize);
        eprintln!("{file}: mean |diff| vs naive {mean:.2}, SSIM {s:.4}");
        assert!(
            mean > 4.0,
            "{file}: profile not applied (mean diff {mean:.2})"
        );
        assert!(mean < 25.0, "{file}: mean diff {mean:.2}");
        assert!(s > 0.9, "{file}: SSIM {s:.4}");
    }
}
