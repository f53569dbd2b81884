//! Animated GIF and WebP through the whole pipeline, against reference decoders: the `image`
//! crate composes the input's frames (its GIF compositor over the `gif` crate, and image-webp
//! with a transparent background colour, as browsers show them), the `gif` crate and a RIFF
//! walk written here read the output's frame headers, delays and loop counts, and the corpus's
//! per-frame PNGs from image-webp are a third, independent reference.

mod common;

use common::{luma, max_diff, read, ssim};
use edgepix::{Accepts, ErrorCode, Limits, Options, OutputFormat};
use image::AnimationDecoder;
use std::io::Cursor;

const GIFS: &[&str] = &[
    "conformance/gif/image-gif/anim-gr.gif",
    "conformance/gif/image-gif/beacon.gif",
    "conformance/gif/image-gif/moon_impact.gif",
    "conformance/gif/sharp/animated-loop-3.gif",
    "conformance/gif/sharp/rotating-squares.gif",
];
const WEBPS: &[&str] = &[
    "animated/image-webp/random_lossless.webp",
    "animated/image-webp/random_lossy.webp",
    "animated/sharp/animated-loop-3.webp",
    "animated/sharp/rotating-squares.webp",
];

fn webp_client() -> Accepts {
    Accepts {
        webp: true,
        avif: false,
    }
}

fn run(bytes: &[u8], opts: &str, accepts: Accepts) -> edgepix::Result<edgepix::Output> {
    let o = Options::parse(opts).expect("test options parse");
    edgepix::transform(bytes, &o, accepts, &Limits::default(), &|| 0.0)
}

fn run_with(bytes: &[u8], opts: &str, limits: &Limits) -> edgepix::Result<edgepix::Output> {
    let o = Options::parse(opts).expect("test options parse");
    edgepix::transform(bytes, &o, webp_client(), limits, &|| 0.0)
}

/// An animation as a reference decoder shows it: every frame composed on the full canvas.
struct Shown {
    width: u32,
    height: u32,
    frames: Vec<image::RgbaImage>,
    delays_ms: Vec<u32>,
}

fn shown(bytes: &[u8]) -> Shown {
    let frames: Vec<image::Frame> = match image::guess_format(bytes).unwrap() {
        image::ImageFormat::Gif => image::codecs::gif::GifDecoder::new(Cursor::new(bytes))
            .unwrap()
            .into_frames()
            .collect_frames()
            .unwrap(),
        image::ImageFormat::WebP => {
            let mut d = image::codecs::webp::WebPDecoder::new(Cursor::new(bytes)).unwrap();
            // browsers start from, and dispose to, transparent black
            d.set_background_color(image::Rgba([0, 0, 0, 0])).unwrap();
            d.into_frames().collect_frames().unwrap()
        }
        f => panic!("not an animation: {f:?}"),
    };
    let (width, height) = frames[0].buffer().dimensions();
    Shown {
        width,
        height,
        delays_ms: frames
            .iter()
            .map(|f| {
                let (n, d) = f.delay().numer_denom_ms();
                n / d
            })
            .collect(),
        frames: frames.into_iter().map(|f| f.into_buffer()).collect(),
    }
}

/// What a GIF's headers say, read with the `gif` crate: screen size, each frame's rectangle and
/// delay (cs), and the NETSCAPE repetitions (`None`: no extension).
struct GifFacts {
    screen: (u16, u16),
    rects: Vec<(u16, u16, u16, u16)>,
    delays_cs: Vec<u16>,
    repetitions: Option<u16>,
}

fn gif_facts(bytes: &[u8]) -> GifFacts {
    let mut o = gif::DecodeOptions::new();
    o.set_color_output(gif::ColorOutput::Indexed);
    let mut d = o.read_info(bytes).unwrap();
    let screen = (d.width(), d.height());
    let (mut rects, mut delays_cs) = (Vec::new(), Vec::new());
    while let Some(f) = d.read_next_frame().unwrap() {
        rects.push((f.left, f.top, f.width, f.height));
        delays_cs.push(f.delay);
    }
    // the crate reports Finite(0) when the file has no NETSCAPE2.0 extension
    let repetitions = match d.repeat() {
        gif::Repeat::Infinite => Some(0),
        gif::Repeat::Finite(0) => None,
        gif::Repeat::Finite(n) => Some(n),
    };
    GifFacts {
        screen,
        rects,
        delays_cs,
        repetitions,
    }
}

