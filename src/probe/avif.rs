use super::{base, Walked};
use crate::cursor::Cursor;
use crate::error::{Error, Result};
use crate::format::ImageFormat;
use crate::pixels::orient::Orientation;

/// Walks ISOBMFF boxes down to `meta/iprp/ipco` for the image size (`ispe`), rotation (`irot`),
/// mirroring (`imir`) and an ICC `colr`. The largest `ispe` is the primary image: the alpha
/// plane and grid tiles are never larger.
pub(super) fn probe(data: &[u8]) -> Result<Walked> {
    let mut p = base(ImageFormat::Avif, data, 0, 0);
    let mut orient = Orientation::IDENTITY;
    walk(data, 0, &mut |kind, body| {
        let mut b = Cursor::new(body);
        match kind {
            b"ispe" => {
                b.skip(4); // version and flags
                let (w, h) = (b.be32().unwrap_or(0), b.be32().unwrap_or(0));
                if w as u64 * h as u64 > p.width as u64 * p.height as u64 {
                    p.width = w;
                    p.height = h;
                }
            }
            // irot: anticlockwise quarter turns; imir: 0 mirrors left-right, 1 top-bottom
            b"irot" => {
                if let Some(r) = b.u8() {
                    let turn = match r & 3 {
                        1 => 8,
                        2 => 3,
                        3 => 6,
                        _ => 1,
                    };
                    orient = orient.then(Orientation::from_exif(turn));
                }
            }
            b"imir" => {
                if let Some(m) = b.u8() {
                    orient = orient.then(Orientation::from_exif(if m & 1 == 0 { 2 } else { 4 }));
                }
            }
            b"colr" if body.starts_with(b"prof") || body.starts_with(b"rICC") => {
                p.has_icc = true;
                p.icc_bytes = body.len() as u64;
            }
            b"auxC" if body.windows(5).any(|w| w == b"alpha") => p.has_alpha = true,
            _ => {}
        }
    })?;
    p.orientation = orient.to_exif();
    Ok(Walked::sound(p))
}

/// Visits the leaves of the box tree under `meta`. A box that declares more bytes than its
/// parent holds is corruption, except a top-level `mdat` (the coded pixels), which a truncated
/// file may cut short.
fn walk(data: &[u8], depth: u8, visit: &mut dyn FnMut(&[u8; 4], &[u8])) -> Result<()> {
    let corrupt = |why: String| Error::corrupt("AVIF", why);
    if depth >= 8 {
        return Err(corrupt("boxes nest deeper than 8 levels".into()));
    }
    let mut c = Cursor::new(data);
    while c.remaining() >= 8 {
        let size = c.be32().unwrap_or(0) as u64;
        let kind: [u8; 4] = c.array().unwrap_or([0; 4]);
        let (header, size) = match size {
            0 => (8, 8 + c.remaining() as u64), // the box runs to the end of its parent
            1 => (16, c.be64().unwrap_or(0)),
            s => (8, s),
        };
        let body_len = size
            .checked_sub(header)
            .ok_or_else(|| corrupt(format!("box {} is smaller than its header", name(&kind))))?;
        let body = match c.take(body_len) {
            Some(b) => b,
            None if depth == 0 && &kind == b"mdat" => return Ok(()),
            None => {
                return Err(corrupt(format!(
                    "box {} declares {size} bytes, past the end of its container",
                    name(&kind)
                )))
            }
        };
        match &kind {
            // meta is a full box: version and flags precede its children
            b"meta" => walk(body.get(4..).unwrap_or(&[]), depth + 1, visit)?,
            b"iprp" | b"ipco" => walk(body, depth + 1, visit)?,
            _ => visit(&kind, body),
        }
    }
    Ok(())
}

fn name(kind: &[u8; 4]) -> String {
    String::from_utf8_lossy(kind).into_owned()
}
