//! `slow-connection-quality` and `compression=fast` (issue #10 item 6): the client hints reach
//! the output only as the quality they choose, and `compression=fast` answers the quickest
//! format to encode. `width=auto`: the device hints reach it only as a rung of the width ladder. Pixels and bytes from real photos; the slow-connection rule is
//! Cloudflare's documented one (Save-Data on, ECT slow-2g/2g/3g, RTT > 150 ms, Downlink < 5).

use edgepix::format::Accepts;
use edgepix::resolve::{Client, Device, Network, WIDTH_LADDER};
use edgepix::{transform_resolved, Limits, Options, OutputFormat};

mod common;

fn webp_client() -> Client {
    Client::new(Accepts {
        webp: true,
        avif: false,
    })
}

fn network(pairs: &[(&str, &str)]) -> Network {
    let owned: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Network::from_headers(&|h: &str| {
        owned
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(h))
            .map(|(_, v)| v.clone())
    })
}

fn device(pairs: &[(&str, &str)]) -> Device {
    Device::from_headers(&|h: &str| {
        pairs
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(h))
            .map(|(_, v)| v.to_string())
    })
}

#[test]
fn width_auto_reads_the_width_hint_else_the_viewport_and_rounds_up_the_ladder() {
    for (hints, width) in [
        (vec![], None),
        (vec![("Sec-CH-Width", "500")], Some(640)),
        (vec![("Width", "640")], Some(640)),
        (vec![("Sec-CH-Width", "641")], Some(750)),
        // the width hint wins over the viewport
        (
            vec![("Sec-CH-Width", "100"), ("Sec-CH-Viewport-Width", "1000")],
            Some(128),
        ),
        (
            vec![("Sec-CH-Viewport-Width", "390"), ("Sec-CH-DPR", "3")],
            Some(1200),
        ),
        (vec![("Viewport-Width", "1000"), ("DPR", "1.5")], Some(1920)),
        (vec![("Sec-CH-Width", "9000")], Some(3840)),
        (vec![("Sec-CH-Width", "wide")], None),
        (vec![("Sec-CH-Width", "-5")], None),
        (vec![("Sec-CH-DPR", "2")], None),
    ] {
        assert_eq!(device(&hints).width(&WIDTH_LADDER), width, "{hints:?}");
    }
    // a configured list of allowed widths is the ladder
    let d = device(&[("Sec-CH-Width", "300")]);
    assert_eq!(d.width(&[200, 640, 1200]), Some(640));
    assert_eq!(
        device(&[("Sec-CH-Width", "5000")]).width(&[200, 640]),
        Some(640)
    );
}

#[test]
fn width_auto_resizes_a_photo_to_the_hinted_rung_and_shares_the_explicit_widths_entry() {
    let bytes = common::read("photos/RainDrops.jpg"); // 1920x1200
    let clock = || 0.0;
    let o = Options::parse("width=auto,format=jpeg").unwrap();
    // the unresolved key keeps `auto`, and round-trips
    assert_eq!(o.canonical(), "width=auto,format=jpeg");
    assert_eq!(Options::parse(&o.canonical()).unwrap(), o);
    let hinted = |pairs: &[(&str, &str)]| {
        let w = device(pairs).width(&WIDTH_LADDER);
        o.resolve(&webp_client().with_width(w))
    };
    let phone = hinted(&[("Sec-CH-Viewport-Width", "390"), ("Sec-CH-DPR", "2")]);
    assert_eq!(
        phone.canonical(),
        Options::parse("width=828,format=jpeg").unwrap().canonical()
    );
    let out = transform_resolved(&bytes, &phone, &Limits::EDGE, &clock).unwrap();
    let decoded = image::load_from_memory(&out.bytes).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (828, 518));
    // with dpr the hint is already device pixels: the output is the rung, not twice it
    let o2 = Options::parse("width=auto,dpr=2,format=jpeg").unwrap();
    let r = o2.resolve(&webp_client().with_width(Some(1080)));
    let out = transform_resolved(&bytes, &r, &Limits::EDGE, &clock).unwrap();
    assert_eq!(image::load_from_memory(&out.bytes).unwrap().width(), 1080);
    // no hint: the width is the source's
    let none = o.resolve(&webp_client());
    assert_eq!(none.canonical(), "format=jpeg");
    let out = transform_resolved(&bytes, &none, &Limits::EDGE, &clock).unwrap();
    assert_eq!(image::load_from_memory(&out.bytes).unwrap().width(), 1920);
    // auto is the width's alone, as Cloudflare documents
    let e = Options::parse("height=auto").unwrap_err();
    assert_eq!(e.http_status(), 400);
    let j = Options::from_json(&serde_json::json!({"width": "auto"})).unwrap();
    assert!(j.width_auto);
}