/// What an animated WebP's chunks say, from a walk of the RIFF chunks written here (the
/// container spec's layout): canvas, loop count, each ANMF's rectangle, duration and flags.
struct WebpFacts {
    canvas: (u32, u32),
    loop_count: u16,
    /// (x, y, width, height, duration ms, flags)
    frames: Vec<(u32, u32, u32, u32, u32, u8)>,
}

fn webp_facts(bytes: &[u8]) -> WebpFacts {
    assert_eq!(&bytes[..4], b"RIFF");
    assert_eq!(&bytes[8..12], b"WEBP");
    let riff = u32::from_le_bytes(bytes[4..8].try_into().unwrap()) as usize;
    assert_eq!(riff + 8, bytes.len(), "RIFF size");
    let u24 = |b: &[u8]| b[0] as u32 | (b[1] as u32) << 8 | (b[2] as u32) << 16;
    let mut at = 12;
    let mut facts = WebpFacts {
        canvas: (0, 0),
        loop_count: u16::MAX,
        frames: Vec::new(),
    };
    let mut animated = false;
    while at + 8 <= bytes.len() {
        let kind = &bytes[at..at + 4];
        let len = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().unwrap()) as usize;
        let body = &bytes[at + 8..at + 8 + len];
        match kind {
            b"VP8X" => {
                animated = body[0] & 0x02 != 0;
                facts.canvas = (u24(&body[4..]) + 1, u24(&body[7..]) + 1);
            }
            b"ANIM" => facts.loop_count = u16::from_le_bytes([body[4], body[5]]),
            b"ANMF" => facts.frames.push((
                u24(&body[0..]) * 2,
                u24(&body[3..]) * 2,
                u24(&body[6..]) + 1,
                u24(&body[9..]) + 1,
                u24(&body[12..]),
                body[15],
            )),
            _ => {}
        }
        at += 8 + len + (len & 1);
    }
    assert!(animated, "the VP8X animation flag");
    facts
}

/// Plays in all, 0 for ever, from either container.
fn plays(bytes: &[u8]) -> u32 {
    if bytes.starts_with(b"GIF") {
        match gif_facts(bytes).repetitions {
            Some(0) => 0,
            Some(n) => n as u32 + 1,
            None => 1,
        }
    } else {
        webp_facts(bytes).loop_count as u32
    }
}

/// The output's per-frame delays in milliseconds, as stored.
fn stored_delays_ms(bytes: &[u8]) -> Vec<u32> {
    if bytes.starts_with(b"GIF") {
        gif_facts(bytes)
            .delays_cs
            .iter()
            .map(|&d| d as u32 * 10)
            .collect()
    } else {
        webp_facts(bytes).frames.iter().map(|f| f.4).collect()
    }
}

/// The frames' rectangles: a GIF's all cover the screen; an animated WebP's first covers the
/// canvas and the later ones lie inside it at even offsets (only what changed is encoded).
fn assert_frame_rects(bytes: &[u8], w: u32, h: u32, what: &str) {
    if bytes.starts_with(b"GIF") {
        let g = gif_facts(bytes);
        assert_eq!(g.screen, (w as u16, h as u16), "{what}: screen");
        for r in &g.rects {
            assert_eq!(*r, (0, 0, w as u16, h as u16), "{what}: frame rectangle");
        }
    } else {
        let f = webp_facts(bytes);
        assert_eq!(f.canvas, (w, h), "{what}: canvas");
        let first = f.frames[0];
        assert_eq!(
            (first.0, first.1, first.2, first.3),
            (0, 0, w, h),
            "{what}: first frame"
        );
        for r in &f.frames {
            assert!(
                r.0 + r.2 <= w && r.1 + r.3 <= h,
                "{what}: frame {r:?} off the canvas"
            );
            assert_eq!(r.5 & 0b11, 0b10, "{what}: no blending, no disposal");
        }
    }
}

