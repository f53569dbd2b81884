//! End-to-end pipeline behaviour on real images: fit modes, padding, metadata modes, lossless
//! WebP at quality 100, palette PNG output, premultiplied-alpha resizing, format=json.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::*;

const PHOTO: &str = "orientation/Landscape_1.jpg"; // 1800x1200 photo

fn dims(opts: &str) -> (u32, u32) {
    let out = transform(&read(PHOTO), opts).unwrap_or_else(|e| panic!("{opts}: {e}"));
    let img = image_decode(&out.bytes);
    assert_eq!(
        (img.width(), img.height()),
        (out.width, out.height),
        "{opts}"
    );
    (out.width, out.height)
}

#[test]
fn fit_modes_give_documented_sizes() {
    let cases = [
        ("width=600,height=600", (600, 400)), // scale-down is the default
        ("width=600,height=600,fit=scale-down", (600, 400)),
        ("width=3600,fit=scale-down", (1800, 1200)), // never enlarges
        ("width=600,height=600,fit=contain", (600, 400)),
        ("width=3600,height=3600,fit=contain", (3600, 2400)), // contain enlarges
        ("width=600,height=600,fit=cover", (600, 600)),
        ("width=600,height=600,fit=crop", (600, 600)),
        ("width=3000,height=300,fit=crop", (1800, 300)), // crop never enlarges
        ("width=600,height=600,fit=pad", (600, 600)),
        ("width=600,height=600,fit=squeeze", (600, 600)),
        ("width=600,height=100,fit=squeeze", (600, 100)),
        ("height=300", (450, 300)),
        ("width=300,dpr=2", (600, 400)),
        ("width=300,rotate=90", (300, 450)),
        ("width=600,trim=100;200;100;200", (600, 429)), // 1400x1000 left,
    ];
    for (opts, expected) in cases {
        assert_eq!(dims(opts), expected, "{opts}");
    }
}

#[test]
fn pad_fills_with_the_background() {
    let out = transform(
        &read(PHOTO),
        "width=600,height=600,fit=pad,background=%23ff0000,format=png",
    )
    .unwrap();
    let img = image_decode(&out.bytes).to_rgb8();
    assert_eq!(img.dimensions(), (600, 600));
    // 600x400 picture centred: rows 0..100 and 500..600 are background
    for y in [0, 50, 99, 500, 550, 599] {
        for x in [0, 300, 599] {
            assert_eq!(img.get_pixel(x, y).0, [255, 0, 0], "({x},{y})");
        }
    }
    // the picture itself is not red
    let middle: Vec<u8> = (100..500).flat_map(|y| img.get_pixel(300, y).0).collect();
    assert!(middle.chunks(3).filter(|p| p == &[255, 0, 0]).count() < 10);
    // default background is white
    let out = transform(&read(PHOTO), "width=600,height=600,fit=pad,format=png").unwrap();
    let img = image_decode(&out.bytes).to_rgb8();
    assert_eq!(img.get_pixel(10, 10).0, [255, 255, 255]);
}

// ---- metadata ----

/// IFD0 tags of the EXIF in a JPEG's APP1 segment, with the orientation and copyright values.
struct Exif {
    tags: Vec<u16>,
    orientation: u16,
    copyright: Option<String>,
}

fn jpeg_exif(jpeg: &[u8]) -> Option<Exif> {
    let mut pos = 2;
    while pos + 4 <= jpeg.len() && jpeg[pos] == 0xFF && jpeg[pos + 1] != 0xDA {
        let len = u16::from_be_bytes([jpeg[pos + 2], jpeg[pos + 3]]) as usize;
        let seg = &jpeg[pos + 4..pos + 2 + len];
        if jpeg[pos + 1] == 0xE1 && seg.starts_with(b"Exif\0\0") {
            let t = &seg[6..];
            let le = &t[..2] == b"II";
            let u16_at = |i: usize| {
                let b = [t[i], t[i + 1]];
                if le {
                    u16::from_le_bytes(b)
                } else {
                    u16::from_be_bytes(b)
                }
            };
            let u32_at = |i: usize| {
                let b = [t[i], t[i + 1], t[i + 2], t[i + 3]];
                if le {
                    u32::from_le_bytes(b)
                } else {
                    u32::from_be_bytes(b)
                }
            };
            let ifd = u32_at(4) as usize;
            let n = u16_at(ifd) as usize;
            let entries: Vec<usize> = (0..n).map(|k| ifd + 2 + 12 * k).collect();
            return Some(Exif {
                tags: entries.iter().map(|&e| u16_at(e)).collect(),
                orientation: entries
                    .iter()
                    .find(|&&e| u16_at(e) == 0x0112)
                    .map(|&e| u16_at(e + 8))
                    .unwrap_or(0),
                copyright: edgepix::exif::copyright(t),
            });
        }
        pos += 2 + len;
    }
    None
}

