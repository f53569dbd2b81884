//! `draw` (overlays) through the engine: real photos with a real transparent overlay, every
//! expected pixel computed here from the `image` crate's decodes of the base and the overlay
//! (straight-alpha "over" in sRGB, opacity times alpha), never from the engine's own output.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::*;
use edgepix::{Accepts, Client, Limits, Options};
use serde_json::json;

const BASE: &str = "photos/kodak/kodim01.png"; // 768x512 RGB, no gAMA/iCCP
const LOGO: &str = "conformance/webp/image-webp/reference/gallery2/4_webp_ll.png"; // 421x163 RGBA
const PHOTO2: &str = "photos/kodak/kodim23.png"; // 768x512 RGB

fn clock() -> f64 {
    0.0
}

fn run(opts: serde_json::Value, overlays: &[&[u8]]) -> edgepix::Result<image::RgbaImage> {
    run_with(opts, overlays, &Limits::default())
}

fn run_with(
    opts: serde_json::Value,
    overlays: &[&[u8]],
    limits: &Limits,
) -> edgepix::Result<image::RgbaImage> {
    let o = Options::from_json(&opts)?;
    let resolved = o.resolve(&Client::new(Accepts::default()));
    let out = edgepix::transform_with_overlays(&read(BASE), &resolved, overlays, limits, &clock)?;
    Ok(image_decode(&out.bytes).to_rgba8())
}

fn base() -> image::RgbaImage {
    image_decode(&read(BASE)).to_rgba8()
}

fn logo() -> image::RgbaImage {
    image_decode(&read(LOGO)).to_rgba8()
}

/// Straight-alpha "over" of one overlay pixel on an opaque base pixel.
fn over(o: [u8; 4], b: [u8; 4], opacity: f64) -> [u8; 3] {
    let a = o[3] as f64 / 255.0 * opacity;
    std::array::from_fn(|c| (o[c] as f64 * a + b[c] as f64 * (1.0 - a)).round() as u8)
}

fn assert_near(got: [u8; 4], want: [u8; 3], what: &str) {
    for c in 0..3 {
        assert!(
            got[c].abs_diff(want[c]) <= 2,
            "{what}: got {got:?}, want {want:?} (±2)"
        );
    }
}

/// Every pixel of the overlay's rectangle at (x, y) against the reference blend, and the pixels
/// just outside it against the base.
fn assert_drawn(out: &image::RgbaImage, x: u32, y: u32, opacity: f64, what: &str) {
    let (b, l) = (base(), logo());
    let mut opaque = 0;
    let mut partial = 0;
    for ly in 0..l.height() {
        for lx in 0..l.width() {
            let o = l.get_pixel(lx, ly).0;
            opaque += (o[3] == 255) as u32;
            partial += (o[3] > 0 && o[3] < 255) as u32;
            let want = over(o, b.get_pixel(x + lx, y + ly).0, opacity);
            assert_near(out.get_pixel(x + lx, y + ly).0, want, what);
        }
    }
    // the overlay really has opaque, translucent and clear pixels: all three cases ran
    assert!(opaque > 1000 && partial > 100, "{what}: overlay too plain");
    for (px, py) in [(x.wrapping_sub(1), y), (x, y.wrapping_sub(1))] {
        if px < b.width() && py < b.height() {
            let bp = b.get_pixel(px, py).0;
            assert_near(out.get_pixel(px, py).0, [bp[0], bp[1], bp[2]], what);
        }
    }
}

#[test]
fn overlay_at_top_left_is_its_own_colour_where_opaque() {
    let out = run(
        json!({"format": "png", "draw": [{"url": "https://a.example/logo.png", "top": 20, "left": 30}]}),
        &[&read(LOGO)],
    )
    .unwrap();
    assert_eq!(out.dimensions(), (768, 512));
    assert_drawn(&out, 30, 20, 1.0, "top/left");
}

#[test]
fn opacity_multiplies_alpha_and_bottom_right_place_from_the_far_edges() {
    let out = run(
        json!({"format": "png", "draw": [{"url": "https://a.example/logo.png", "bottom": 7, "right": 11, "opacity": 0.5}]}),
        &[&read(LOGO)],
    )
    .unwrap();
    let (x, y) = (768 - 421 - 11, 512 - 163 - 7);
    assert_drawn(&out, x, y, 0.5, "bottom/right, opacity 0.5");
    // the far corner of the overlay is 11 px from the right and 7 px from the bottom
    let b = base();
    let bp = b.get_pixel(768 - 11, 512 - 7).0;
    assert_near(
        out.get_pixel(768 - 11, 512 - 7).0,
        [bp[0], bp[1], bp[2]],
        "outside",
    );
}