/// Largest channel difference between two RGBA frames, where either pixel is visible; a pixel
/// transparent in both matches whatever its colour.
fn visible_diff(a: &image::RgbaImage, b: &image::RgbaImage) -> u8 {
    assert_eq!(a.dimensions(), b.dimensions());
    a.pixels()
        .zip(b.pixels())
        .filter(|(p, q)| p[3] != 0 || q[3] != 0)
        .map(|(p, q)| max_diff(&p.0, &q.0))
        .max()
        .unwrap_or(0)
}

/// An RGBA frame composed over mid grey, as RGB.
fn over_grey(img: &image::RgbaImage) -> image::RgbImage {
    image::RgbImage::from_fn(img.width(), img.height(), |x, y| {
        let p = img.get_pixel(x, y);
        let a = p[3] as u32;
        image::Rgb([0, 1, 2].map(|i| ((p[i] as u32 * a + 128 * (255 - a) + 127) / 255) as u8))
    })
}

/// An input frame resized to `w` x `h` independently of the engine (premultiplied, the `image`
/// crate's Lanczos3, unpremultiplied) and composed over mid grey. For a GIF output (`one_bit`)
/// its alpha is cut at one half, as GIF must; where the reference's alpha is within 48 of
/// that cut, two correct resamplers may fall on either side of it, so there the output's own
/// pixel stands in; returns how many pixels did.
fn reference_resize(
    frame: &image::RgbaImage,
    out: &image::RgbaImage,
    one_bit: bool,
) -> (image::RgbImage, usize) {
    let mut pre = frame.clone();
    for p in pre.pixels_mut() {
        let a = p[3] as u32;
        for i in 0..3 {
            p[i] = ((p[i] as u32 * a + 127) / 255) as u8;
        }
    }
    let (w, h) = out.dimensions();
    let mut small = image::imageops::resize(&pre, w, h, image::imageops::FilterType::Lanczos3);
    let mut undecided = 0;
    for (p, o) in small.pixels_mut().zip(out.pixels()) {
        let a = p[3] as u32;
        for i in 0..3 {
            p[i] = (p[i] as u32 * 255 + a / 2)
                .checked_div(a)
                .map_or(0, |c| c.min(255) as u8);
        }
        if one_bit {
            if a.abs_diff(128) <= 48 {
                *p = *o;
                undecided += 1;
            } else {
                p[3] = if a >= 128 { 255 } else { 0 };
            }
        }
    }
    (over_grey(&small), undecided)
}

/// SSIM on luma of an output frame over mid grey against a reference over the same grey.
fn ssim_over_grey(out: &image::RgbaImage, reference: &image::RgbImage) -> f64 {
    let (w, h) = out.dimensions();
    ssim(
        &luma(over_grey(out).as_raw(), 3),
        &luma(reference.as_raw(), 3),
        w as usize,
        h as usize,
    )
}

#[test]
fn gif_and_webp_keep_frame_count_delays_and_loops() {
    for &f in GIFS.iter().chain(WEBPS) {
        let bytes = read(f);
        let input = shown(&bytes);
        let in_is_gif = f.ends_with(".gif");
        let in_delays = stored_delays_ms(&bytes);
        // the header walks here agree with the reference decoder
        assert_eq!(in_delays, input.delays_ms, "{f}: delays as read");
        let w = (input.width / 2).max(1);
        // WebP for a client that takes it, GIF for one that does not
        for (accepts, out_gif) in [(webp_client(), false), (Accepts::default(), true)] {
            let what = format!("{f} -> {}", if out_gif { "gif" } else { "webp" });
            let out = run(&bytes, &format!("width={w},format=auto"), accepts)
                .unwrap_or_else(|e| panic!("{what}: {e}"));
            let expected = if out_gif {
                OutputFormat::Gif
            } else {
                OutputFormat::Webp
            };
            assert_eq!(out.format, expected, "{what}");
            let got = shown(&out.bytes);
            assert_eq!(got.frames.len(), input.frames.len(), "{what}: frame count");
            assert_eq!((got.width, out.width), (w, w), "{what}: width");
            let h = out.height;
            assert_eq!(
                h,
                ((input.height as f64 * w as f64 / input.width as f64).round() as u32).max(1),
                "{what}: height"
            );
            assert_frame_rects(&out.bytes, w, h, &what);
            assert_eq!(plays(&out.bytes), plays(&bytes), "{what}: plays");
            // delays: as stored within a format; across formats, the time browsers show
            // (a delay of 10 ms or less is shown for 100 ms)
            let shown_ms = |d: u32| if d <= 10 { 100 } else { d };
            let want: Vec<u32> = in_delays
                .iter()
                .map(|&d| match (in_is_gif, out_gif) {
                    (true, true) | (false, false) => d,
                    (true, false) => shown_ms(d),
                    (false, true) => ((shown_ms(d) + 5) / 10).max(2) * 10,
                })
                .collect();
            assert_eq!(stored_delays_ms(&out.bytes), want, "{what}: delays");
        }
    }
}