const GPS: u16 = 0x8825;

#[test]
fn metadata_modes_on_a_phone_photo() {
    let dog = read("photos/dog_exif_extended_xmp_icc.jpg");
    let input = jpeg_exif(&dog).unwrap();
    assert_eq!(input.orientation, 6);
    let none = transform(&dog, "width=200,metadata=none").unwrap();
    assert_eq!((none.width, none.height), (200, 267)); // orientation 6 applied
    assert!(
        jpeg_exif(&none.bytes).is_none(),
        "metadata=none must drop EXIF"
    );
    // the photo has no copyright: nothing to keep
    let copyright = transform(&dog, "width=200,metadata=copyright").unwrap();
    assert!(jpeg_exif(&copyright.bytes).is_none());
    let keep = transform(&dog, "width=200,metadata=keep").unwrap();
    let kept = jpeg_exif(&keep.bytes).expect("metadata=keep keeps EXIF");
    assert_eq!(kept.tags, input.tags, "same IFD0 entries");
    assert_eq!(kept.orientation, 1, "pixels are upright now");

    // GPS: paris_exif_xmp_icc.jpg carries a GPS IFD
    let paris = read("color/paris_exif_xmp_icc.jpg");
    assert!(jpeg_exif(&paris).unwrap().tags.contains(&GPS));
    let keep = transform(&paris, "width=100,metadata=keep").unwrap();
    assert!(jpeg_exif(&keep.bytes).unwrap().tags.contains(&GPS));
    let stripped = transform(&paris, "width=100").unwrap(); // default: copyright
    assert!(jpeg_exif(&stripped.bytes).is_none_or(|e| !e.tags.contains(&GPS)));
}

/// A JPEG with EXIF holding both a copyright and a GPS pointer: `copyright` keeps exactly the
/// copyright, `keep` keeps both, `none` neither.
#[test]
fn copyright_mode_keeps_only_the_copyright() {
    // big-endian TIFF: IFD0 = {Copyright "(c) Test", GPS IFD pointer -> empty IFD}
    let text = b"(c) Test\0";
    let mut t = b"MM\0\x2a\0\0\0\x08".to_vec();
    t.extend_from_slice(&2u16.to_be_bytes());
    let data_at: u32 = 8 + 2 + 24 + 4;
    let gps_at = data_at + text.len() as u32;
    t.extend_from_slice(&[0x82, 0x98, 0, 2]);
    t.extend_from_slice(&(text.len() as u32).to_be_bytes());
    t.extend_from_slice(&data_at.to_be_bytes());
    t.extend_from_slice(&[0x88, 0x25, 0, 4, 0, 0, 0, 1]);
    t.extend_from_slice(&gps_at.to_be_bytes());
    t.extend_from_slice(&0u32.to_be_bytes());
    t.extend_from_slice(text);
    t.extend_from_slice(&[0, 0, 0, 0, 0, 0]); // empty GPS IFD
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(&t);
    let base = read(PHOTO);
    let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE1];
    jpeg.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
    jpeg.extend_from_slice(&app1);
    jpeg.extend_from_slice(&base[2..]);
    let input = jpeg_exif(&jpeg).unwrap();
    assert_eq!(input.copyright.as_deref(), Some("(c) Test"));

    let c = jpeg_exif(
        &transform(&jpeg, "width=100,metadata=copyright")
            .unwrap()
            .bytes,
    )
    .unwrap();
    assert_eq!(c.copyright.as_deref(), Some("(c) Test"));
    assert_eq!(c.tags, vec![0x8298], "copyright only");
    let k = jpeg_exif(&transform(&jpeg, "width=100,metadata=keep").unwrap().bytes).unwrap();
    assert!(k.tags.contains(&GPS) && k.copyright.as_deref() == Some("(c) Test"));
    assert!(jpeg_exif(&transform(&jpeg, "width=100,metadata=none").unwrap().bytes).is_none());
    // PNG and WebP outputs follow the same rule (eXIf / EXIF chunk)
    let png = transform(&jpeg, "width=100,metadata=none,format=png").unwrap();
    assert!(!png.bytes.windows(4).any(|w| w == b"eXIf"));
    let png = transform(&jpeg, "width=100,metadata=copyright,format=png").unwrap();
    assert!(png.bytes.windows(8).any(|w| w == b"(c) Test"));
}

