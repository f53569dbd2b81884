//! The metadata bomb of issue #18: a real small lossy WebP made a VP8X file with a 30 MiB
//! `XMP ` chunk (31 MB in all, under the Worker's 32 MiB input cap). The probe holds where the
//! chunk lies, not a copy of it, and a transform copies only what its output keeps.

mod common;
use common::*;
use edgepix::format::OutputFormat;
use edgepix::metadata::Kept;
use edgepix::options::Metadata;
use edgepix::Limits;

const XMP_BYTES: usize = 30 << 20;

/// small_31x13.webp (one `VP8 ` chunk) as VP8X with the XMP flag and a 30 MiB XMP chunk.
fn bomb() -> Vec<u8> {
    with_xmp(XMP_BYTES)
}

fn with_xmp(xmp_bytes: usize) -> Vec<u8> {
    let small = read("conformance/webp/libwebp-test-data/small_31x13.webp");
    assert_eq!(&small[12..16], b"VP8 ");
    let mut vp8x = [0u8; 10];
    vp8x[0] = 0x04;
    vp8x[4..7].copy_from_slice(&30u32.to_le_bytes()[..3]);
    vp8x[7..10].copy_from_slice(&12u32.to_le_bytes()[..3]);
    let mut xmp = vec![b' '; xmp_bytes];
    xmp[..20].copy_from_slice(b"<x:xmpmeta xmlns:x='");
    let body = [
        riff_chunk(b"VP8X", &vp8x),
        small[12..].to_vec(),
        riff_chunk(b"XMP ", &xmp),
    ]
    .concat();
    let mut out = b"RIFF".to_vec();
    out.extend_from_slice(&(body.len() as u32 + 4).to_le_bytes());
    out.extend_from_slice(b"WEBP");
    out.extend_from_slice(&body);
    out
}

#[test]
fn the_probe_holds_where_the_xmp_lies_and_a_transform_copies_only_what_it_keeps() {
    let bytes = bomb();
    assert!(bytes.len() > 31_000_000 && bytes.len() < Limits::EDGE.max_input_bytes);
    let probe = edgepix::probe(&bytes, &Limits::EDGE).unwrap();
    assert_eq!((probe.width, probe.height), (31, 13));
    let xmp = probe.xmp.expect("the XMP chunk is found");
    assert_eq!(xmp.len, XMP_BYTES);
    assert_eq!(&xmp.of(&bytes)[..20], b"<x:xmpmeta xmlns:x='");
    // a clone (as `Output::input`) is a few words, whatever the chunk's size
    assert!(std::mem::size_of_val(&probe.clone()) < 1024);
    let webp = OutputFormat::Webp;
    let jpeg = OutputFormat::Jpeg { progressive: false };
    // no output but a JPEG under metadata=keep writes XMP, and a JPEG only up to one APP1
    // segment: nothing is copied for the others, nor for this one
    for (mode, out) in [
        (Metadata::Keep, jpeg),
        (Metadata::Copyright, webp),
        (Metadata::None, webp),
        (Metadata::Keep, webp),
        (Metadata::Keep, OutputFormat::Png),
        (Metadata::Copyright, jpeg),
        (Metadata::None, jpeg),
    ] {
        assert_eq!(
            Kept::for_output(&bytes, &probe, mode, out),
            Kept::default(),
            "{mode:?} {out:?}"
        );
    }
    // one that fits is copied once, as it came
    let small = with_xmp(4000);
    let p = edgepix::probe(&small, &Limits::EDGE).unwrap();
    let kept = Kept::for_output(&small, &p, Metadata::Keep, jpeg);
    assert_eq!(kept.xmp.as_deref(), Some(p.xmp.unwrap().of(&small)));
    assert_eq!(kept.bytes(), 4000);
    // and written into the JPEG
    let o = edgepix::Options::parse("width=8,format=jpeg,metadata=keep").unwrap();
    let out = edgepix::transform(&small, &o, Default::default(), &Limits::EDGE, &|| 0.0).unwrap();
    let sig = b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta";
    assert!(
        out.bytes.windows(sig.len()).any(|w| w == sig),
        "the XMP segment is written"
    );
}

/// The budget counts the dropped XMP once, as part of the input: not again in the output's
/// allowance (which the WebP encoder's model holds three times over).
#[test]
fn the_budget_counts_a_dropped_xmp_once() {
    let bytes = bomb();
    let limits = Limits::EDGE;
    let probe = edgepix::probe(&bytes, &limits).unwrap();
    let client = edgepix::Client::new(edgepix::Accepts {
        webp: true,
        avif: false,
    });
    for opts in [
        "width=8,format=webp",
        "width=8,format=webp,metadata=keep",
        "width=8,format=jpeg",
        "width=8,format=jpeg,metadata=keep",
        "width=8,format=png,metadata=none",
    ] {
        let o = edgepix::Options::parse(opts).unwrap();
        let plan = edgepix::budget::plan(&probe, &o.resolve(&client), &limits)
            .unwrap_or_else(|e| panic!("{opts}: {e}"));
        assert!(
            plan.output_allowance < 1 << 20,
            "{opts}: allowance {}",
            plan.output_allowance
        );
        assert!(
            plan.memory.peak < plan.memory.input + (8 << 20),
            "{opts}: peak {} for an input of {}",
            plan.memory.peak,
            plan.memory.input
        );
    }
}