#[test]
fn unresized_frames_match_the_reference_decoders() {
    // WebP at quality 100 is lossless: every composed frame comes back as the reference shows it
    for &f in GIFS.iter().chain(WEBPS) {
        let bytes = read(f);
        let input = shown(&bytes);
        let out = run(&bytes, "format=webp,quality=100", webp_client()).unwrap();
        let got = shown(&out.bytes);
        assert_eq!(got.frames.len(), input.frames.len(), "{f}");
        for (n, (a, b)) in got.frames.iter().zip(&input.frames).enumerate() {
            let d = visible_diff(a, b);
            assert!(d <= 1, "{f} frame {n}: max difference {d}");
        }
    }
    // a GIF whose frames have at most 256 colours each comes back as a GIF without loss
    for &f in GIFS {
        let bytes = read(f);
        let input = shown(&bytes);
        let out = run(&bytes, "", Accepts::default()).unwrap();
        assert_eq!(out.format, OutputFormat::Gif, "{f}");
        let got = shown(&out.bytes);
        for (n, (a, b)) in got.frames.iter().zip(&input.frames).enumerate() {
            let d = visible_diff(a, b);
            assert!(d == 0, "{f} frame {n}: max difference {d}");
        }
    }
}

#[test]
fn webp_frames_match_image_webps_reference_pngs() {
    for (f, n) in [("random_lossless", 3), ("random_lossy", 4)] {
        let bytes = read(&format!("animated/image-webp/{f}.webp"));
        let out = run(&bytes, "format=webp,quality=100", webp_client()).unwrap();
        let got = shown(&out.bytes);
        assert_eq!(got.frames.len(), n, "{f}");
        for (i, frame) in got.frames.iter().enumerate() {
            let png = read(&format!("animated/image-webp/reference/{f}-{}.png", i + 1));
            let reference = image::load_from_memory(&png).unwrap().to_rgba8();
            let d = visible_diff(frame, &reference);
            assert!(d <= 1, "{f} frame {}: max difference {d}", i + 1);
        }
    }
}

#[test]
fn resized_frames_match_reference_frames_resized_independently() {
    for &f in GIFS.iter().chain(WEBPS) {
        let bytes = read(f);
        let input = shown(&bytes);
        if input.width < 16 {
            continue; // beacon.gif: 6 px, nothing left to compare at half size
        }
        let w = input.width / 2;
        for (opts, accepts, floor, out_gif) in [
            (
                format!("width={w},format=webp,quality=100"),
                webp_client(),
                0.97,
                false,
            ),
            // lossy frames, each after the first only the rectangle that changed
            (format!("width={w},format=webp"), webp_client(), 0.9, false),
            // GIF: 256 colours a frame, chosen again after resampling, and one-bit alpha; the
            // true-colour WebP inputs here are random noise, which no 256 colours hold
            (
                format!("width={w},format=auto"),
                Accepts::default(),
                if f.ends_with(".gif") { 0.95 } else { 0.85 },
                true,
            ),
        ] {
            let out = run(&bytes, &opts, accepts).unwrap();
            assert_eq!(out.format == OutputFormat::Gif, out_gif, "{f} {opts}");
            let got = shown(&out.bytes);
            assert_eq!(got.frames.len(), input.frames.len(), "{f} {opts}");
            let mut worst = 1.0f64;
            for (n, (a, b)) in got.frames.iter().zip(&input.frames).enumerate() {
                let (reference, undecided) = reference_resize(b, a, out_gif);
                let area = (a.width() * a.height()) as usize;
                assert!(
                    undecided * 10 < area,
                    "{f} {opts} frame {n}: {undecided} of {area}"
                );
                let s = ssim_over_grey(a, &reference);
                worst = worst.min(s);
                assert!(s >= floor, "{f} {opts} frame {n}: SSIM {s:.4} < {floor}");
            }
            eprintln!("{f} {opts}: lowest SSIM {worst:.4}");
        }
    }
}

