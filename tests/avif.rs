//! AVIF decode conformance (`conformance/avif/`, link-u's avif-sample-images) and encode
//! round trips. The references are the PNG/JPEG the samples were made from (fox.png,
//! kimono.jpg): the AVIF files are lossy, so the check is SSIM (common::ssim: BT.601 luma, 8x8
//! windows, stride 4) with thresholds a little under the measured values, which are noted
//! at each file. Without the `avif` feature the same files must be refused with a typed 415.
#![cfg(not(target_arch = "wasm32"))]

mod common;
#[cfg(not(feature = "avif"))]
use common::*;

#[cfg(feature = "avif")]
mod with_avif {
    use super::common::*;
    use edgepix::pixels::{Layout, Raster};

    /// Reference crop at (x, y) of the given size, as RGB.
    fn reference(name: &str, x: u32, y: u32, w: u32, h: u32) -> Vec<u8> {
        let img = image_decode(&read(&format!("conformance/avif/{name}"))).to_rgb8();
        image::imageops::crop_imm(&img, x, y, w, h)
            .to_image()
            .into_raw()
    }

    fn decode_ssim(file: &str, refname: &str, offset: (u32, u32)) -> f64 {
        let r = engine_decode(&read(&format!("conformance/avif/{file}"))).unwrap();
        let p = edgepix::probe(
            &read(&format!("conformance/avif/{file}")),
            &Default::default(),
        )
        .unwrap();
        assert_eq!(r.layout, Layout::Rgb, "{file}: no alpha item, so RGB");
        // the stored (unrotated) size is what ispe says; the probe's size is displayed
        let (w, h) = (r.width, r.height);
        assert!(
            (w, h) == (p.width, p.height) || (h, w) == (p.width, p.height),
            "{file}: decoded {w}x{h}, probe {}x{}",
            p.width,
            p.height
        );
        let refpx = reference(refname, offset.0, offset.1, w, h);
        ssim(&luma(&r.data, 3), &luma(&refpx, 3), w as usize, h as usize)
    }

    #[test]
    fn fox_in_every_layout_and_depth_matches_fox_png() {
        // measured (Gaussian-window SSIM in the spike): 0.9723, 0.9725, 0.9755, 0.9719, 0.9701
        for (file, offset) in [
            ("fox.profile0.8bpc.yuv420.avif", (0, 0)),
            ("fox.profile1.8bpc.yuv444.avif", (0, 0)),
            ("fox.profile2.12bpc.yuv422.avif", (0, 0)),
            ("fox.profile0.8bpc.yuv420.monochrome.avif", (0, 0)),
            // 1203x799: fox.png cropped one pixel in from the top-left corner
            ("fox.profile0.8bpc.yuv420.odd-width.odd-height.avif", (1, 1)),
        ] {
            let s = decode_ssim(file, "fox.png", offset);
            assert!(s > 0.95, "{file}: SSIM {s:.4} against fox.png");
        }
    }

    #[test]
    fn kimono_matches_kimono_jpg_and_colours_are_right() {
        let s = decode_ssim("kimono.avif", "kimono.jpg", (0, 0));
        assert!(s > 0.92, "SSIM {s:.4} against kimono.jpg (measured 0.935)");
        // luma SSIM cannot see a swapped or wrong matrix: compare mean colour per channel
        let r = engine_decode(&read("conformance/avif/kimono.avif")).unwrap();
        let refpx = reference("kimono.jpg", 0, 0, r.width, r.height);
        for c in 0..3 {
            let mean = |d: &[u8]| {
                d.iter().skip(c).step_by(3).map(|&v| v as f64).sum::<f64>() / (d.len() / 3) as f64
            };
            let (a, b) = (mean(&r.data), mean(&refpx));
            assert!((a - b).abs() < 2.0, "channel {c}: mean {a:.2} vs {b:.2}");
        }
    }

    /// Each file is the picture transformed, encoded again, and tagged with the irot/imir that
    /// undoes the transform: re-encoding costs a little (measured SSIM 0.95-0.96), a wrong
    /// orientation far more (against the upright picture turned 180 degrees: 0.34).
    fn check_upright(files: &[&str]) {
        let upright = transform(&read("conformance/avif/kimono.avif"), "format=png").unwrap();
        let up = image_decode(&upright.bytes).to_rgb8();
        let turned = image::imageops::rotate180(&up);
        let mut bad = Vec::new();
        for f in files {
            let out = transform(&read(&format!("conformance/avif/{f}")), "format=png").unwrap();
            let img = image_decode(&out.bytes).to_rgb8();
            assert_eq!(img.dimensions(), up.dimensions(), "{f}");
            let score = |other: &image::RgbImage| {
                ssim(
                    &luma(img.as_raw(), 3),
                    &luma(other.as_raw(), 3),
                    img.width() as usize,
                    img.height() as usize,
                )
            };
            let (s, wrong) = (score(&up), score(&turned));
            eprintln!("{f}: SSIM {s:.4}, against the upright picture turned 180: {wrong:.4}");
            if !(s > 0.93 && wrong < s - 0.2) {
                bad.push(format!("{f}: SSIM {s:.4} (turned 180: {wrong:.4})"));
            }
        }
        assert!(bad.is_empty(), "not upright: {bad:?}");
    }