#[test]
fn no_position_centres_the_overlay() {
    let out = run(
        json!({"format": "png", "draw": [{"url": "https://a.example/logo.png"}]}),
        &[&read(LOGO)],
    )
    .unwrap();
    assert_drawn(&out, (768 - 421) / 2, (512 - 163) / 2, 1.0, "centred");
}

#[test]
fn repeat_tiles_both_axes_or_one() {
    let logo_bytes = read(LOGO);
    let (b, l) = (base(), logo());
    let check = |out: &image::RgbaImage, x: u32, y: u32, ox: u32, oy: u32, what: &str| {
        let want = over(l.get_pixel(ox, oy).0, b.get_pixel(x, y).0, 1.0);
        assert_near(out.get_pixel(x, y).0, want, what);
    };
    let all = run(
        json!({"format": "png", "draw": [{"url": "u", "top": 10, "left": 50, "repeat": true}]}),
        &[&logo_bytes],
    )
    .unwrap();
    // tiles at x = 50 - 421 = -371, 50, 471 and y = 10 - 163 = -153, 10, 173, 336, 499
    for (x, y) in [
        (0, 0),
        (49, 9),
        (50, 10),
        (470, 172),
        (471, 173),
        (767, 511),
        (300, 400),
    ] {
        let ox = (x + 371) % 421;
        let oy = (y + 153) % 163;
        check(&all, x, y, ox, oy, "repeat=true");
    }
    let row = run(
        json!({"format": "png", "draw": [{"url": "u", "top": 100, "left": 50, "repeat": "x"}]}),
        &[&logo_bytes],
    )
    .unwrap();
    for x in [0u32, 49, 50, 300, 470, 471, 767] {
        for y in [100u32, 180, 262] {
            check(&row, x, y, (x + 371) % 421, y - 100, "repeat=x");
        }
        for y in [99u32, 263] {
            let bp = b.get_pixel(x, y).0;
            assert_near(
                row.get_pixel(x, y).0,
                [bp[0], bp[1], bp[2]],
                "repeat=x outside the row",
            );
        }
    }
    let column = run(
        json!({"format": "png", "draw": [{"url": "u", "top": 10, "right": 0, "repeat": "y"}]}),
        &[&logo_bytes],
    )
    .unwrap();
    let x0 = 768 - 421;
    for y in [0u32, 9, 10, 200, 511] {
        check(&column, x0 + 5, y, 5, (y + 153) % 163, "repeat=y");
        let bp = b.get_pixel(x0 - 1, y).0;
        assert_near(
            column.get_pixel(x0 - 1, y).0,
            [bp[0], bp[1], bp[2]],
            "repeat=y outside",
        );
    }
}

#[test]
fn overlay_is_sized_by_its_own_width_height_and_fit() {
    // kodim23 (768x512) contained in 120x120 is 120x80, centred on the output
    let out = run(
        json!({"format": "png", "draw": [{"url": "u", "width": 120, "height": 120, "fit": "contain", "top": 0, "left": 0}]}),
        &[&read(PHOTO2)],
    )
    .unwrap();
    let src = image_decode(&read(PHOTO2)).to_rgb8();
    let reference = lanczos3(src.as_raw(), 768, 512, 3, 120, 80);
    let drawn: Vec<u8> = (0..80)
        .flat_map(|y| (0..120).map(move |x| (x, y)))
        .flat_map(|(x, y)| {
            let p = out.get_pixel(x, y).0;
            [p[0], p[1], p[2]]
        })
        .collect();
    let reference: Vec<u8> = reference
        .iter()
        .map(|v| v.round().clamp(0.0, 255.0) as u8)
        .collect();
    let mean = mean_abs_diff(&drawn, &reference);
    assert!(
        mean < 1.5,
        "overlay vs Lanczos3 reference: mean diff {mean}"
    );
    // below the 120x80 overlay the base shows again
    let b = base();
    for x in [0u32, 60, 119] {
        let bp = b.get_pixel(x, 80).0;
        assert_near(
            out.get_pixel(x, 80).0,
            [bp[0], bp[1], bp[2]],
            "below the overlay",
        );
    }
}

