//! The memory budget covers what the AVIF encoder (ravif over rav1e) really allocates: a
//! counting global allocator records the peak heap of AVIF encodes of corpus photos at a few
//! sizes, with and without alpha, and the allocator model's replay of
//! `codecs::avif::encode_footprint` must reach at least that peak. Then whole transforms to
//! AVIF: the peak plus the input the caller holds stays within the plan's own estimate.
//! One test function only, so no other test thread allocates while we measure.
#![cfg(all(not(target_arch = "wasm32"), feature = "avif"))]

mod common;
use common::*;
use edgepix::codecs::avif;
use edgepix::heap::{FrameShape, Heap};
use edgepix::pixels::{Layout, Raster};
use edgepix::{Accepts, Limits, OutputFormat};

#[global_allocator]
static ALLOC: common::counting::Counting = common::counting::Counting;
use common::counting::peak_of;

/// The photo resized by the engine to `width`, as the frame an encoder gets.
fn frame(file: &str, width: u32) -> Raster {
    let png = transform(&read(file), &format!("width={width},format=png")).unwrap();
    engine_decode(&png.bytes).unwrap()
}

/// The model's high-water mark for encoding `r` (the frame itself already exists).
fn modelled(r: &Raster, quality: u8) -> (u64, u64) {
    let shape = FrameShape::new(r.width, r.height, r.layout);
    let allowance = avif::output_allowance(shape, 0);
    let mut heap = Heap::new();
    avif::encode_footprint(&mut heap, shape, quality, allowance);
    (heap.high_water(), allowance)
}

/// Pixels no encoder can predict: the worst case for the output's size.
fn noise(w: u32, h: u32, layout: Layout) -> Raster {
    let mut x = 0x2545_f491_u32;
    let data = (0..w as usize * h as usize * layout.channels())
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x >> 24) as u8
        })
        .collect();
    Raster::new(w, h, layout, data)
}

#[test]
fn rav1e_stays_within_the_plans_model() {
    let mut frames = Vec::new();
    for w in [64, 320, 800, 1200] {
        frames.push((format!("RainDrops {w}"), frame("photos/RainDrops.jpg", w)));
    }
    for w in [320, 1000] {
        let f = frame("photos/Gulp.png", w);
        assert_eq!(f.layout, Layout::Rgba, "Gulp.png keeps its alpha");
        frames.push((format!("Gulp {w}"), f));
    }
    // a tall narrow frame: padding to 64 px superblocks is most of it
    frames.push(("tall 40x1200".into(), noise(40, 1200, Layout::Rgb)));
    frames.push(("noise 600x400 RGB".into(), noise(600, 400, Layout::Rgb)));
    frames.push(("noise 600x400 RGBA".into(), noise(600, 400, Layout::Rgba)));
    let mut over = Vec::new();
    for (name, r) in &frames {
        // rav1e's recording of symbols grows in steps above quality 85: one of each step
        let qualities: &[u8] = if name.starts_with("noise") {
            &[50, 90, 100]
        } else {
            &[50, 100]
        };
        for &q in qualities {
            let (model, allowance) = modelled(r, q);
            let (peak, out) = peak_of(|| avif::encode(r, q, avif::SPEED, None).unwrap());
            let per_px = peak as f64 / (r.width as f64 * r.height as f64);
            eprintln!(
                "{name} {}x{} q{q}: peak {peak} ({per_px:.1} B/px), model {model}, output {} (allowance {allowance})",
                r.width,
                r.height,
                out.len()
            );
            // the counter sees rav1e's planes: at least the frame's bytes
            assert!(peak >= r.data.len() as u64, "{name}: peak {peak}");
            if peak > model {
                over.push(format!("{name} q{q}: peak {peak} > model {model}"));
            }
            assert!(
                out.len() as u64 <= allowance,
                "{name} q{q}: {} bytes > allowance {allowance}",
                out.len()
            );
        }
    }

    assert!(over.is_empty(), "{over:#?}");

    // decoding: rav1d and our frame stay within the decode footprint the plan replays
    let limits = Limits::EDGE;
    let rgba = avif::encode(&frame("photos/Gulp.png", 640), 80, avif::SPEED, None).unwrap();
    let mut decoded = Vec::new();
    for file in [
        "fox.profile0.8bpc.yuv420.avif",
        "fox.profile1.8bpc.yuv444.avif",
        "fox.profile2.12bpc.yuv422.avif",
        "kimono.avif",
    ] {
        decoded.push((file.to_string(), read(&format!("conformance/avif/{file}"))));
    }
    decoded.push(("Gulp 640 RGBA (ours)".into(), rgba));
    for (name, bytes) in &decoded {
        let p = edgepix::probe(bytes, &limits).unwrap();
        let mut heap = Heap::new();
        edgepix::codecs::decode_footprint(&mut heap, &p, (p.width, p.height));
        let model = heap.high_water();
        let (peak, d) =
            peak_of(|| edgepix::codecs::decode(bytes, &p, (p.width, p.height), &limits).unwrap());
        eprintln!(
            "decode {name} {}x{}: peak {peak}, model {model}",
            p.width, p.height
        );
        assert_eq!(d.raster.layout == Layout::Rgba, p.has_alpha, "{name}");
        assert!(model >= peak, "decode {name}: peak {peak} > model {model}");
    }

    // whole transforms: what the plan estimates covers the pipeline's real peak
    for (file, opts) in [
        ("photos/RainDrops.jpg", "width=1200,format=avif"),
        ("photos/Gulp.png", "width=1000,format=avif"),
        ("photos/kodak/kodim23.png", "format=avif,quality=100"),
        // AVIF in, AVIF out: the decoder's share counted too
        ("conformance/avif/kimono.avif", "width=400,format=avif"),
    ] {
        let bytes = read(file);
        let o = edgepix::Options::parse(opts).unwrap();
        let (peak, out) = peak_of(|| {
            edgepix::transform(&bytes, &o, Accepts::default(), &limits, &|| 0.0).unwrap()
        });
        assert_eq!(
            out.format,
            OutputFormat::Avif,
            "{file} {opts}: {:?}",
            out.notes
        );
        let held = peak + bytes.len() as u64;
        eprintln!(
            "{file} {opts}: peak {peak} + input {} vs estimate {}",
            bytes.len(),
            out.memory.peak
        );
        assert!(
            out.memory.peak >= held,
            "{file} {opts}: held {held} > estimate {}",
            out.memory.peak
        );
    }
}
