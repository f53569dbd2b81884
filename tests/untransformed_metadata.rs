//! Privacy on every path (issue #18 item 3): an animation served as it came (above
//! Cloudflare's 50 MP transform limit, or above the output pixels an animation may be encoded
//! to) honours `metadata=` like a transformed answer. The fixtures are real corpus animations
//! with an EXIF holding GPS (WebP: an `EXIF` chunk; GIF, which has no EXIF: an XMP application
//! extension with the same position and a comment) inserted here.

mod common;
use common::*;
use edgepix::{Accepts, Limits, OutputFormat};

const COPYRIGHT: &str = "(c) 2026 Example Photographer";
const TAG_GPS_IFD: u16 = 0x8825;
const TAG_COPYRIGHT: u16 = 0x8298;
const XMP_GPS: &[u8] = b"<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'><rdf:Description xmlns:exif='http://ns.adobe.com/exif/1.0/' exif:GPSLatitude='52,22.2N' exif:GPSLongitude='4,53.4E'/></rdf:RDF></x:xmpmeta>";

/// A little-endian TIFF: IFD0 with Copyright and a GPS IFD pointer; the GPS IFD with
/// GPSLatitudeRef "N" and GPSLatitude 52/1 22/1 12/1.
fn exif_with_gps() -> Vec<u8> {
    let text = [COPYRIGHT.as_bytes(), b"\0"].concat();
    let ifd0 = 8u32;
    let ifd0_len = 2 + 2 * 12 + 4;
    let text_at = ifd0 + ifd0_len;
    let gps_at = text_at + text.len() as u32;
    let gps_len = 2 + 2 * 12 + 4;
    let rational_at = gps_at + gps_len;
    let mut t = b"II*\0".to_vec();
    t.extend_from_slice(&ifd0.to_le_bytes());
    let entry = |t: &mut Vec<u8>, tag: u16, ty: u16, count: u32, value: u32| {
        t.extend_from_slice(&tag.to_le_bytes());
        t.extend_from_slice(&ty.to_le_bytes());
        t.extend_from_slice(&count.to_le_bytes());
        t.extend_from_slice(&value.to_le_bytes());
    };
    t.extend_from_slice(&2u16.to_le_bytes());
    entry(&mut t, TAG_COPYRIGHT, 2, text.len() as u32, text_at);
    entry(&mut t, TAG_GPS_IFD, 4, 1, gps_at);
    t.extend_from_slice(&0u32.to_le_bytes());
    t.extend_from_slice(&text);
    t.extend_from_slice(&2u16.to_le_bytes());
    entry(&mut t, 1, 2, 2, u32::from_le_bytes(*b"N\0\0\0"));
    entry(&mut t, 2, 5, 3, rational_at);
    t.extend_from_slice(&0u32.to_le_bytes());
    for v in [52u32, 22, 12] {
        t.extend_from_slice(&v.to_le_bytes());
        t.extend_from_slice(&1u32.to_le_bytes());
    }
    t
}

/// The tags of a little-endian TIFF's IFD0.
fn ifd0_tags(tiff: &[u8]) -> Vec<u16> {
    assert_eq!(&tiff[..4], b"II*\0", "little-endian TIFF");
    let at = u32::from_le_bytes(tiff[4..8].try_into().unwrap()) as usize;
    let n = u16::from_le_bytes([tiff[at], tiff[at + 1]]) as usize;
    (0..n)
        .map(|i| u16::from_le_bytes([tiff[at + 2 + 12 * i], tiff[at + 3 + 12 * i]]))
        .collect()
}

/// A WebP's chunks: (fourcc, whole chunk with header and pad byte).
fn chunks(webp: &[u8]) -> Vec<([u8; 4], Vec<u8>)> {
    let mut out = Vec::new();
    let mut i = 12;
    while i + 8 <= webp.len() {
        let kind: [u8; 4] = webp[i..i + 4].try_into().unwrap();
        let len = u32::from_le_bytes(webp[i + 4..i + 8].try_into().unwrap()) as usize;
        let end = (i + 8 + len + (len & 1)).min(webp.len());
        out.push((kind, webp[i..end].to_vec()));
        i = end;
    }
    out
}

