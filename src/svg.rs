//! SVG sources are served as sanitised SVG, never rasterised, as Cloudflare Images does with
//! its own sanitiser, `svg-hush`, used here too: scripts, `foreignObject` and every element
//! outside its SVG allow-list are dropped, event-handler and unknown attributes are dropped,
//! `javascript:`/`blob:` and remote URLs lose their scheme and host (what is left is a
//! same-origin path, which the edge's `Content-Security-Policy: default-src 'none'` still
//! blocks), CSS `@import` and remote `url()` are cut, and `data:` URLs survive only as JPEG, PNG
//! or GIF images.
//!
//! Bounds: the input is already capped by `Limits::max_input_bytes`. The XML parser (xml-rs,
//! configured by svg-hush) expands internal entities at most 3 levels deep and caps names and
//! attributes; comments and the doctype are dropped. Its writer indents each element by its
//! depth, so deep nesting grows the output quadratically: the output is capped at
//! `output_cap(input)` and a document past it is refused (413 `output_too_large`) as soon as
//! the cap is reached, before the indentation can run away.

use crate::error::{Error, ErrorCode, Result};
use std::io;

/// Largest sanitised output for `input` bytes: indentation on a minified file with short
/// elements a few levels deep stays well under 4x (tests/svg.rs measures the samples).
pub fn output_cap(input: usize) -> u64 {
    input as u64 * 4 + (64 << 10)
}

/// Heap the parser and writer hold besides the input and the output buffer: the element and
/// namespace stacks, one text run or attribute list at a time. Measured by tests/svg_memory.rs
/// with a counting allocator on the worst shapes it found (deep nesting, a huge text node,
/// many attributes, entity expansion); the multiple covers the largest ratio it saw, with room.
pub fn working_bytes(input: usize) -> u64 {
    input as u64 * WORKING_PER_INPUT_BYTE + (256 << 10)
}

/// See `working_bytes`; tests/svg_memory.rs fails if a measured shape needs more.
pub const WORKING_PER_INPUT_BYTE: u64 = 8;

/// The sanitised document. Malformed XML or a document with no element in the SVG namespace
/// is `corrupt_image`; an output past `output_cap` is `output_too_large`.
pub fn sanitise(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut filter = svg_hush::Filter::new();
    filter.set_data_url_filter(svg_hush::data_url_filter::allow_standard_images);
    let cap = usize::try_from(output_cap(bytes.len())).unwrap_or(usize::MAX);
    let mut out = Capped {
        bytes: Vec::new(),
        cap,
        over: false,
    };
    match filter.filter(bytes, &mut out) {
        Ok(()) => Ok(out.bytes),
        Err(_) if out.over => Err(Error::new(
            ErrorCode::OutputTooLarge,
            format!(
                "the sanitised SVG would pass {cap} bytes (4x the input): the document nests too deeply"
            ),
        )),
        Err(e) => Err(Error::corrupt("svg", describe(&e))),
    }
}

fn describe(e: &svg_hush::FError) -> String {
    match e {
        svg_hush::FError::Reader(r) => format!("XML parsing error: {r}"),
        svg_hush::FError::Writer(_) => {
            "no element in the SVG namespace (xmlns=\"http://www.w3.org/2000/svg\") survived".into()
        }
    }
}

/// A Vec that refuses to grow past `cap`; the writer's error ends the filter.
struct Capped {
    bytes: Vec<u8>,
    cap: usize,
    over: bool,
}

impl io::Write for Capped {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.bytes.len().saturating_add(buf.len()) > self.cap {
            self.over = true;
            return Err(io::Error::other("output cap"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