#[test]
fn overlays_draw_in_order_the_last_on_top() {
    let logo_bytes = read(LOGO);
    let photo = read(PHOTO2);
    let out = run(
        json!({"format": "png", "draw": [
            {"url": "a", "top": 0, "left": 0},
            {"url": "b", "top": 0, "left": 0, "width": 50, "height": 50, "fit": "cover"}
        ]}),
        &[&logo_bytes, &photo],
    )
    .unwrap();
    // the second overlay is opaque: inside its 50x50 the logo does not show
    let single = run(
        json!({"format": "png", "draw": [{"url": "b", "top": 0, "left": 0, "width": 50, "height": 50, "fit": "cover"}]}),
        &[&photo],
    )
    .unwrap();
    for (x, y) in [(0, 0), (25, 25), (49, 49)] {
        assert_eq!(out.get_pixel(x, y), single.get_pixel(x, y), "({x},{y})");
    }
}

#[test]
fn bad_draw_objects_are_400() {
    for (draw, why) in [
        (json!("https://a.example/x.png"), "not an array"),
        (json!([{"top": 1}]), "no url"),
        (json!([{"url": 5}]), "url not a string"),
        (json!([{"url": "u", "opacity": 1.5}]), "opacity > 1"),
        (json!([{"url": "u", "opacity": -0.1}]), "opacity < 0"),
        (json!([{"url": "u", "repeat": "z"}]), "repeat z"),
        (
            json!([{"url": "u", "left": 1, "right": 2}]),
            "left and right",
        ),
        (
            json!([{"url": "u", "top": 1, "bottom": 2}]),
            "top and bottom",
        ),
        (json!([{"url": "u", "top": 1.5}]), "fractional offset"),
        (json!([{"url": "u", "blur": 5}]), "not an overlay option"),
        (json!([{"url": "u", "fit": "sideways"}]), "bad fit"),
        (json!([{"url": "u", "width": 0}]), "width 0"),
        (
            json!([{"url": "u"}, {"url": "u"}, {"url": "u"}, {"url": "u"}, {"url": "u"}, {"url": "u"}, {"url": "u"}, {"url": "u"}]),
            "8 overlays",
        ),
        (json!(["u"]), "item not an object"),
    ] {
        let e = Options::from_json(&json!({ "width": 100, "draw": draw })).expect_err(why);
        assert_eq!(e.http_status(), 400, "{why}: {e:?}");
    }
    // seven is the cap, not an error
    let seven: Vec<_> = (0..7).map(|i| json!({"url": format!("u{i}")})).collect();
    assert_eq!(
        Options::from_json(&json!({ "draw": seven }))
            .unwrap()
            .draw
            .len(),
        7
    );
}

#[test]
fn the_url_form_never_carries_draw() {
    for s in ["draw=https://a.example/x.png", "width=100,draw=[{url:x}]"] {
        let e = Options::parse(s).expect_err(s);
        assert_eq!(e.http_status(), 400, "{s}");
        assert_eq!(e.code.as_str(), "unsupported_option", "{s}");
        assert!(e.message.contains("service binding"), "{s}: {}", e.message);
    }
}

#[test]
fn overlay_bytes_must_be_handed_in() {
    let e = run(json!({"draw": [{"url": "u"}]}), &[]).expect_err("no overlay bytes");
    assert_eq!(e.http_status(), 400);
    let e = run(json!({}), &[&read(LOGO)]).expect_err("bytes without draw");
    assert_eq!(e.http_status(), 400);
    // a corrupt overlay is the overlay's own error, named
    let e = run(json!({"draw": [{"url": "u"}]}), &[b"not an image"]).expect_err("corrupt");
    assert!(e.http_status() == 415 || e.http_status() == 422, "{e:?}");
    assert!(e.message.starts_with("draw[0]"), "{}", e.message);
}

