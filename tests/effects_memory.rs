//! The memory budget covers what blur and sharpen really allocate: a counting global
//! allocator records the peak heap while each filter runs on a decoded photo, and the peak must
//! stay within `blur::working_bytes`, the figure the plan's budget adds for them.
//! One test function only, so no other test thread allocates while we measure.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::*;
use edgepix::pixels::{blur, effects, Layout, Raster};

#[global_allocator]
static ALLOC: common::counting::Counting = common::counting::Counting;

/// Allocations the budget leaves to its slack (`budget::with_slack`): the kernel, a row of sums.
const SMALL: u64 = 4096;

fn peak_of(f: impl FnOnce()) -> u64 {
    common::counting::peak_of(f).0
}

#[test]
fn blur_and_sharpen_stay_within_their_budget() {
    let rgb = engine_decode(&read("photos/kodak/kodim01.png")).unwrap();
    let rgba = engine_decode(&read("photos/Gulp.png")).unwrap();
    assert_eq!(rgba.layout, Layout::Rgba);
    // a tall narrow frame: the vertical passes' strips are the larger scratch there
    let narrow = Raster::new(7, 3000, Layout::Rgb, vec![128; 7 * 3000 * 3]);
    for frame in [&rgb, &rgba, &narrow] {
        let (w, h, c) = (frame.width, frame.height, frame.layout.channels());
        for radius in [1.0f32, 4.0, 60.0, 250.0] {
            let sigma = effects::blur_sigma(radius);
            let mut r = frame.clone();
            let peak = peak_of(|| blur::gaussian(&mut r, sigma));
            let budget = blur::working_bytes(w, h, c, sigma);
            eprintln!("{w}x{h}x{c} blur={radius}: peak {peak}, budget {budget}");
            // the 16-bit working frame is most of it: the counter sees the real work
            assert!(
                peak >= (w * h) as u64 * c as u64 * 2,
                "{w}x{h} blur={radius}: {peak}"
            );
            assert!(
                peak <= budget + SMALL,
                "{w}x{h} blur={radius}: peak {peak} > budget {budget}"
            );
        }
        let mut r = frame.clone();
        let peak = peak_of(|| blur::unsharp(&mut r, effects::SHARPEN_SIGMA, 5.0));
        let budget = blur::working_bytes(w, h, c, effects::SHARPEN_SIGMA);
        eprintln!("{w}x{h}x{c} sharpen=10: peak {peak}, budget {budget}");
        assert!(
            peak <= budget + SMALL,
            "{w}x{h} sharpen: peak {peak} > budget {budget}"
        );
    }

    // and the plan adds it: the working frame and scratch on top of the resized frame
    let bytes = read("photos/kodak/kodim01.png");
    let plain = transform(&bytes, "width=700,format=png").unwrap().memory;
    let blurred = transform(&bytes, "width=700,format=png,blur=250")
        .unwrap()
        .memory;
    let working = effects::working_bytes(
        &edgepix::Options::parse("blur=250").unwrap().effects,
        700,
        467,
        3,
    );
    assert!(working > 0);
    let resized = 700 * 467 * 3;
    assert!(
        blurred.finish >= resized + working,
        "finish {} < resized {resized} + blur {working}",
        blurred.finish,
    );
    assert!(blurred.finish > plain.finish);
}
