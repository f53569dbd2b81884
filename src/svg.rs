//! SVG sources are served as sanitised SVG, never rasterised, as Cloudflare Images does with
//! its own sanitiser, `svg-hush`, used here too: scripts, `foreignObject` and every element
//! outside its SVG allow-list are dropped, event-handler and unknown attributes are dropped,
//! `javascript:`/`blob:` and remote URLs lose their scheme and host (what is left is a
//! same-origin path, which the edge's `Content-Security-Policy: default-src 'none'` still
//! blocks), CSS `@import` and remote `url()` are cut, and `data:` URLs survive only as JPEG, PNG
//! or GIF images.
//!
//! Bounds: the input is already capped by `Limits::max_input_bytes`. The XML parser (xml-rs,
//! configured by svg-hush) expands internal entities at most 3 levels deep, 1M characters per
//! expansion, and caps names and attributes; comments and the doctype are dropped. Two things
//! it leaves unbounded are bounded here, both refused with 413 `output_too_large`:
//! - expansion: a text run is buffered whole (up to 256 MB) before it is written, so many
//!   references to a large entity in one text node are a bomb the output cap would see too
//!   late; `entity_expansion` counts it from the declarations before parsing starts;
//! - indentation: the writer indents each element by its depth, so deep nesting grows the
//!   output quadratically; the output stops at `output_cap(input)`.

use crate::error::{Error, ErrorCode, Result};
use std::collections::HashMap;
use std::io;

/// Largest sanitised output for `input` bytes. The writer adds a newline and two spaces per
/// level before every tag: a file of real shapes (tens of bytes each) a dozen levels deep grows
/// by well under 4x, while bare `<g>`s 40 deep grow 12x (tests/svg_memory.rs shows both). The
/// fixed MiB lets any small file nest deeply; large ones must stay under 4x.
pub fn output_cap(input: usize) -> u64 {
    input as u64 * 4 + (1 << 20)
}

/// Heap the parser and writer hold besides the input and the output buffer: the element and
/// namespace stacks, the current text run or attribute list, an entity's expansion queue (4
/// bytes per char). A text run made of entity references is bounded only by the expansion
/// check, which allows up to `output_cap`, so that much is counted on top. Measured by
/// tests/svg_memory.rs with a counting allocator on the worst shapes it found (deep nesting, a
/// huge text run, a huge attribute, many elements, entity expansion): whole transforms of
/// 0.1-2 MB inputs peaked at 2.8-8.9x the input, input and output included, well inside this.
pub fn working_bytes(input: usize) -> u64 {
    input as u64 * WORKING_PER_INPUT_BYTE + output_cap(input) + (256 << 10)
}

/// See `working_bytes`; tests/svg_memory.rs fails if a measured shape needs more.
pub const WORKING_PER_INPUT_BYTE: u64 = 8;

/// Bytes the document's internal entities add when expanded: every `&name;` after the
/// prolog that names a general entity declared in the doctype counts its value's expanded
/// length (recursively, as the parser would expand it; a cycle or more than 8 levels counts
/// as unbounded). The parser buffers a whole text run before the writer sees it, so the output
/// cap alone would not stop `<!ENTITY c "&b;&b;...">` repeated in one text node: this count
/// refuses such a document before the parser starts. References inside comments or CDATA are
/// counted too, which only errs towards refusing.
pub fn entity_expansion(bytes: &[u8]) -> u64 {
    let Some(root) = crate::probe::svg::root_offset(bytes) else {
        return 0;
    };
    let (prolog, body) = bytes.split_at(root);
    let declared = declarations(prolog);
    if declared.is_empty() {
        return 0;
    }
    let mut memo = HashMap::new();
    references(body)
        .map(|name| expanded(name, &declared, &mut memo, 0))
        .fold(0u64, u64::saturating_add)
}

/// `<!ENTITY name "value">` declarations (general entities with a literal value; parameter
/// and external entities are not expanded into the document by the parser).
fn declarations(prolog: &[u8]) -> HashMap<&[u8], &[u8]> {
    let mut out = HashMap::new();
    let mut rest = prolog;
    while let Some(at) = rest.windows(8).position(|w| w == b"<!ENTITY") {
        rest = &rest[at + 8..];
        let skip_ws = |s: &[u8]| s.iter().take_while(|b| b.is_ascii_whitespace()).count();
        let i = skip_ws(rest);
        let name_len = rest[i..]
            .iter()
            .take_while(|b| !b.is_ascii_whitespace() && **b != b'"' && **b != b'\'' && **b != b'>')
            .count();
        let name = &rest[i..i + name_len];
        let j = i + name_len;
        let j = j + skip_ws(&rest[j..]);
        let Some(&quote) = rest.get(j) else { break };
        if name == b"%" || (quote != b'"' && quote != b'\'') {
            continue;
        }
        let Some(len) = rest[j + 1..].iter().position(|b| *b == quote) else {
            break;
        };
        out.insert(name, &rest[j + 1..j + 1 + len]);
        rest = &rest[j + 1 + len..];
    }
    out
}

/// Names of the `&name;` references in `text` (character references `&#...;` excluded).
fn references(text: &[u8]) -> impl Iterator<Item = &[u8]> {
    text.split(|b| *b == b'&').skip(1).filter_map(|after| {
        let end = after.iter().take(1000).position(|b| *b == b';')?;
        let name = &after[..end];
        (!name.starts_with(b"#")).then_some(name)
    })
}

fn expanded<'a>(
    name: &'a [u8],
    declared: &HashMap<&'a [u8], &'a [u8]>,
    memo: &mut HashMap<&'a [u8], u64>,
    depth: u32,
) -> u64 {
    let Some(value) = declared.get(name) else {
        return 0;
    };
    if let Some(n) = memo.get(name) {
        return *n;
    }
    if depth > 8 {
        return u64::MAX;
    }
    // a cycle meets this placeholder and comes out unbounded
    memo.insert(name, u64::MAX);
    let inner = references(value)
        .map(|r| expanded(r, declared, memo, depth + 1))
        .fold(value.len() as u64, u64::saturating_add);
    memo.insert(name, inner);
    inner
}

/// The sanitised document. Malformed XML or a document with no element in the SVG namespace
/// is `corrupt_image`; an output past `output_cap` is `output_too_large`.
pub fn sanitise(bytes: &[u8]) -> Result<Vec<u8>> {
    let cap = output_cap(bytes.len());
    let expansion = entity_expansion(bytes);
    if expansion > cap {
        return Err(Error::new(
            ErrorCode::OutputTooLarge,
            format!(
                "the SVG's entities expand to {} bytes, more than its output may hold ({cap} bytes)",
                if expansion == u64::MAX { "unbounded".to_string() } else { expansion.to_string() }
            ),
        ));
    }
    let mut filter = svg_hush::Filter::new();
    filter.set_data_url_filter(svg_hush::data_url_filter::allow_standard_images);
    let cap = usize::try_from(cap).unwrap_or(usize::MAX);
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
                "the sanitised SVG would pass {cap} bytes (4x the input + 1 MiB): the document nests too deeply"
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