#[test]
fn anim_false_and_still_formats_serve_the_first_frame() {
    for &f in GIFS.iter().chain(WEBPS) {
        let bytes = read(f);
        let input = shown(&bytes);
        for opts in [
            "anim=false,format=png",
            "format=png",
            "anim=false,format=webp,quality=100",
        ] {
            let out = run(&bytes, opts, webp_client()).unwrap();
            let img = image::load_from_memory(&out.bytes).unwrap();
            if out.format == OutputFormat::Webp {
                // a still WebP: no animation chunk
                let d = image::codecs::webp::WebPDecoder::new(Cursor::new(&out.bytes)).unwrap();
                assert!(!d.has_animation(), "{f} {opts}");
            }
            let d = visible_diff(&img.to_rgba8(), &input.frames[0]);
            assert!(d <= 1, "{f} {opts}: first frame differs by {d}");
        }
        // a GIF's own format is PNG when it is not to animate
        if f.ends_with(".gif") {
            let out = run(&bytes, "anim=false", Accepts::default()).unwrap();
            assert_eq!(out.format, OutputFormat::Png, "{f}");
        }
    }
}

#[test]
fn past_cloudflares_transform_limit_the_animation_is_served_as_it_came() {
    // 380 frames of 472x298: 53.4 MP in all, above 50 MP and below 100 MP
    let bytes = read("conformance/gif/image-gif/gifplayer-muybridge.gif");
    let out = run(&bytes, "width=100,format=auto", webp_client()).unwrap();
    assert_eq!(out.bytes, bytes);
    assert_eq!(out.format, OutputFormat::Gif);
    assert_eq!((out.width, out.height), (472, 298));
    assert!(
        out.notes.iter().any(|n| n.contains("served as it came")),
        "{:?}",
        out.notes
    );
    // a still of it is transformed as asked
    let still = run(&bytes, "width=100,anim=false,format=png", webp_client()).unwrap();
    assert_eq!((still.width, still.format), (100, OutputFormat::Png));
}

// ---- hostile animations, made here with the `gif` crate ----

/// A GIF of `screen` with `frames` frames, each `rect` (left, top, width, height) of one
/// colour, shown for `delay_cs`.
fn crafted_gif(screen: (u16, u16), frames: &[(u16, u16, u16, u16)], delay_cs: u16) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut e = gif::Encoder::new(&mut out, screen.0, screen.1, &[]).unwrap();
        e.set_repeat(gif::Repeat::Infinite).unwrap();
        for (i, &(left, top, width, height)) in frames.iter().enumerate() {
            let palette = [(i * 40 % 256) as u8, 0, 255, 0, 0, 0];
            let f = gif::Frame {
                left,
                top,
                width,
                height,
                delay: delay_cs,
                palette: Some(palette.to_vec()),
                buffer: vec![0u8; width as usize * height as usize].into(),
                ..gif::Frame::default()
            };
            e.write_frame(&f).unwrap();
        }
    }
    out
}

fn refused(r: edgepix::Result<edgepix::Output>, code: ErrorCode, what: &str) {
    match r {
        Err(e) => {
            assert_eq!(e.code, code, "{what}: {e}");
            assert_eq!(e.http_status(), 413, "{what}");
        }
        Ok(o) => panic!("{what}: answered {} bytes", o.bytes.len()),
    }
}

