//! Lossy WebP encodes whose bytes the native build (libwebp with its real SSE2 code on x86_64)
//! and the wasm32 build (libwebp's SSE2/SSE4.1 code on csys/include's simd128 shim) must both
//! produce: tests/data/webp-lossy-reference.tsv holds their SHA-256. Frames come from the
//! `image` crate's PNG decoder, so no edgepix decoder or resampler is between the corpus and
//! the encoder. Shared by tests/webp_encode.rs (native) and tests/wasm.rs (wasm32).

use edgepix::pixels::{Layout, Raster};
use sha2::{Digest, Sha256};

pub const TABLE: &str = include_str!("../data/webp-lossy-reference.tsv");
/// 100 is lossless (VP8L); the lossy ones with alpha also run VP8L on the alpha plane.
pub const QUALITIES: [u8; 5] = [5, 50, 80, 95, 100];

/// x, y, width, height of the part of a corpus image that is encoded.
pub type Crop = (u32, u32, u32, u32);

/// Corpus path, PNG bytes, and the crop taken from it: a full Kodak frame, a crop whose sides
/// are not multiples of 16 (partial macroblocks), and an RGBA one (alpha plane, RGBA import).
pub const FRAMES: [(&str, &[u8], Crop); 3] = [
    (
        "photos/kodak/kodim05.png",
        include_bytes!("../../../shared/corpus/photos/kodak/kodim05.png"),
        (0, 0, 768, 512),
    ),
    (
        "photos/kodak/kodim23.png",
        include_bytes!("../../../shared/corpus/photos/kodak/kodim23.png"),
        (37, 61, 501, 333),
    ),
    (
        "photos/Gulp.png",
        include_bytes!("../../../shared/corpus/photos/Gulp.png"),
        (700, 300, 611, 389),
    ),
];

pub fn frame(png: &[u8], (x, y, w, h): Crop) -> Raster {
    let img = image::load_from_memory_with_format(png, image::ImageFormat::Png).unwrap();
    let (layout, full) = if img.color().has_alpha() {
        (Layout::Rgba, img.to_rgba8().into_raw())
    } else {
        (Layout::Rgb, img.to_rgb8().into_raw())
    };
    let ch = layout.channels();
    let stride = img.width() as usize * ch;
    let mut data = Vec::with_capacity(w as usize * h as usize * ch);
    for row in y..y + h {
        let start = row as usize * stride + x as usize * ch;
        data.extend_from_slice(&full[start..start + w as usize * ch]);
    }
    Raster::new(w, h, layout, data)
}

/// One line per (frame, quality) in the table's format: path, crop, quality, SHA-256.
pub fn encode_all() -> Vec<String> {
    let mut lines = Vec::new();
    for (path, png, crop) in FRAMES {
        let r = frame(png, crop);
        for q in QUALITIES {
            let out = edgepix::codecs::webp::encode(&r, q, None, u64::MAX).unwrap();
            assert_eq!(&out[..4], b"RIFF");
            assert_eq!(&out[8..12], b"WEBP");
            // VP8L at 100, else VP8 (with VP8X + ALPH first when there is alpha)
            let first = &out[12..16];
            match (q, r.layout) {
                (100, _) => assert_eq!(first, b"VP8L"),
                (_, Layout::Rgb) => assert_eq!(first, b"VP8 "),
                (_, Layout::Rgba) => assert_eq!(first, b"VP8X"),
            }
            let hash: String = Sha256::digest(&out)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            let (x, y, w, h) = crop;
            lines.push(format!("{path}\t{x},{y},{w},{h}\t{q}\t{hash}"));
        }
    }
    lines
}

/// The table's data lines (comments and blank lines dropped).
pub fn expected() -> Vec<String> {
    TABLE
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.trim_end().to_string())
        .collect()
}

/// Panics with every differing line, so a failure names the frame and quality.
pub fn check(got: &[String]) {
    let want = expected();
    assert_eq!(want.len(), FRAMES.len() * QUALITIES.len(), "table rows");
    let diffs: Vec<String> = got
        .iter()
        .zip(&want)
        .filter(|(g, w)| g != w)
        .map(|(g, w)| format!("  table: {w}\n  build: {g}"))
        .collect();
    assert!(
        diffs.is_empty(),
        "{} of {} WebP encodes differ from tests/data/webp-lossy-reference.tsv:\n{}",
        diffs.len(),
        want.len(),
        diffs.join("\n")
    );
}
