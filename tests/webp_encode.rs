//! WebP encoding (either encoder: libwebp with the `libwebp` feature, vaam-image-webp without):
//! lossless is exact, quality orders sizes, lossy output stays close to the source, EXIF is
//! carried in a valid VP8X container. With libwebp, sizes must match sharp 0.35.5 (libwebp
//! 1.6.0, effort 4) at the same quality: recorded below from
//! `sharp('photos/kodak/kodim23.png').removeAlpha().webp({ quality }).toBuffer()`.
#![cfg(not(target_arch = "wasm32"))]

mod common;
#[cfg(feature = "libwebp")]
#[path = "support/webp_reference.rs"]
mod webp_reference;
use common::*;
use edgepix::codecs::webp;
use edgepix::pixels::Layout;

fn kodim23() -> edgepix::pixels::Raster {
    engine_decode(&read("photos/kodak/kodim23.png")).unwrap()
}

#[test]
fn lossless_at_quality_100_is_exact_for_rgb_and_rgba() {
    for file in [
        "photos/kodak/kodim23.png",
        "conformance/png/primary/basn6a08.png",
    ] {
        let src = engine_decode(&read(file)).unwrap();
        let out = webp::encode(&src, 100, None, u64::MAX).unwrap();
        let back = image_decode(&out);
        let (mut got, mut want) = match src.layout {
            Layout::Rgb => (back.to_rgb8().into_raw(), src.data.clone()),
            Layout::Rgba => (back.to_rgba8().into_raw(), src.data.clone()),
        };
        // libwebp (like sharp without `exact`) may rewrite the colour of fully transparent
        // pixels to compress better: invisible, so compare those by alpha only
        if src.layout == Layout::Rgba {
            for (g, w) in got.chunks_exact_mut(4).zip(want.chunks_exact_mut(4)) {
                if w[3] == 0 {
                    g[..3].fill(0);
                    w[..3].fill(0);
                }
            }
        }
        assert_eq!(max_diff(&got, &want), 0, "{file}");
    }
}

#[test]
fn lossy_sizes_follow_quality_and_stay_close_to_the_source() {
    let src = kodim23();
    let sizes: Vec<usize> = [50, 80, 95]
        .iter()
        .map(|&q| webp::encode(&src, q, None, u64::MAX).unwrap().len())
        .collect();
    assert!(sizes[0] < sizes[1] && sizes[1] < sizes[2], "{sizes:?}");
    let out = webp::encode(&src, 80, None, u64::MAX).unwrap();
    let back = image_decode(&out).to_rgb8();
    let s = ssim(
        &luma(back.as_raw(), 3),
        &luma(&src.data, 3),
        src.width as usize,
        src.height as usize,
    );
    assert!(s > 0.93, "q80 SSIM {s:.4}");
}

#[cfg(feature = "libwebp")]
#[test]
fn libwebp_writes_what_sharp_writes_at_the_same_quality() {
    let src = kodim23();
    // sharp 0.35.5: 16,794 / 29,232 / 100,926 bytes at quality 50 / 80 / 95
    for (q, sharp) in [(50u8, 16_794usize), (80, 29_232), (95, 100_926)] {
        let n = webp::encode(&src, q, None, u64::MAX).unwrap().len();
        let ratio = n as f64 / sharp as f64;
        assert!(
            (0.98..=1.02).contains(&ratio),
            "q{q}: {n} bytes vs sharp's {sharp}"
        );
    }
}

#[test]
fn exif_goes_into_a_vp8x_container_for_rgb_and_rgba() {
    let exif = b"Exif\0\0MM\0*\0\0\0\x08\0\0".to_vec();
    for file in [
        "photos/kodak/kodim23.png",
        "conformance/png/primary/basn6a08.png",
    ] {
        let src = engine_decode(&read(file)).unwrap();
        let out = webp::encode(&src, 80, Some(&exif), u64::MAX).unwrap();
        assert_eq!(&out[..4], b"RIFF");
        assert_eq!(
            u32::from_le_bytes(out[4..8].try_into().unwrap()) as usize,
            out.len() - 8,
            "{file}: RIFF size"
        );
        assert_eq!(&out[12..16], b"VP8X", "{file}");
        assert_ne!(out[20] & 0x08, 0, "{file}: EXIF flag");
        assert_eq!(out[20] & 0x10 != 0, src.uses_alpha(), "{file}: alpha flag");
        let w = u32::from_le_bytes([out[24], out[25], out[26], 0]) + 1;
        let h = u32::from_le_bytes([out[27], out[28], out[29], 0]) + 1;
        assert_eq!((w, h), (src.width, src.height), "{file}: canvas");
        // walk the chunks: EXIF is there, whole, and the file still decodes
        let mut pos = 12;
        let mut found = None;
        while pos + 8 <= out.len() {
            let len = u32::from_le_bytes(out[pos + 4..pos + 8].try_into().unwrap()) as usize;
            if &out[pos..pos + 4] == b"EXIF" {
                found = Some(out[pos + 8..pos + 8 + len].to_vec());
            }
            pos += 8 + len + (len & 1);
        }
        assert_eq!(pos, out.len(), "{file}: chunks tile the file");
        assert_eq!(found.as_deref(), Some(&exif[..]), "{file}");
        let back = image_decode(&out);
        assert_eq!((back.width(), back.height()), (src.width, src.height));
    }
}

/// The table the wasm32 build is held to (tests/wasm.rs) is this build's output: libwebp's
/// real SSE2 code on x86_64. A failure prints the build's lines.
#[cfg(all(feature = "libwebp", target_arch = "x86_64"))]
#[test]
fn libwebp_lossy_bytes_match_the_reference_table() {
    let got = webp_reference::encode_all();
    println!("{}", got.join("\n"));
    webp_reference::check(&got);
}