#[test]
fn too_many_frames_or_pixels_are_refused_from_the_headers() {
    // 1,001 one-pixel frames: past max_frames
    let many = crafted_gif((4, 4), &vec![(0, 0, 1, 1); 1001], 2);
    refused(
        run(&many, "width=2", webp_client()),
        ErrorCode::TooManyFrames,
        "1001 frames",
    );
    // a 2000x2000 screen with 30 one-pixel frames: 120 MP in all as Cloudflare counts
    // (canvas x frames), past the 100 MP limit; a still is still served
    let wide = crafted_gif((2000, 2000), &[(0, 0, 1, 1); 30], 2);
    refused(
        run(&wide, "width=100", webp_client()),
        ErrorCode::TooManyPixels,
        "120 MP",
    );
    let first = run(&wide, "width=100,anim=false", webp_client()).unwrap();
    assert_eq!(first.width, 100);
    // 20 frames: 80 MP, served as it came
    let served = crafted_gif((2000, 2000), &[(0, 0, 1, 1); 20], 2);
    assert_eq!(
        run(&served, "width=100", webp_client()).unwrap().bytes,
        served
    );
    // frames whose declared extents dwarf the screen (Pillow's
    // decompression_bomb_extents.gif): refused before anything is decoded, animated or not
    let mut bomb = crafted_gif((16, 16), &[(0, 0, 16, 16), (0, 0, 16, 16)], 2);
    // patch the second image descriptor to 65535x65535 (its data stays 16x16)
    let descs: Vec<usize> = (0..bomb.len() - 10)
        .filter(|&i| bomb[i] == 0x2C && bomb[i + 5..i + 9] == [16, 0, 16, 0])
        .collect();
    let last = *descs.last().unwrap();
    bomb[last + 5..last + 9].copy_from_slice(&[0xFF; 4]);
    for opts in ["width=8", "width=8,anim=false", "width=8,format=png"] {
        match run(&bomb, opts, webp_client()) {
            Err(e) => assert_eq!(e.http_status(), 413, "extents bomb {opts}: {e}"),
            Ok(o) => assert_eq!(
                o.width, 8,
                "extents bomb {opts}: a still of its first frame"
            ),
        }
    }
    refused(
        run(&bomb, "width=8", webp_client()),
        ErrorCode::TooManyPixels,
        "extents",
    );
}

#[test]
fn output_frames_past_the_cpu_cap_are_served_as_they_came() {
    // 30 frames of 80x80 made 1000x1000: 30 MP of output frames, past the edge's 20 MP
    let bytes = read("conformance/gif/sharp/rotating-squares.gif");
    let out = run(&bytes, "width=1000,fit=contain", webp_client()).unwrap();
    // the default copyright mode answers the GIF up to its trailer (0x3B at 39,472): the
    // 2,772 bytes after it are no part of the image (tests/untransformed_metadata.rs)
    assert!(out.bytes == bytes[..39_473]);
    assert_eq!(out.bytes.last(), Some(&0x3B));
    let kept = run(
        &bytes,
        "width=1000,fit=contain,metadata=keep",
        webp_client(),
    )
    .unwrap();
    assert!(kept.bytes == bytes);
    assert_eq!((out.width, out.format), (80, OutputFormat::Gif));
    assert!(
        out.notes
            .iter()
            .any(|n| n.contains("too many output pixels")),
        "{:?}",
        out.notes
    );
    let at = |cap: u64| {
        let limits = Limits {
            max_animation_output_pixels: cap,
            ..Limits::default()
        };
        run_with(&bytes, "width=40", &limits).unwrap()
    };
    assert!(
        at(30 * 40 * 40 - 1).bytes == bytes[..39_473],
        "one pixel over"
    );
    let fits = at(30 * 40 * 40);
    assert_eq!((fits.width, fits.format), (40, OutputFormat::Gif));
    assert_eq!(shown(&fits.bytes).frames.len(), 30);
}