#[test]
fn overlays_count_toward_the_memory_budget() {
    let base_bytes = read(BASE);
    let none = Options::from_json(&json!({"format": "png"})).unwrap();
    let resolved = none.resolve(&Client::new(Accepts::default()));
    let alone = edgepix::pipeline::plan_for(&base_bytes, &resolved, &Limits::default())
        .unwrap()
        .memory
        .peak;
    let tight = Limits {
        max_memory_bytes: (alone + (1 << 20)) as usize,
        ..Limits::default()
    };
    // the base alone fits the budget...
    run_with(json!({"format": "png"}), &[], &tight).expect("base alone fits");
    // ...a full-size photo overlay on top of it does not: refused before decoding
    let photo = read(PHOTO2);
    let opts = json!({"format": "png", "draw": [{"url": "u"}]});
    let e = run_with(opts.clone(), &[&photo], &tight).expect_err("over budget");
    assert_eq!(e.http_status(), 413, "{e:?}");
    // the Worker's reservation figure is the same sum
    let o = Options::from_json(&opts).unwrap();
    let r = o.resolve(&Client::new(Accepts::default()));
    let with =
        edgepix::draw::peak_with_overlays(&base_bytes, &r, &[&photo], &Limits::default()).unwrap();
    assert!(with > alone + (768 * 512 * 3), "{with} vs {alone}");
}

#[test]
fn the_cache_key_holds_the_draw_list() {
    let key = |v: serde_json::Value| Options::from_json(&v).unwrap().canonical();
    let a = key(
        json!({"width": 100, "draw": [{"url": "https://a.example/l.png", "opacity": 0.5, "bottom": 5, "right": 5, "width": 50}]}),
    );
    // key order inside an overlay does not matter
    let a2 = key(
        json!({"draw": [{"right": 5, "width": 50, "bottom": 5, "opacity": 0.5, "url": "https://a.example/l.png"}], "width": 100}),
    );
    assert_eq!(a, a2);
    assert!(
        a.contains("draw=[url=https://a.example/l.png;opacity=0.5;bottom=5;right=5;width=50]"),
        "{a}"
    );
    let differing = [
        json!({"width": 100, "draw": [{"url": "https://a.example/m.png", "opacity": 0.5, "bottom": 5, "right": 5, "width": 50}]}),
        json!({"width": 100, "draw": [{"url": "https://a.example/l.png", "opacity": 0.6, "bottom": 5, "right": 5, "width": 50}]}),
        json!({"width": 100, "draw": [{"url": "https://a.example/l.png", "opacity": 0.5, "top": 5, "right": 5, "width": 50}]}),
        json!({"width": 100, "draw": [{"url": "https://a.example/l.png", "opacity": 0.5, "bottom": 5, "right": 5, "width": 51}]}),
        json!({"width": 100, "draw": [{"url": "https://a.example/l.png", "opacity": 0.5, "bottom": 5, "right": 5, "width": 50, "repeat": "x"}]}),
        json!({"width": 100}),
    ];
    for d in differing {
        assert_ne!(key(d.clone()), a, "{d}");
    }
    // a URL holding the form's own separators cannot collide with another list
    let tricky = key(json!({"draw": [{"url": "https://a.example/x.png];[url=y"}]}));
    assert!(tricky.contains("x.png%5D%3B%5Burl%3Dy"), "{tricky}");
    // opacity 1 is the default: one key per meaning
    assert_eq!(
        key(json!({"draw": [{"url": "u", "opacity": 1}]})),
        key(json!({"draw": [{"url": "u"}]}))
    );
}

#[test]
fn an_animation_gets_the_overlay_on_every_frame() {
    use image::AnimationDecoder;
    // 80x80, 9 frames; lossless WebP out (quality 100) so pixels compare exactly
    let anim = read("animated/sharp/rotating-squares.webp");
    let o = Options::from_json(&json!({"format": "webp", "quality": 100,
        "draw": [{"url": "u", "top": -40, "left": -150}]}))
    .unwrap();
    let resolved = o.resolve(&Client::new(Accepts::default()));
    let out = edgepix::transform_with_overlays(
        &anim,
        &resolved,
        &[&read(LOGO)],
        &Limits::default(),
        &clock,
    )
    .unwrap();
    let frames = image::codecs::webp::WebPDecoder::new(std::io::Cursor::new(&out.bytes))
        .unwrap()
        .into_frames()
        .collect_frames()
        .unwrap();
    assert_eq!(frames.len(), 9);
    let l = logo();
    let mut opaque = 0;
    for (n, f) in frames.iter().enumerate() {
        let buf = f.buffer();
        for y in 0..80 {
            for x in 0..80 {
                let lp = l.get_pixel(x + 150, y + 40).0;
                if lp[3] == 255 {
                    opaque += 1;
                    let got = buf.get_pixel(x, y).0;
                    assert_near(got, [lp[0], lp[1], lp[2]], &format!("frame {n} ({x},{y})"));
                }
            }
        }
    }
    assert!(
        opaque > 9 * 500,
        "the overlay window is too clear: {opaque}"
    );
}
