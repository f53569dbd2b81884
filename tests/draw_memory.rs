//! The budget a transform with overlays reserves (`draw::peak_with_overlays`, the main
//! plan's peak plus every overlay's own) covers what it really allocates: a counting global
//! allocator records the live-heap peak of whole transforms of real photos with real overlays
//! (a full-size photo, a translucent logo tiled, several at once), plus the bytes the caller
//! holds. One test function only, so no other test thread allocates while we measure.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::read;
use edgepix::{Accepts, Client, Limits, Options};
use serde_json::json;

#[global_allocator]
static ALLOC: common::counting::Counting = common::counting::Counting;
use common::counting::peak_of;

const LOGO: &str = "conformance/webp/image-webp/reference/gallery2/4_webp_ll.png";

#[test]
fn overlays_stay_within_the_reserved_budget() {
    let limits = Limits::EDGE;
    let cases: Vec<(&str, &str, serde_json::Value, Vec<&str>)> = vec![
        (
            "full-size photo over a photo, webp",
            "photos/kodak/kodim01.png",
            json!({"format": "webp", "draw": [{"url": "a"}]}),
            vec!["photos/kodak/kodim23.png"],
        ),
        (
            "logo tiled over a resized JPEG",
            "photos/RainDrops.jpg",
            json!({"width": 1200, "format": "jpeg", "draw": [{"url": "a", "repeat": true, "opacity": 0.3}]}),
            vec![LOGO],
        ),
        (
            "three overlays with their own fit, png",
            "photos/kodak/kodim01.png",
            json!({"format": "png", "draw": [
                {"url": "a", "width": 200, "height": 200, "fit": "cover"},
                {"url": "b", "bottom": 0, "right": 0},
                {"url": "c", "width": 64, "fit": "pad", "height": 64, "background": "red"}
            ]}),
            vec!["photos/kodak/kodim23.png", LOGO, "photos/RainDrops.jpg"],
        ),
    ];
    for (name, base, opts, overlay_paths) in cases {
        let bytes = read(base);
        let overlays: Vec<Vec<u8>> = overlay_paths.iter().map(|p| read(p)).collect();
        let refs: Vec<&[u8]> = overlays.iter().map(Vec::as_slice).collect();
        let resolved = Options::from_json(&opts)
            .unwrap()
            .resolve(&Client::new(Accepts::default()));
        let reserved =
            edgepix::draw::peak_with_overlays(&bytes, &resolved, &refs, &limits).unwrap();
        let (peak, out) = peak_of(|| {
            edgepix::transform_with_overlays(&bytes, &resolved, &refs, &limits, &|| 0.0)
                .map(|o| o.bytes.len())
        });
        let held = peak + bytes.len() as u64 + refs.iter().map(|r| r.len() as u64).sum::<u64>();
        eprintln!("{name}: measured {held} B, reserved {reserved} B, output {out:?}");
        assert!(out.is_ok(), "{name}: {out:?}");
        assert!(
            held <= reserved,
            "{name}: measured {held} B > reserved {reserved} B"
        );
    }
}
