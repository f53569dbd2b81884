//! SVG sources: served sanitised (svg-hush), never rasterised, resize and format options
//! ignored. The hostile files in tests/data/svg each carry one class of active content; the
//! output is parsed with roxmltree (an XML parser independent of the sanitiser's xml-rs) and
//! searched for it. The benign file must keep every shape with its attributes.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::*;
use edgepix::{ErrorCode, OutputFormat};
use std::collections::BTreeMap;

fn data(name: &str) -> Vec<u8> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/svg")
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn sanitised(name: &str, opts: &str) -> String {
    let out = transform(&data(name), opts).unwrap_or_else(|e| panic!("{name} {opts}: {e}"));
    assert_eq!(out.format, OutputFormat::Svg, "{name}");
    assert_eq!(out.mime(), "image/svg+xml");
    assert_eq!(out.format.name(), "svg");
    String::from_utf8(out.bytes).expect("utf-8 output")
}

/// Every element of the parsed document: (local name, namespace, attributes as name -> value).
type Element = (String, String, BTreeMap<String, String>);

fn elements(xml: &str) -> Vec<Element> {
    let opt = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    let doc = roxmltree::Document::parse_with_options(xml, opt)
        .unwrap_or_else(|e| panic!("output is not well-formed XML: {e}\n{xml}"));
    doc.descendants()
        .filter(|n| n.is_element())
        .map(|n| {
            let attrs = n
                .attributes()
                .map(|a| (a.name().to_string(), a.value().to_string()))
                .collect();
            (
                n.tag_name().name().to_string(),
                n.tag_name().namespace().unwrap_or("").to_string(),
                attrs,
            )
        })
        .collect()
}

const SVG_NS: &str = "http://www.w3.org/2000/svg";

#[test]
fn benign_drawing_keeps_every_shape_and_attribute() {
    let input = String::from_utf8(data("benign.svg")).unwrap();
    let output = sanitised("benign.svg", "");
    let before = elements(&input);
    let after = elements(&output);
    // the same elements in the same order (the sanitiser drops only comments and the doctype)
    let names = |v: &[Element]| v.iter().map(|e| e.0.clone()).collect::<Vec<_>>();
    assert_eq!(names(&before), names(&after));
    assert!(after.iter().all(|e| e.1 == SVG_NS), "{output}");
    // every attribute survives, with xlink:href downgraded to href
    for (b, a) in before.iter().zip(&after) {
        let mut expected = b.2.clone();
        if let Some(h) = expected.remove("href") {
            expected.insert("href".into(), h);
        }
        assert_eq!(a.2, expected, "attributes of <{}>", b.0);
    }
    assert!(output.contains(".caption { font: bold 18px sans-serif; fill: #ffffff; }"));
}

#[test]
fn resize_and_format_options_are_ignored() {
    let plain = transform(&data("benign.svg"), "").unwrap();
    assert_eq!((plain.width, plain.height), (240, 120));
    for opts in [
        "width=50",
        "width=50,height=50,fit=cover",
        "format=webp",
        "format=png,quality=10",
        "rotate=90,dpr=2,background=red",
        "format=auto",
    ] {
        let out = transform(&data("benign.svg"), opts).unwrap_or_else(|e| panic!("{opts}: {e}"));
        assert_eq!(out.bytes, plain.bytes, "{opts} changed the SVG");
        assert_eq!(out.mime(), "image/svg+xml", "{opts}");
        assert_eq!((out.width, out.height), (240, 120), "{opts}");
        assert!(
            out.notes.iter().any(|n| n.contains("ignored")),
            "{opts}: {:?}",
            out.notes
        );
    }
    let root = &elements(&String::from_utf8(plain.bytes).unwrap())[0];
    assert_eq!(root.2["width"], "240");
    assert_eq!(root.2["viewBox"], "0 0 240 120");
}

#[test]
fn scripts_are_removed() {
    let out = sanitised("script.svg", "");
    let els = elements(&out);
    assert!(!els.iter().any(|e| e.0 == "script"), "{out}");
    // CDATA becomes escaped text, which no browser runs
    assert!(!out.contains("<script"), "{out}");
    assert!(out.contains("&lt;script&gt;"), "{out}");
    assert!(!out.contains("evil.example"), "{out}");
    assert_eq!(els.iter().filter(|e| e.0 == "rect").count(), 1, "{out}");
}