    #[test]
    fn rotated_files_come_out_upright() {
        check_upright(&["kimono.rotate90.avif", "kimono.rotate270.avif"]);
    }

    /// Fails today: src/probe/avif.rs reads imir axis 0 as a left-right mirror, but these files
    /// (and libavif, ISO/IEC 23008-12:2022 `mode`) mean 0 = top-to-bottom, 1 = left-right, so
    /// mirrored files come out turned 180 degrees. The fix is the probe's (the lead's file).
    #[test]
    #[ignore = "imir axis is inverted in src/probe/avif.rs (see the doc comment)"]
    fn mirrored_files_come_out_upright() {
        check_upright(&[
            "kimono.mirror-horizontal.avif",
            "kimono.mirror-vertical.avif",
            "kimono.mirror-vertical.rotate270.avif",
        ]);
    }

    #[test]
    fn truncated_and_damaged_files_are_typed_errors() {
        let f = read("conformance/avif/fox.profile0.8bpc.yuv420.avif");
        let limits = edgepix::Limits::default();
        let p = edgepix::probe(&f, &limits).unwrap();
        for cut in [40, 300, 1000, f.len() / 2, f.len() - 10] {
            let e = edgepix::codecs::decode(&f[..cut], &p, (p.width, p.height), &limits)
                .err()
                .unwrap_or_else(|| panic!("cut at {cut} decoded"));
            assert!(
                matches!(e.code, edgepix::ErrorCode::CorruptImage),
                "cut at {cut}: {e:?}"
            );
        }
        // flip bytes inside the AV1 payload (the tail of the file is mdat)
        let mut bad = f.clone();
        for i in (f.len() - 20_000..f.len()).step_by(7) {
            bad[i] ^= 0x5A;
        }
        let _ = edgepix::codecs::decode(&bad, &p, (p.width, p.height), &limits);
    }

    fn raster_of(file: &str) -> Raster {
        engine_decode(&read(file)).unwrap()
    }

    #[test]
    fn encode_round_trips_through_our_decoder() {
        let src = raster_of("photos/kodak/kodim23.png");
        let small = edgepix::codecs::avif::encode(&src, 40, 10, None).unwrap();
        let exif = b"MM\0*\0\0\0\x08\0\0edgepix-exif-marker".to_vec();
        let big = edgepix::codecs::avif::encode(&src, 85, 10, Some(&exif)).unwrap();
        assert_eq!(&big[4..8], b"ftyp");
        assert!(
            big.windows(exif.len()).any(|w| w == &exif[..]),
            "EXIF payload missing"
        );
        assert!(small.len() < big.len(), "{} vs {}", small.len(), big.len());
        let back = engine_decode(&big).unwrap();
        assert_eq!((back.width, back.height), (src.width, src.height));
        let s = ssim(
            &luma(&to_rgb(&back), 3),
            &luma(&to_rgb(&src), 3),
            src.width as usize,
            src.height as usize,
        );
        assert!(s > 0.95, "q85 round trip SSIM {s:.4}");
    }

    #[test]
    fn alpha_survives_encode_and_decode() {
        let src = raster_of("conformance/png/primary/basn6a08.png");
        assert_eq!(src.layout, Layout::Rgba);
        let avif = edgepix::codecs::avif::encode(&src, 95, 10, None).unwrap();
        let back = engine_decode(&avif).unwrap();
        assert_eq!(back.layout, Layout::Rgba);
        let alpha = |r: &Raster| {
            r.data
                .iter()
                .skip(3)
                .step_by(4)
                .copied()
                .collect::<Vec<u8>>()
        };
        let d = mean_abs_diff(&alpha(&back), &alpha(&src));
        assert!(d < 3.0, "alpha mean abs diff {d:.2}");
    }
}

#[cfg(not(feature = "avif"))]
#[test]
fn without_the_feature_avif_is_refused_with_415() {
    let e = engine_decode(&read("conformance/avif/kimono.avif")).unwrap_err();
    assert_eq!(e.code, edgepix::ErrorCode::UnsupportedFormat);
    assert_eq!(e.http_status(), 415);
}