#[test]
fn the_slow_connection_rule_is_cloudflares() {
    for (hints, slow) in [
        (vec![], false),
        (vec![("Save-Data", "on")], true),
        (vec![("Save-Data", "off")], false),
        (vec![("ECT", "slow-2g")], true),
        (vec![("ECT", "2g")], true),
        (vec![("ECT", "3g")], true),
        (vec![("ECT", "4g")], false),
        (vec![("RTT", "150")], false),
        (vec![("RTT", "200")], true),
        (vec![("Downlink", "4.9")], true),
        (vec![("Downlink", "10")], false),
        (
            vec![("ECT", "4g"), ("RTT", "50"), ("Downlink", "1.5")],
            true,
        ),
        (vec![("RTT", "fast")], false),
    ] {
        assert_eq!(network(&hints).is_slow(), slow, "{hints:?}");
    }
}

#[test]
fn slow_connection_quality_applies_only_to_slow_clients_and_keys_only_the_quality() {
    let o = Options::parse("width=600,format=webp,scq=30").unwrap();
    let plain = Options::parse("width=600,format=webp").unwrap();
    let fast = o.resolve(&webp_client().on(&network(&[("ECT", "4g")])));
    let slow = o.resolve(&webp_client().on(&network(&[("ECT", "2g")])));
    // a fast client shares the entry of the URL without scq
    assert_eq!(fast.canonical(), plain.resolve(&webp_client()).canonical());
    assert_eq!(
        slow.canonical(),
        Options::parse("width=600,format=webp,quality=30")
            .unwrap()
            .canonical()
    );
    let bytes = common::read("photos/RainDrops.jpg");
    let clock = || 0.0;
    let a = transform_resolved(&bytes, &fast, &Limits::EDGE, &clock).unwrap();
    let b = transform_resolved(&bytes, &slow, &Limits::EDGE, &clock).unwrap();
    assert_eq!((a.width, b.width), (600, 600));
    assert!(
        b.bytes.len() * 10 < a.bytes.len() * 7,
        "scq=30 should save > 30 %: {} vs {}",
        b.bytes.len(),
        a.bytes.len()
    );
    // the option round-trips through the canonical key, and its range is checked
    assert_eq!(Options::parse(&o.canonical()).unwrap(), o);
    assert!(Options::parse("slow-connection-quality=0").is_err());
    assert!(Options::parse("slow-connection-quality=low").is_ok());
}

#[test]
fn compression_fast_answers_baseline_jpeg_or_png_even_to_webp_clients() {
    let clock = || 0.0;
    let o = Options::parse("width=500,format=auto,compression=fast").unwrap();
    let jpg = common::read("photos/RainDrops.jpg");
    let out = transform_resolved(&jpg, &o.resolve(&webp_client()), &Limits::EDGE, &clock).unwrap();
    assert_eq!(out.format, OutputFormat::Jpeg { progressive: false });
    // a baseline JPEG: SOF0, no SOF2
    let has = |m: u8| out.bytes.windows(2).any(|w| w == [0xff, m]);
    assert!(has(0xc0) && !has(0xc2));
    let decoded = image::load_from_memory(&out.bytes).unwrap();
    assert_eq!(decoded.width(), 500);
    // transparency keeps its alpha: PNG
    let png = common::read("photos/Gulp.png");
    let out = transform_resolved(&png, &o.resolve(&webp_client()), &Limits::EDGE, &clock).unwrap();
    assert_eq!(out.format, OutputFormat::Png);
    assert!(Options::parse("compression=slow").is_err());
}
