//! What an answer says (`edgepix::answer`): the content type, the Vary, the reported quality,
//! `x-edgepix-resized`, the download name, and which failures `onerror=redirect` answers.
//! The Worker reads all of these from here; its response headers are pinned end to end in
//! tests/worker/headers.test.mjs.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::*;
use edgepix::answer::{self, Reported, Vary};
use edgepix::{Error, ErrorCode, Options, OutputFormat};

const PHOTO: &str = "photos/kodak/kodim01.png"; // 768x512 RGB

fn opts(s: &str) -> Options {
    Options::parse(s).expect("test options parse")
}

#[test]
fn json_answers_say_their_charset_and_images_their_mime_type() {
    assert_eq!(
        answer::content_type(OutputFormat::Json),
        "application/json; charset=utf-8"
    );
    assert_eq!(answer::JSON_CONTENT_TYPE, "application/json; charset=utf-8");
    for (f, mime) in [
        (OutputFormat::Jpeg { progressive: false }, "image/jpeg"),
        (OutputFormat::Jpeg { progressive: true }, "image/jpeg"),
        (OutputFormat::Png, "image/png"),
        (OutputFormat::Webp, "image/webp"),
        (OutputFormat::Avif, "image/avif"),
        (OutputFormat::Gif, "image/gif"),
        (OutputFormat::Svg, "image/svg+xml"),
    ] {
        assert_eq!(answer::content_type(f), mime, "{f:?}");
    }
}

#[test]
fn only_the_lossy_formats_take_a_quality() {
    // the format table's answer, which the reported quality reads
    for f in [
        OutputFormat::Jpeg { progressive: false },
        OutputFormat::Webp,
        OutputFormat::Avif,
    ] {
        assert!(f.takes_quality(), "{f:?}");
    }
    for f in [
        OutputFormat::Png,
        OutputFormat::Gif,
        OutputFormat::Json,
        OutputFormat::Svg,
    ] {
        assert!(!f.takes_quality(), "{f:?}");
    }
}

#[test]
fn an_answer_varies_on_exactly_the_headers_its_options_read() {
    let none: &[String] = &[];
    assert_eq!(Vary::of(&opts("width=300,format=webp")).header(none), None);
    assert_eq!(
        Vary::of(&opts("width=300,format=auto"))
            .header(none)
            .as_deref(),
        Some("Accept")
    );
    assert_eq!(
        Vary::of(&opts("slow-connection-quality=30"))
            .header(none)
            .as_deref(),
        Some("Save-Data, ECT, RTT, Downlink")
    );
    assert_eq!(
        Vary::of(&opts("width=auto")).header(none).as_deref(),
        Some("Sec-CH-Width, Width, Sec-CH-Viewport-Width, Viewport-Width, Sec-CH-DPR, DPR")
    );
}

#[test]
fn the_adapters_own_vary_headers_follow_accept() {
    let user = ["Cookie".to_string()];
    assert_eq!(
        Vary::of(&opts("format=auto,scq=30"))
            .header(&user)
            .as_deref(),
        Some("Accept, Cookie, Save-Data, ECT, RTT, Downlink")
    );
    assert_eq!(
        Vary::of(&opts("width=100")).header(&user).as_deref(),
        Some("Cookie")
    );
}

#[test]
fn a_fixed_quality_is_reported_for_lossy_outputs_only() {
    let src = read(PHOTO);
    for (o, quality) in [
        ("width=64,format=webp,quality=60", Some(60.0)),
        ("width=64,format=jpeg", Some(85.0)),
        ("width=64,format=png", None),
        ("width=64,format=json", None),
    ] {
        let out = transform(&src, o).unwrap();
        let r = Reported::of(&out, &opts(o));
        assert_eq!(
            r,
            Reported {
                quality,
                policy: "fixed".into(),
                predicted_score: None,
                measured_score: None
            },
            "{o}"
        );
    }
}

#[test]
fn a_chosen_quality_is_reported_with_its_policy_and_target() {
    let src = read(PHOTO);
    let o = "width=128,format=webp,quality=auto";
    let out = transform(&src, o).unwrap();
    let choice = out.quality_choice.expect("quality=auto chose");
    let r = Reported::of(&out, &opts(o));
    assert_eq!(r.quality, Some(choice.quality as f64));
    assert_eq!(r.policy, choice.policy);
    assert_ne!(r.policy, "fixed");
    assert_eq!(r.predicted_score, Some(choice.target as f64));
    assert_eq!(r.measured_score, choice.measured_score);
}

#[test]
fn resized_says_what_was_made_from_what() {
    let out = transform(&read(PHOTO), "width=96,format=webp").unwrap();
    assert_eq!(answer::resized(&out), "ok; 96x64 webp from 768x512 png");
}

#[test]
fn the_download_name_is_the_source_stem_with_the_output_extension() {
    assert_eq!(
        answer::file_name("hato", OutputFormat::Jpeg { progressive: true }),
        "hato.jpg"
    );
    assert_eq!(answer::file_name("a.b", OutputFormat::Json), "a.b.json");
}

#[test]
fn onerror_redirect_answers_failures_of_the_image_not_of_the_request() {
    let redirect = opts("onerror=redirect");
    let plain = opts("width=100");
    for code in [
        ErrorCode::InputTooLarge,
        ErrorCode::TooManyPixels,
        ErrorCode::OutputTooLarge,
        ErrorCode::TooManyFrames,
        ErrorCode::OverMemoryBudget,
        ErrorCode::UnsupportedFormat,
        ErrorCode::CorruptImage,
        ErrorCode::Internal,
    ] {
        let e = Error::new(code, "x");
        assert!(code.is_fatal(), "{code:?}");
        assert!(answer::redirects(&redirect, &e), "{code:?}");
        assert!(!answer::redirects(&plain, &e), "{code:?}");
    }
    for code in [
        ErrorCode::BadOption,
        ErrorCode::UnknownOption,
        ErrorCode::UnsupportedOption,
    ] {
        assert!(!code.is_fatal(), "{code:?}");
        assert!(
            !answer::redirects(&redirect, &Error::new(code, "x")),
            "{code:?}"
        );
    }
}
