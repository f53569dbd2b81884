//! Just enough TIFF/EXIF to honour orientation and the three `metadata` modes. We never
//! re-serialise foreign EXIF: `keep` copies it byte for byte with only the orientation patched,
//! and `copyright` writes a fresh one-entry IFD, so GPS and maker notes cannot leak.

use crate::cursor::Cursor;

const TAG_ORIENTATION: u16 = 0x0112;
const TAG_COPYRIGHT: u16 = 0x8298;
const TYPE_ASCII: u16 = 2;
const TYPE_SHORT: u16 = 3;

/// Strip the `Exif\0\0` prefix that JPEG APP1 (and some WebP writers) put before the TIFF header.
pub fn tiff_payload(data: &[u8]) -> &[u8] {
    data.strip_prefix(b"Exif\0\0").unwrap_or(data)
}

struct Tiff<'a> {
    data: &'a [u8],
    little: bool,
}

/// One IFD entry: tag, type, count, and the offset of its 4-byte value field.
#[derive(Clone, Copy)]
struct Entry {
    tag: u16,
    ty: u16,
    count: u32,
    field: usize,
}

impl<'a> Tiff<'a> {
    fn new(data: &'a [u8]) -> Option<Self> {
        let little = match data.get(0..4)? {
            [b'I', b'I', 42, 0] => true,
            [b'M', b'M', 0, 42] => false,
            _ => return None,
        };
        Some(Tiff { data, little })
    }
    fn u16(&self, at: u64) -> Option<u16> {
        Cursor::at(self.data, usize::try_from(at).ok()?).u16_in(self.little)
    }
    fn u32(&self, at: u64) -> Option<u32> {
        Cursor::at(self.data, usize::try_from(at).ok()?).u32_in(self.little)
    }
    /// IFD0's entries. Offsets are file data: a count that does not fit is corruption, never a
    /// reason to loop or to allocate.
    fn ifd0_entries(&self) -> Option<Vec<Entry>> {
        let ifd = usize::try_from(self.u32(4)?).ok()?;
        let mut c = Cursor::at(self.data, ifd);
        let n = c.u16_in(self.little)?;
        if n as usize > c.remaining() / 12 {
            return None;
        }
        (0..n)
            .map(|_| {
                let tag = c.u16_in(self.little)?;
                let ty = c.u16_in(self.little)?;
                let count = c.u32_in(self.little)?;
                let field = c.pos();
                c.skip(4)?;
                Some(Entry {
                    tag,
                    ty,
                    count,
                    field,
                })
            })
            .collect()
    }
}

/// EXIF orientation 1..=8; anything else (including the invalid 0) reads as 1.
pub fn orientation(exif: &[u8]) -> u16 {
    let Some(t) = Tiff::new(tiff_payload(exif)) else {
        return 1;
    };
    let Some(entries) = t.ifd0_entries() else {
        return 1;
    };
    entries
        .iter()
        .find(|e| e.tag == TAG_ORIENTATION && e.ty == TYPE_SHORT)
        .and_then(|e| t.u16(e.field as u64))
        .filter(|v| (1..=8).contains(v))
        .unwrap_or(1)
}

pub fn copyright(exif: &[u8]) -> Option<String> {
    let t = Tiff::new(tiff_payload(exif))?;
    let e = *t.ifd0_entries()?.iter().find(|e| e.tag == TAG_COPYRIGHT)?;
    if e.ty != TYPE_ASCII || e.count == 0 || e.count > 65_535 {
        return None;
    }
    let start = if e.count <= 4 {
        e.field
    } else {
        usize::try_from(t.u32(e.field as u64)?).ok()?
    };
    let raw = Cursor::at(t.data, start).take(e.count as u64)?;
    let text = raw.split(|&b| b == 0).next()?;
    (!text.is_empty()).then(|| String::from_utf8_lossy(text).into_owned())
}

/// The input's EXIF with the orientation set to 1: pixels leave the engine upright, so a
/// viewer must not rotate them a second time.
pub fn with_orientation_reset(exif: &[u8]) -> Vec<u8> {
    let payload = tiff_payload(exif);
    let mut out = payload.to_vec();
    if let Some(t) = Tiff::new(payload) {
        let entry = t.ifd0_entries().and_then(|es| {
            es.into_iter()
                .find(|e| e.tag == TAG_ORIENTATION && e.ty == TYPE_SHORT)
        });
        if let Some(value) = entry.and_then(|e| out.get_mut(e.field..e.field.checked_add(2)?)) {
            let one = if t.little {
                1u16.to_le_bytes()
            } else {
                1u16.to_be_bytes()
            };
            value.copy_from_slice(&one);
        }
    }
    out
}

/// A minimal little-endian TIFF with one IFD0 entry: Copyright.
pub fn copyright_only(text: &str) -> Vec<u8> {
    let mut s = text.as_bytes().to_vec();
    s.retain(|&b| b != 0);
    s.push(0);
    let mut out = Vec::with_capacity(26 + s.len());
    out.extend_from_slice(b"II*\0");
    out.extend_from_slice(&8u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&TAG_COPYRIGHT.to_le_bytes());
    out.extend_from_slice(&TYPE_ASCII.to_le_bytes());
    out.extend_from_slice(&(s.len() as u32).to_le_bytes());
    let data_at = 8 + 2 + 12 + 4;
    if s.len() <= 4 {
        let mut v = [0u8; 4];
        v[..s.len()].copy_from_slice(&s);
        out.extend_from_slice(&v);
        out.extend_from_slice(&0u32.to_le_bytes());
    } else {
        out.extend_from_slice(&(data_at as u32).to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(&s);
    }
    out
}

/// What EXIF (TIFF bytes, no `Exif\0\0` prefix) the output carries for a `metadata` mode.
pub fn for_output(input_exif: Option<&[u8]>, mode: crate::options::Metadata) -> Option<Vec<u8>> {
    use crate::options::Metadata;
    let exif = input_exif?;
    match mode {
        Metadata::None => None,
        Metadata::Copyright => copyright(exif).map(|c| copyright_only(&c)),
        Metadata::Keep => Some(with_orientation_reset(exif)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copyright_round_trip() {
        let t = copyright_only("(c) 2026 Someone");
        assert_eq!(copyright(&t).as_deref(), Some("(c) 2026 Someone"));
        assert_eq!(orientation(&t), 1);
        let short = copyright_only("ab");
        assert_eq!(copyright(&short).as_deref(), Some("ab"));
    }

    #[test]
    fn hostile_ifd_counts_do_not_allocate() {
        let mut t = b"II*\0\x08\0\0\0\xff\xff".to_vec();
        t.extend_from_slice(&[0; 12]);
        assert_eq!(orientation(&t), 1);
        assert_eq!(copyright(&t), None);
    }
}