#[test]
fn frames_off_the_screen_and_zero_delays_are_shown_as_browsers_show_them() {
    // frame 2 lies wholly outside the 8x8 screen, frame 3 half outside; zero delays
    let bytes = crafted_gif(
        (8, 8),
        &[(0, 0, 8, 8), (40000, 40000, 4, 4), (6, 6, 4, 4)],
        0,
    );
    let input = shown(&bytes);
    let out = run(&bytes, "format=webp,quality=100", webp_client()).unwrap();
    let got = shown(&out.bytes);
    assert_eq!(got.frames.len(), 3);
    for (n, (a, b)) in got.frames.iter().zip(&input.frames).enumerate() {
        assert_eq!(visible_diff(a, b), 0, "frame {n}");
    }
    // 0 cs is shown for 100 ms by browsers: that is what the WebP stores
    assert_eq!(stored_delays_ms(&out.bytes), [100, 100, 100]);
    // GIF to GIF keeps the delays as stored
    let gif = run(&bytes, "", Accepts::default()).unwrap();
    assert_eq!(gif_facts(&gif.bytes).delays_cs, [0, 0, 0]);
}

#[test]
fn damaged_animations_are_typed_errors_or_their_good_frames() {
    for &f in GIFS.iter().chain(WEBPS) {
        let bytes = read(f);
        let frames = shown(&bytes).frames.len();
        for cut in [bytes.len() / 3, bytes.len() / 2, bytes.len() - 7] {
            let what = format!("{f} cut at {cut}");
            match run(&bytes[..cut], "width=20", webp_client()) {
                Ok(o) => {
                    let n = if o.format == OutputFormat::Png {
                        1
                    } else {
                        shown(&o.bytes).frames.len()
                    };
                    assert!(n >= 1 && n <= frames, "{what}: {n} frames");
                }
                Err(e) => assert!(
                    matches!(e.http_status(), 413 | 415 | 422),
                    "{what}: {} {e}",
                    e.http_status()
                ),
            }
        }
    }
}

// ---- memory: the plan's estimate against what the transform holds ----

/// Bytes the current thread holds on the heap, and their high-water mark: tests run on threads
/// of their own, so each one reads only its own allocations.
struct Counting;

thread_local! {
    static LIVE: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    static PEAK: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

fn count(delta: i64) {
    let _ = LIVE.try_with(|l| {
        let v = l.get().saturating_add_signed(delta);
        l.set(v);
        let _ = PEAK.try_with(|p| p.set(p.get().max(v)));
    });
}

unsafe impl std::alloc::GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: std::alloc::Layout) -> *mut u8 {
        let p = unsafe { std::alloc::System.alloc(l) };
        if !p.is_null() {
            count(l.size() as i64);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: std::alloc::Layout) {
        count(-(l.size() as i64));
        unsafe { std::alloc::System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: std::alloc::Layout, new: usize) -> *mut u8 {
        let q = unsafe { std::alloc::System.realloc(p, l, new) };
        if !q.is_null() {
            // the old and the new block may exist at once while the data moves
            count(new as i64);
            count(-(l.size() as i64));
        }
        q
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

#[test]
fn an_animation_holds_no_more_than_its_plan_estimated() {
    let cases = [
        ("conformance/gif/image-gif/moon_impact.gif", "width=100"),
        ("conformance/gif/image-gif/moon_impact.gif", "format=webp"),
        (
            "conformance/gif/sharp/animated-loop-3.gif",
            "width=300,format=webp",
        ),
        (
            "conformance/gif/sharp/animated-loop-3.gif",
            "width=200,height=200,fit=pad",
        ),
        ("animated/sharp/animated-loop-3.webp", "width=300"),
        ("animated/sharp/animated-loop-3.webp", "width=370"),
        ("animated/image-webp/random_lossy.webp", "width=60"),
        ("animated/image-webp/random_lossless.webp", "rotate=90"),
    ];
    for (f, opts) in cases {
        let bytes = read(f);
        let o = Options::parse(opts).unwrap();
        let base = LIVE.with(|l| l.get());
        PEAK.with(|p| p.set(base));
        let out = edgepix::transform(&bytes, &o, webp_client(), &Limits::default(), &|| 0.0)
            .unwrap_or_else(|e| panic!("{f} {opts}: {e}"));
        let held = PEAK.with(|p| p.get()) - base + bytes.len() as u64;
        let estimate = out.memory.peak;
        eprintln!("{f} {opts}: held {held} bytes at most, estimated {estimate}");
        assert!(
            held <= estimate,
            "{f} {opts}: held {held} bytes, the plan estimated {estimate}"
        );
    }
}