#[test]
fn event_handlers_are_removed() {
    let out = sanitised("handlers.svg", "");
    for (name, _, attrs) in elements(&out) {
        for (k, v) in &attrs {
            assert!(
                !k.to_ascii_lowercase().starts_with("on"),
                "<{name} {k}> kept: {out}"
            );
            if k == "attributeName" {
                assert!(
                    !v.to_ascii_lowercase().starts_with("on") && v != "href",
                    "<{name}> may animate {v}: {out}"
                );
            }
            if k == "href" {
                assert!(!v.to_ascii_lowercase().contains("javascript"), "{out}");
            }
        }
        // an animation without a target attribute animates nothing
        if name == "set" || name == "animate" {
            assert!(!attrs.contains_key("attributeName"), "{out}");
        }
    }
    assert!(out.contains("<rect") && out.contains("<circle"), "{out}");
}

#[test]
fn external_references_and_dangerous_urls_are_removed() {
    let out = sanitised("links.svg", "");
    let els = elements(&out);
    for (name, _, attrs) in &els {
        for (k, v) in attrs {
            let v = v.to_ascii_lowercase();
            for bad in ["javascript", "evil.example", "data:", "://"] {
                assert!(!v.contains(bad), "<{name} {k}={v}> keeps {bad}: {out}");
            }
            if k == "href" {
                // what is left of a remote URL is a same-origin path, never scheme-relative
                assert!(!v.starts_with("//"), "<{name} href={v}>");
            }
        }
    }
    // CSS: no @import, and every url() left points at this document or this origin. svg-hush
    // leaves the text of a cut @import behind as an invalid selector, which fetches nothing.
    let lower = out.to_ascii_lowercase();
    assert!(!lower.contains("@import"), "{out}");
    for arg in lower.split("url(").skip(1) {
        let arg = &arg[..arg.find(')').unwrap_or(arg.len())];
        assert!(
            !arg.contains("//") && !arg.contains(':'),
            "url({arg}): {out}"
        );
    }
    // the links' shapes are still drawn
    assert_eq!(els.iter().filter(|e| e.0 == "rect").count(), 2, "{out}");
    assert_eq!(els.iter().filter(|e| e.0 == "circle").count(), 1, "{out}");
}

#[test]
fn foreign_objects_and_other_namespaces_are_removed() {
    let out = sanitised("foreign.svg", "");
    let els = elements(&out);
    assert!(els.iter().all(|e| e.1 == SVG_NS), "{out}");
    for bad in ["foreignObject", "iframe", "div", "img"] {
        assert!(!els.iter().any(|e| e.0 == bad), "<{bad}> survived: {out}");
    }
    assert!(!out.contains("onerror") && !out.contains("evil"), "{out}");
    assert_eq!(els.iter().filter(|e| e.0 == "rect").count(), 1);
}

#[test]
fn entity_expansion_is_refused_not_expanded() {
    // five levels of 32x entities (about 1.8 GB expanded): refused from the declarations
    // before the parser buffers any of it
    let err = transform(&data("entities.svg"), "").unwrap_err();
    assert_eq!(err.code, ErrorCode::OutputTooLarge, "{err}");
    assert_eq!(err.code.http_status(), 413);
    assert!(err.message.contains("1780008448"), "{err}");
    // a self-referencing entity is unbounded, not a stack overflow
    let cycle = b"<!DOCTYPE svg [<!ENTITY a \"&b;\"><!ENTITY b \"&a;\">]><svg xmlns=\"http://www.w3.org/2000/svg\"><text>&a;</text></svg>";
    let err = transform(cycle, "").unwrap_err();
    assert!(err.message.contains("unbounded"), "{err}");
    // entities the way illustration tools use them still work
    let tool = b"<!DOCTYPE svg [<!ENTITY ns_svg \"http://www.w3.org/2000/svg\"><!ENTITY fill \"#ff0000\">]><svg xmlns=\"&ns_svg;\" width=\"4\" height=\"4\"><rect width=\"4\" height=\"4\" fill=\"&fill;\"/></svg>";
    let out = String::from_utf8(transform(tool, "").unwrap().bytes).unwrap();
    assert!(out.contains("fill=\"#ff0000\""), "{out}");
}