/// `webp` (a VP8X file) with EXIF (GPS and copyright) and XMP (GPS) chunks after its image
/// data, and their VP8X flags set, as a camera app's export would have them.
fn webp_with_gps(webp: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    for (kind, mut c) in chunks(webp) {
        if &kind == b"VP8X" {
            c[8] |= 0x08 | 0x04;
        }
        body.extend_from_slice(&c);
    }
    body.extend_from_slice(&riff_chunk(b"EXIF", &exif_with_gps()));
    body.extend_from_slice(&riff_chunk(b"XMP ", XMP_GPS));
    let mut out = b"RIFF".to_vec();
    out.extend_from_slice(&(body.len() as u32 + 4).to_le_bytes());
    out.extend_from_slice(b"WEBP");
    out.extend_from_slice(&body);
    out
}

/// `gif` with a comment and an XMP application extension (the packet raw, then XMP's
/// 258-byte "magic trailer", as XMP writers store it) after the global colour table.
fn gif_with_gps(gif: &[u8]) -> Vec<u8> {
    let mut at = 13;
    if gif[10] & 0x80 != 0 {
        at += 3 << ((gif[10] & 7) + 1);
    }
    let mut out = gif[..at].to_vec();
    out.extend_from_slice(&[0x21, 0xFE, 23]);
    out.extend_from_slice(b"shot at 52.37N, 4.89E  ");
    out.push(0);
    out.extend_from_slice(&[0x21, 0xFF, 11]);
    out.extend_from_slice(b"XMP DataXMP");
    out.extend_from_slice(XMP_GPS);
    out.push(1);
    out.extend((0..=255u8).rev());
    out.push(0);
    out.extend_from_slice(&gif[at..]);
    out
}

fn run(bytes: &[u8], opts: &str, limits: &Limits) -> edgepix::Output {
    let o = edgepix::Options::parse(opts).expect("options parse");
    let accepts = Accepts {
        webp: true,
        avif: false,
    };
    let out = edgepix::transform(bytes, &o, accepts, limits, &|| 0.0)
        .unwrap_or_else(|e| panic!("{opts}: {e}"));
    assert!(
        out.notes.iter().any(|n| n.contains("served as it came")),
        "{opts}: not a pass-through: {:?}",
        out.notes
    );
    out
}

/// Cloudflare's limits, with the transform limit lowered so that a small corpus animation is
/// above it (the path a 50 MP animation takes).
fn low_transform_limit() -> Limits {
    Limits {
        max_transformed_animation_pixels: 100_000,
        ..Limits::default()
    }
}

/// The pass-through paths: above the transform limit (input pixels in all frames), and above
/// the output pixels an animation may be encoded to (`fit=pad` to 2000x2000: 40 MP in 10
/// frames, over 20 MP).
fn paths(prefix: &str) -> Vec<(String, Limits)> {
    vec![
        (format!("width=100{prefix}"), low_transform_limit()),
        (
            format!("width=2000,height=2000,fit=pad{prefix}"),
            Limits::default(),
        ),
    ]
}

