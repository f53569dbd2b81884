//! SVG detection and its nominal size, from the text of the root start tag. SVG has no pixels:
//! nothing here parses the document (the sanitiser in `crate::svg` does, once, with its own
//! bounds); the probe only skips the prolog and reads the root's `width`/`height`/`viewBox`.

use super::{base, Walked};
use crate::format::ImageFormat;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The byte offset of `<svg` when `bytes` is a UTF-8 XML document whose root element is an
/// unprefixed `svg`, after an optional BOM, XML declaration, comments, processing instructions
/// and doctype (with an internal subset). UTF-16 and gzip'd `.svgz` are not recognised: the
/// Worker's fetch already inflates `Content-Encoding: gzip`, and an inflater here would be a
/// second bomb surface for a rare file.
pub fn root_offset(bytes: &[u8]) -> Option<usize> {
    let mut i = if bytes.starts_with(BOM) { BOM.len() } else { 0 };
    loop {
        i += bytes.get(i..)?.iter().take_while(|b| is_space(**b)).count();
        let rest = bytes.get(i..)?;
        if rest.starts_with(b"<?") {
            i += find(rest, b"?>")? + 2;
        } else if rest.starts_with(b"<!--") {
            i += 4 + find(&rest[4..], b"-->")? + 3;
        } else if rest.starts_with(b"<!DOCTYPE") {
            i += doctype_len(rest)?;
        } else if rest.starts_with(b"<svg")
            && rest
                .get(4)
                .is_some_and(|b| is_space(*b) || *b == b'>' || *b == b'/')
        {
            return Some(i);
        } else {
            return None;
        }
    }
}

pub(super) fn probe(bytes: &[u8]) -> Walked {
    let (w, h) = root_offset(bytes)
        .and_then(|at| root_size(&bytes[at..]))
        .unwrap_or((0, 0));
    let mut p = base(ImageFormat::Svg, bytes, w, h);
    // A vector drawing is transparent wherever nothing is drawn.
    p.has_alpha = true;
    Walked::sound(p)
}

/// `width`/`height` of the root when both are plain numbers (optionally `px`), else the
/// `viewBox` size; `None` when neither gives a positive size that fits u32.
fn root_size(tag: &[u8]) -> Option<(u32, u32)> {
    let attrs = start_tag_attributes(tag)?;
    let get = |name: &str| attrs.iter().find(|(n, _)| *n == name).map(|(_, v)| *v);
    let length = |v: &str| {
        let v = v.trim();
        number(v.strip_suffix("px").unwrap_or(v))
    };
    if let (Some(w), Some(h)) = (
        get("width").and_then(length),
        get("height").and_then(length),
    ) {
        return Some((w, h));
    }
    let vb: Vec<&str> = get("viewBox")?
        .split(|c: char| c == ',' || c.is_ascii_whitespace())
        .filter(|s| !s.is_empty())
        .collect();
    match vb[..] {
        [_, _, w, h] => Some((number(w)?, number(h)?)),
        _ => None,
    }
}

fn number(s: &str) -> Option<u32> {
    let v: f64 = s.parse().ok()?;
    (v.is_finite() && v > 0.0 && v < u32::MAX as f64).then(|| (v.round() as u32).max(1))
}

/// The `name="value"` pairs of the start tag at the beginning of `tag` (`<svg ...>`); `None`
/// when the tag is not closed or not valid UTF-8.
fn start_tag_attributes(tag: &[u8]) -> Option<Vec<(&str, &str)>> {
    let mut out = Vec::new();
    let mut i = 4;
    loop {
        i += tag.get(i..)?.iter().take_while(|b| is_space(**b)).count();
        match tag.get(i)? {
            b'>' | b'/' => return Some(out),
            _ => {}
        }
        let name_len = tag[i..]
            .iter()
            .take_while(|b| !is_space(**b) && !matches!(b, b'=' | b'>' | b'/'))
            .count();
        let name = std::str::from_utf8(&tag[i..i + name_len]).ok()?;
        i += name_len;
        i += tag.get(i..)?.iter().take_while(|b| is_space(**b)).count();
        if tag.get(i) != Some(&b'=') {
            return None;
        }
        i += 1;
        i += tag.get(i..)?.iter().take_while(|b| is_space(**b)).count();
        let quote = *tag.get(i)?;
        if quote != b'"' && quote != b'\'' {
            return None;
        }
        let len = tag.get(i + 1..)?.iter().position(|b| *b == quote)?;
        let value = std::str::from_utf8(&tag[i + 1..i + 1 + len]).ok()?;
        out.push((name, value));
        i += len + 2;
    }
}

/// Length of `<!DOCTYPE ...>`, skipping a `[...]` internal subset (whose declarations contain
/// `>`), quoted strings and comments inside it.
fn doctype_len(s: &[u8]) -> Option<usize> {
    let mut i = 9;
    let mut in_subset = false;
    while let Some(&b) = s.get(i) {
        match b {
            b'"' | b'\'' => i += 1 + s.get(i + 1..)?.iter().position(|c| *c == b)?,
            b'<' if s[i..].starts_with(b"<!--") => i += 4 + find(&s[i + 4..], b"-->")? + 2,
            b'[' if !in_subset => in_subset = true,
            b']' if in_subset => in_subset = false,
            b'>' if !in_subset => return Some(i + 1),
            _ => {}
        }
        i += 1;
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prolog_forms_before_the_root() {
        let svg = b"\xEF\xBB\xBF<?xml version=\"1.0\"?>\n<!-- made by hand -->\n<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" \"x.dtd\" [ <!ENTITY a \"<b>\"> ]>\n<svg width=\"40\" height='30px'/>";
        let at = root_offset(svg).unwrap();
        assert!(svg[at..].starts_with(b"<svg "));
        assert_eq!(root_size(&svg[at..]), Some((40, 30)));
    }

    #[test]
    fn view_box_when_sizes_are_not_plain_numbers() {
        let tag = b"<svg width=\"100%\" height=\"2em\" viewBox=\"0 0 24.4, 12\">";
        assert_eq!(root_size(tag), Some((24, 12)));
        assert_eq!(root_size(b"<svg>"), None);
        assert_eq!(root_size(b"<svg width=\"-3\" height=\"4\">"), None);
    }

    #[test]
    fn not_svg() {
        assert_eq!(root_offset(b"<html><svg/></html>"), None);
        assert_eq!(root_offset(b"<svgfoo/>"), None);
        assert_eq!(root_offset(b"<!-- unterminated <svg/>"), None);
        assert_eq!(root_offset(b"\x1f\x8b\x08\x00"), None);
        assert_eq!(root_offset(b""), None);
        assert_eq!(root_offset(b"   "), None);
    }
}