// ---- formats ----

#[test]
fn quality_100_webp_is_lossless() {
    for f in [
        "photos/kodak/kodim03.png",
        "conformance/webp/image-webp/reference/gallery2/4_webp_ll.png",
    ] {
        let bytes = read(f);
        let input = engine_decode(&bytes).unwrap();
        let out = transform(&bytes, "format=webp,quality=100").unwrap();
        assert_eq!(&out.bytes[8..12], b"WEBP");
        let back = image_decode(&out.bytes).to_rgba8();
        assert_eq!(back.dimensions(), (input.width, input.height));
        // the colour of fully transparent pixels is invisible and encoders may drop it
        let visible = |v: Vec<u8>| -> Vec<u8> {
            v.chunks(4)
                .flat_map(|p| {
                    if p[3] == 0 {
                        [0; 4]
                    } else {
                        [p[0], p[1], p[2], p[3]]
                    }
                })
                .collect()
        };
        assert!(
            visible(back.into_raw()) == visible(to_rgba(&input)),
            "{f}: not lossless"
        );
        // and quality 90 is lossy (the test can tell the difference)
        let lossy = transform(&bytes, "format=webp,quality=90").unwrap();
        let back = image_decode(&lossy.bytes).to_rgba8().into_raw();
        if f.contains("kodim") {
            assert_ne!(back, to_rgba(&input));
        }
    }
}

fn png_color_type(png: &[u8]) -> u8 {
    assert_eq!(&png[12..16], b"IHDR");
    png[25]
}

#[test]
fn png_output_uses_a_palette_up_to_256_colours() {
    // 16-colour palette input, and a grey gradient with 256 levels
    for f in [
        "conformance/png/primary/basn3p04.png",
        "conformance/png/primary/basn0g08.png",
    ] {
        let bytes = read(f);
        let out = transform(&bytes, "format=png").unwrap();
        assert_eq!(
            png_color_type(&out.bytes),
            3,
            "{f}: expected an indexed PNG"
        );
        // lossless: same pixels as the pipeline's lossless WebP of the same frame
        // (not the raw decode: PngSuite files carry gAMA, which the pipeline applies)
        let back = image_decode(&out.bytes).to_rgba8().into_raw();
        let webp = transform(&bytes, "format=webp,quality=100").unwrap();
        let frame = image_decode(&webp.bytes).to_rgba8().into_raw();
        assert!(back == frame, "{f}: palette output is not lossless");
    }
    // a photo has far more colours: truecolour
    let out = transform(&read(PHOTO), "width=200,format=png").unwrap();
    assert_eq!(png_color_type(&out.bytes), 2);
    // RGBA with few colours keeps its alpha through tRNS
    let out = transform(&read("conformance/png/primary/tbbn3p08.png"), "format=png").unwrap();
    assert_eq!(png_color_type(&out.bytes), 3);
    assert!(out.bytes.windows(4).any(|w| w == b"tRNS"));
}