#[test]
fn a_webp_served_as_it_came_drops_gps_unless_metadata_keep() {
    let original = read("animated/sharp/animated-loop-3.webp");
    let source = webp_with_gps(&original);
    for (mode, want) in [
        ("", "copyright"),
        (",metadata=copyright", "copyright"),
        (",metadata=none", "none"),
        (",metadata=keep", "keep"),
    ] {
        for (opts, limits) in paths(mode) {
            let out = run(&source, &opts, &limits);
            assert_eq!(out.format, OutputFormat::Webp, "{opts}");
            let got = chunks(&out.bytes);
            let exif = got
                .iter()
                .find(|(k, _)| k == b"EXIF")
                .map(|(_, c)| c[8..].to_vec());
            let xmp = got.iter().any(|(k, _)| k == b"XMP ");
            let flags = got[0].1[8];
            match want {
                "keep" => assert_eq!(out.bytes, source, "{opts}: keep answers the input"),
                "none" => {
                    // the corpus file had no metadata: what is left is it, byte for byte
                    assert_eq!(out.bytes, original, "{opts}");
                    assert!(exif.is_none() && !xmp, "{opts}");
                    assert_eq!(flags & 0x0C, 0, "{opts}: VP8X still flags EXIF/XMP");
                }
                _ => {
                    let exif = exif.unwrap_or_else(|| panic!("{opts}: the copyright is kept"));
                    assert_eq!(
                        ifd0_tags(&exif),
                        vec![TAG_COPYRIGHT],
                        "{opts}: only the copyright"
                    );
                    assert_eq!(edgepix::exif::copyright(&exif).as_deref(), Some(COPYRIGHT));
                    assert!(!xmp, "{opts}");
                    assert_eq!(flags & 0x0C, 0x08, "{opts}: EXIF flagged, XMP not");
                    // every other chunk as it came, in order
                    let without: Vec<_> = got.iter().filter(|(k, _)| k != b"EXIF").collect();
                    let originals: Vec<_> = chunks(&original);
                    assert_eq!(without.len(), originals.len(), "{opts}");
                    for (a, b) in without.iter().zip(&originals) {
                        if &a.0 == b"VP8X" {
                            assert_eq!(a.1[..8], b.1[..8]);
                            assert_eq!(a.1[9..], b.1[9..]);
                        } else {
                            assert_eq!(a, &b, "{opts}: chunk {:?}", String::from_utf8_lossy(&a.0));
                        }
                    }
                    let riff = u32::from_le_bytes(out.bytes[4..8].try_into().unwrap()) as usize;
                    assert_eq!(riff + 8, out.bytes.len(), "{opts}: RIFF size");
                }
            }
            if want != "keep" {
                // still the same animation to a decoder
                let d = image::codecs::webp::WebPDecoder::new(std::io::Cursor::new(&out.bytes))
                    .unwrap();
                assert!(d.has_animation(), "{opts}");
                assert!(out.bytes.len() < source.len(), "{opts}");
            }
        }
    }
}

#[test]
fn a_gif_served_as_it_came_drops_gps_unless_metadata_keep() {
    // 380 frames of 472x298: 53.4 MP in all, above Cloudflare's 50 MP: served as it came with
    // the default limits
    let original = read("conformance/gif/image-gif/gifplayer-muybridge.gif");
    let source = gif_with_gps(&original);
    let cases = [
        ("width=100", Limits::default()),
        ("width=100,metadata=none", Limits::default()),
        ("width=100,metadata=copyright", Limits::default()),
        ("width=100,metadata=keep", Limits::default()),
        (
            "width=200,height=200,fit=pad,metadata=none",
            Limits {
                max_animation_output_pixels: 1_000_000,
                max_transformed_animation_pixels: u64::MAX / 4,
                ..Limits::default()
            },
        ),
    ];
    for (opts, limits) in cases {
        let out = run(&source, opts, &limits);
        assert_eq!(out.format, OutputFormat::Gif, "{opts}");
        if opts.contains("keep") {
            assert_eq!(out.bytes, source, "{opts}: keep answers the input");
        } else {
            // the corpus file had only the loop extension, frames and their graphic controls:
            // what is left is it, byte for byte
            assert_eq!(out.bytes, original, "{opts}");
        }
    }
}

#[test]
fn hostile_chunk_sizes_are_typed_errors() {
    // an EXIF chunk declaring more bytes than the file has: 422 from the probe, before any
    // rewrite is attempted
    let original = read("animated/sharp/animated-loop-3.webp");
    let mut bad = webp_with_gps(&original);
    let exif_at = bad.windows(4).position(|w| w == b"EXIF").unwrap();
    bad[exif_at + 4..exif_at + 8].copy_from_slice(&0xFFFF_FFF0u32.to_le_bytes());
    let o = edgepix::Options::parse("width=100,metadata=none").unwrap();
    let e = edgepix::transform(
        &bad,
        &o,
        Accepts::default(),
        &low_transform_limit(),
        &|| 0.0,
    )
    .unwrap_err();
    assert_eq!(e.http_status(), 422, "{e}");
    // and the rewriter itself, given such a file directly
    let e = edgepix::metadata::strip::untransformed(
        &bad,
        edgepix::ImageFormat::Webp,
        edgepix::options::Metadata::None,
    )
    .unwrap_err();
    assert_eq!(e.http_status(), 422, "{e}");
}