#[test]
fn malformed_xml_is_corrupt() {
    let err = transform(&data("malformed.svg"), "").unwrap_err();
    assert_eq!(err.code, ErrorCode::CorruptImage, "{err}");
    assert_eq!(err.code.http_status(), 422);
    // an svg root outside the SVG namespace leaves nothing a browser would draw
    let err = transform(b"<svg width=\"10\" height=\"10\"><rect/></svg>", "").unwrap_err();
    assert_eq!(err.code, ErrorCode::CorruptImage, "{err}");
}

#[test]
fn deep_nesting_stops_at_the_output_cap() {
    // the writer indents by depth: 100k nested groups would write ~10 GB of spaces
    let depth = 100_000;
    let mut svg = String::from("<svg xmlns=\"http://www.w3.org/2000/svg\">");
    svg.push_str(&"<g>".repeat(depth));
    svg.push_str(&"</g>".repeat(depth));
    svg.push_str("</svg>");
    let err = transform(svg.as_bytes(), "").unwrap_err();
    assert_eq!(err.code, ErrorCode::OutputTooLarge, "{err}");
    assert_eq!(err.code.http_status(), 413);
    // 100 levels is an ordinary drawing and passes
    let mut svg = String::from("<svg xmlns=\"http://www.w3.org/2000/svg\">");
    svg.push_str(&"<g>".repeat(100));
    svg.push_str("<rect width=\"1\" height=\"1\"/>");
    svg.push_str(&"</g>".repeat(100));
    svg.push_str("</svg>");
    let out = transform(svg.as_bytes(), "").unwrap();
    assert_eq!(
        elements(std::str::from_utf8(&out.bytes).unwrap()).len(),
        102
    );
}

#[test]
fn format_json_reports_the_nominal_size() {
    let out = transform(&data("benign.svg"), "format=json").unwrap();
    assert_eq!(out.format, OutputFormat::Json);
    let v: serde_json::Value = serde_json::from_slice(&out.bytes).unwrap();
    assert_eq!(v["width"], 240);
    assert_eq!(v["height"], 120);
    assert_eq!(v["original"]["format"], "image/svg+xml");
    assert_eq!(v["original"]["file_size"], data("benign.svg").len());
    // without numeric width/height the viewBox gives the size
    let vb = b"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"100%\" viewBox=\"0 0 32 16\"/>";
    let v: serde_json::Value =
        serde_json::from_slice(&transform(vb, "format=json").unwrap().bytes).unwrap();
    assert_eq!(
        (v["width"].as_u64(), v["height"].as_u64()),
        (Some(32), Some(16))
    );
}

#[test]
fn detection_needs_an_svg_root() {
    let probe = |b: &[u8]| edgepix::probe(b, &edgepix::Limits::default());
    let with_prolog = b"\xEF\xBB\xBF<?xml version=\"1.0\"?><!-- c --><!DOCTYPE svg><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"3\" height=\"4\"/>";
    let p = probe(with_prolog).unwrap();
    assert_eq!(p.format, edgepix::ImageFormat::Svg);
    assert_eq!((p.width, p.height), (3, 4));
    // HTML, and gzip'd .svgz, are not SVG sources
    for other in [
        &b"<html><body><svg xmlns=\"http://www.w3.org/2000/svg\"/></body></html>"[..],
        b"\x1f\x8b\x08\x00\x00\x00\x00\x00",
        b"<?xml version=\"1.0\"?><note/>",
    ] {
        assert_eq!(probe(other).unwrap_err().code, ErrorCode::UnsupportedFormat);
    }
    // the input size limit still holds
    let limits = edgepix::Limits {
        max_input_bytes: 10,
        ..Default::default()
    };
    assert_eq!(
        edgepix::probe(with_prolog, &limits).unwrap_err().code,
        ErrorCode::InputTooLarge
    );
}

#[test]
fn embedded_raster_images_survive() {
    // data: URLs of JPEG, PNG and GIF cannot carry script; anything else is dropped
    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" width="2" height="2"><image href="data:image/png;base64,iVBORw0KGgo=" width="2" height="2"/><image href="data:image/svg+xml,%3Csvg%3E%3C/svg%3E" width="1" height="1"/></svg>"#;
    let out = String::from_utf8(transform(svg, "").unwrap().bytes).unwrap();
    let images: Vec<_> = elements(&out)
        .into_iter()
        .filter(|e| e.0 == "image")
        .collect();
    assert_eq!(images.len(), 2, "{out}");
    assert_eq!(images[0].2["href"], "data:image/png;base64,iVBORw0KGgo=");
    assert!(!images[1].2.contains_key("href"), "{out}");
}