/// Resizing RGBA must weight colours by alpha (premultiplied): then the colour stored in fully
/// transparent pixels, which nobody can see, has no influence on the result. We set it to
/// black in one copy of Gulp.png and to white in another and resize both 4x: with premultiplied
/// filtering the outputs are the same (±1 for rounding); a filter that ignores alpha pulls the
/// hidden black (or white) into every semi-transparent edge pixel - the dark fringe - and the
/// two outputs then differ by up to ~100 levels at the edges.
#[test]
fn alpha_edges_have_no_dark_fringe() {
    let src = image_decode(&read("photos/Gulp.png")).to_rgba8();
    assert_eq!(src.dimensions(), (1920, 1200));
    let hidden = src.pixels().filter(|p| p.0[3] == 0).count();
    assert!(
        hidden > 10_000,
        "Gulp.png should have transparent areas ({hidden})"
    );
    let resized = |fill: u8| {
        let mut img = src.clone();
        for p in img.pixels_mut() {
            if p.0[3] == 0 {
                p.0 = [fill, fill, fill, 0];
            }
        }
        let mut png = Vec::new();
        image::DynamicImage::ImageRgba8(img)
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        let out = transform(&png, "width=480,format=png").unwrap();
        image_decode(&out.bytes).to_rgba8()
    };
    let (black, white) = (resized(0), resized(255));
    assert_eq!(black.dimensions(), (480, 300));
    let (mut worst, mut edge) = (0u8, 0usize);
    for (b, w) in black.pixels().zip(white.pixels()) {
        assert_eq!(b.0[3], w.0[3], "alpha does not depend on hidden colour");
        let a = b.0[3];
        if a < 8 {
            continue; // nearly invisible: colour precision is meaningless there
        }
        if a < 255 {
            edge += 1;
        }
        worst = worst.max((0..3).map(|c| b.0[c].abs_diff(w.0[c])).max().unwrap());
    }
    eprintln!("{edge} semi-transparent pixels; max colour change from hidden pixels: {worst}");
    assert!(edge > 100, "the test needs semi-transparent edges ({edge})");
    assert!(
        worst <= 2,
        "hidden colour leaks into visible pixels by {worst} levels"
    );
}

#[test]
fn format_json_describes_the_input() {
    let out = transform(
        &read("photos/dog_exif_extended_xmp_icc.jpg"),
        "width=300,format=json",
    )
    .unwrap();
    assert_eq!(out.mime(), "application/json");
    let v: serde_json::Value = serde_json::from_slice(&out.bytes).expect("valid JSON");
    assert_eq!(v["original"]["width"], 3024);
    assert_eq!(v["original"]["height"], 4032);
    assert_eq!(v["original"]["format"], "image/jpeg");
    assert_eq!(
        v["original"]["file_size"],
        read("photos/dog_exif_extended_xmp_icc.jpg").len()
    );
    assert_eq!(v["edgepix"]["input"]["width"], 4032); // stored
    assert_eq!(v["edgepix"]["input"]["orientation"], 6);
    assert_eq!(
        (v["width"].as_u64(), v["height"].as_u64()),
        (Some(300), Some(400))
    );
    assert_eq!(v["edgepix"]["output"]["width"], 300);
    // Cloudflare's top level and one key of ours, nothing else
    let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(|k| k.as_str()).collect();
    keys.sort();
    assert_eq!(keys, ["edgepix", "height", "original", "width"]);
    let mut keys: Vec<&str> = v["original"]
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    keys.sort();
    assert_eq!(keys, ["file_size", "format", "height", "width"]);
    // the output size counts the border
    let out = transform(
        &read("photos/dog_exif_extended_xmp_icc.jpg"),
        "width=300,border.color=red,border.width=10,format=json",
    )
    .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.bytes).unwrap();
    assert_eq!(
        (v["width"].as_u64(), v["height"].as_u64()),
        (Some(320), Some(420))
    );
}

/// A JPEG one pixel high decodes at full size (regression: the scaled IDCT choice).
#[test]
fn one_pixel_high_jpeg_is_not_shrunk() {
    let bytes = read("conformance/jpeg/reftest/grayscale_large.jpg");
    let out = transform(&bytes, "format=png").unwrap();
    assert_eq!((out.width, out.height), (1000, 1));
    let ours = image_decode(&out.bytes).to_rgb8().into_raw();
    let reference = image_decode(&read("conformance/jpeg/reftest/grayscale_large.png"))
        .to_rgb8()
        .into_raw();
    assert!(max_diff(&ours, &reference) <= 3);
}
