use super::{base, be32, Probe};
use crate::error::Result;
use crate::format::ImageFormat;
use crate::pixels::orient::Orientation;

/// Walks ISOBMFF boxes down to `meta/iprp/ipco` for the image size (`ispe`), rotation (`irot`),
/// mirroring (`imir`) and an ICC `colr`. The largest `ispe` is the primary image: the alpha
/// plane and grid tiles are never larger.
pub(super) fn probe(data: &[u8]) -> Result<Probe> {
    let mut p = base(ImageFormat::Avif, data, 0, 0);
    let mut orient = Orientation::IDENTITY;
    walk(data, 0, data.len(), 0, &mut |kind, body| match kind {
        b"ispe" if body.len() >= 12 => {
            let (w, h) = (be32(body, 4).unwrap_or(0), be32(body, 8).unwrap_or(0));
            if w as u64 * h as u64 > p.width as u64 * p.height as u64 {
                p.width = w;
                p.height = h;
            }
        }
        // irot: anticlockwise quarter turns; imir: 0 mirrors left-right, 1 top-bottom
        b"irot" if !body.is_empty() => {
            let turn = match body[0] & 3 {
                1 => 8,
                2 => 3,
                3 => 6,
                _ => 1,
            };
            orient = orient.then(Orientation::from_exif(turn));
        }
        b"imir" if !body.is_empty() => {
            orient = orient.then(Orientation::from_exif(if body[0] & 1 == 0 { 2 } else { 4 }));
        }
        b"colr" if body.starts_with(b"prof") || body.starts_with(b"rICC") => p.has_icc = true,
        b"auxC" if body.windows(5).any(|w| w == b"alpha") => p.has_alpha = true,
        _ => {}
    });
    p.orientation = orient.to_exif();
    Ok(p)
}

fn walk(data: &[u8], start: usize, end: usize, depth: u8, visit: &mut dyn FnMut(&[u8; 4], &[u8])) {
    let mut pos = start;
    while pos + 8 <= end && depth < 8 {
        let Some(size) = be32(data, pos) else { return };
        let kind: [u8; 4] = data[pos + 4..pos + 8].try_into().unwrap_or([0; 4]);
        let (header, size) = match size {
            0 => (8, end - pos),
            1 => return, // 64-bit sizes never occur in still-image metadata
            s => (8, s as usize),
        };
        if size < header || pos + size > end {
            return;
        }
        let body = &data[pos + header..pos + size];
        match &kind {
            b"meta" => walk(data, pos + header + 4, pos + size, depth + 1, visit),
            b"iprp" | b"ipco" => walk(data, pos + header, pos + size, depth + 1, visit),
            _ => visit(&kind, body),
        }
        pos += size;
    }
}
