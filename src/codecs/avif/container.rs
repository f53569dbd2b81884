//! The part of HEIF/ISOBMFF (ISO/IEC 23008-12, 14496-12) an AVIF still image needs: the primary
//! item's AV1 payload, its alpha auxiliary item, and the properties that change how pixels are
//! read (`av1C`, `ispe`, `colr` nclx, `pixi`). Orientation (`irot`, `imir`) is the probe's job.
//! Every size and offset comes from the file, so all arithmetic is checked and every slice is
//! bounds-checked before use; errors are static sentences for the caller to wrap.

pub type Result<T> = std::result::Result<T, &'static str>;

/// nclx colour description: code points of ITU-T H.273.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Nclx {
    pub primaries: u16,
    pub transfer: u16,
    pub matrix: u16,
    pub full_range: bool,
}

#[derive(Debug, Default)]
pub struct Image {
    /// AV1 OBUs of the item (extents concatenated).
    pub data: Vec<u8>,
    pub width: u32,
    pub height: u32,
    pub nclx: Option<Nclx>,
    pub icc: Option<Vec<u8>>,
}

#[derive(Debug, Default)]
pub struct Avif {
    pub color: Image,
    pub alpha: Option<Image>,
    /// The colour item carries alpha-premultiplied samples (`prem` reference).
    pub premultiplied: bool,
}

/// Why a well-formed file is still refused: the caller answers 415 for these, 422 for the rest.
pub const GRID: &str = "AVIF grid (tiled) images are not supported yet";
pub const NOT_AV1: &str = "the primary item is not an AV1 image";

const ALPHA_URNS: [&[u8]; 2] = [
    b"urn:mpeg:mpegB:cicp:systems:auxiliary:alpha",
    b"urn:mpeg:hevc:2015:auxid:1",
];

struct Reader<'a> {
    d: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn new(d: &'a [u8]) -> Self {
        Reader { d, pos: 0 }
    }
    fn bytes(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self.pos.checked_add(n).ok_or("box field overflows")?;
        let s = self.d.get(self.pos..end).ok_or("box is truncated")?;
        self.pos = end;
        Ok(s)
    }
    fn uint(&mut self, n: usize) -> Result<u64> {
        Ok(self
            .bytes(n)?
            .iter()
            .fold(0u64, |a, &b| (a << 8) | b as u64))
    }
    fn u8(&mut self) -> Result<u8> {
        Ok(self.bytes(1)?[0])
    }
    fn u16(&mut self) -> Result<u16> {
        Ok(self.uint(2)? as u16)
    }
    fn u32(&mut self) -> Result<u32> {
        Ok(self.uint(4)? as u32)
    }
    /// version (8 bits) and flags (24 bits) of a FullBox.
    fn full(&mut self) -> Result<(u8, u32)> {
        let v = self.u32()?;
        Ok(((v >> 24) as u8, v & 0xFF_FFFF))
    }
    fn rest(&mut self) -> &'a [u8] {
        let s = &self.d[self.pos.min(self.d.len())..];
        self.pos = self.d.len();
        s
    }
}

/// Child boxes of `d` as (type, body). A size of 0 runs to the end; 64-bit sizes are read.
fn boxes(d: &[u8]) -> Result<Vec<([u8; 4], &[u8])>> {
    let mut out = Vec::new();
    let mut r = Reader::new(d);
    while r.pos < d.len() {
        let start = r.pos;
        let size = r.u32()? as u64;
        let kind: [u8; 4] = r.bytes(4)?.try_into().map_err(|_| "box is truncated")?;
        let size = match size {
            0 => (d.len() - start) as u64,
            1 => r.uint(8)?,
            s => s,
        };
        let header = (r.pos - start) as u64;
        if size < header {
            return Err("box size is smaller than its header");
        }
        let len = usize::try_from(size - header).map_err(|_| "box is too large")?;
        out.push((kind, r.bytes(len)?));
    }
    Ok(out)
}

fn find<'a>(list: &[([u8; 4], &'a [u8])], kind: &[u8; 4]) -> Option<&'a [u8]> {
    list.iter().find(|(k, _)| k == kind).map(|(_, b)| *b)
}

struct Extent {
    offset: u64,
    length: u64,
}

struct Location {
    method: u8,
    extents: Vec<Extent>,
}

#[derive(Default, Clone)]
struct Props {
    av1c: bool,
    ispe: Option<(u32, u32)>,
    nclx: Option<Nclx>,
    icc: Option<Vec<u8>>,
    alpha_aux: bool,
}

pub fn parse(file: &[u8]) -> Result<Avif> {
    let top = boxes(file)?;
    let ftyp = find(&top, b"ftyp").ok_or("no ftyp box: not an AVIF file")?;
    let brands = ftyp.get(8..).unwrap_or(&[]);
    let is_avif = ftyp.get(..4) == Some(b"avif")
        || brands.chunks_exact(4).any(|b| b == b"avif" || b == b"avis");
    if !is_avif {
        return Err("the file is HEIF but not AVIF");
    }
    let meta = find(&top, b"meta").ok_or("no meta box")?;
    let mut r = Reader::new(meta);
    r.full()?;
    let meta = boxes(r.rest())?;

    let primary = {
        let mut r = Reader::new(find(&meta, b"pitm").ok_or("no primary item (pitm)")?);
        let (v, _) = r.full()?;
        if v == 0 {
            r.u16()? as u32
        } else {
            r.u32()?
        }
    };
    let types = item_types(find(&meta, b"iinf").ok_or("no item info (iinf)")?)?;
    let locs = locations(find(&meta, b"iloc").ok_or("no item locations (iloc)")?)?;
    let refs = match find(&meta, b"iref") {
        Some(b) => references(b)?,
        None => Vec::new(),
    };
    let props = match find(&meta, b"iprp") {
        Some(b) => properties(b)?,
        None => Vec::new(),
    };
    let idat = find(&meta, b"idat");
    let props_of = |id: u32| {
        props
            .iter()
            .find(|(i, _)| *i == id)
            .map(|(_, p)| p.clone())
            .unwrap_or_default()
    };

    match types.iter().find(|(id, _)| *id == primary).map(|(_, t)| t) {
        Some(b"av01") => {}
        Some(b"grid") => return Err(GRID),
        _ => return Err(NOT_AV1),
    }
    let image = |id: u32| -> Result<Image> {
        let p = props_of(id);
        if !p.av1c {
            return Err("an AV1 item has no av1C property");
        }
        let (width, height) = p.ispe.ok_or("an image item has no size (ispe)")?;
        let loc = locs
            .iter()
            .find(|(i, _)| *i == id)
            .map(|(_, l)| l)
            .ok_or("an image item has no location")?;
        Ok(Image {
            data: payload(file, idat, loc)?,
            width,
            height,
            nclx: p.nclx,
            icc: p.icc,
        })
    };
    let color = image(primary)?;
    // alpha: an av01 item whose auxl reference points at the primary item and whose auxC
    // names alpha
    let alpha_id = refs
        .iter()
        .filter(|r| &r.kind == b"auxl" && r.to.contains(&primary))
        .map(|r| r.from)
        .find(|id| props_of(*id).alpha_aux && types.iter().any(|(i, t)| i == id && t == b"av01"));
    let alpha = alpha_id.map(image).transpose()?;
    let premultiplied = alpha_id.is_some_and(|a| {
        refs.iter()
            .any(|r| &r.kind == b"prem" && r.from == primary && r.to.contains(&a))
    });
    Ok(Avif {
        color,
        alpha,
        premultiplied,
    })
}

fn item_types(iinf: &[u8]) -> Result<Vec<(u32, [u8; 4])>> {
    let mut r = Reader::new(iinf);
    let (v, _) = r.full()?;
    let count = if v == 0 { r.u16()? as u32 } else { r.u32()? };
    let entries = boxes(r.rest())?;
    if entries.len() < count as usize {
        return Err("iinf lists fewer items than it declares");
    }
    let mut out = Vec::with_capacity(entries.len());
    for (kind, body) in entries {
        if &kind != b"infe" {
            continue;
        }
        let mut r = Reader::new(body);
        let (v, _) = r.full()?;
        if v < 2 {
            continue; // versions 0 and 1 carry no item type: never an image
        }
        let id = if v == 2 { r.u16()? as u32 } else { r.u32()? };
        r.u16()?; // protection index
        let t: [u8; 4] = r.bytes(4)?.try_into().map_err(|_| "infe is truncated")?;
        out.push((id, t));
    }
    Ok(out)
}

fn locations(iloc: &[u8]) -> Result<Vec<(u32, Location)>> {
    let mut r = Reader::new(iloc);
    let (v, _) = r.full()?;
    if v > 2 {
        return Err("unknown iloc version");
    }
    let sizes = r.u16()?;
    let (off_size, len_size, base_size) = (
        (sizes >> 12) as usize,
        ((sizes >> 8) & 15) as usize,
        ((sizes >> 4) & 15) as usize,
    );
    let index_size = if v >= 1 { (sizes & 15) as usize } else { 0 };
    for s in [off_size, len_size, base_size, index_size] {
        if ![0, 4, 8].contains(&s) {
            return Err("iloc field size must be 0, 4 or 8");
        }
    }
    let count = if v < 2 { r.u16()? as u32 } else { r.u32()? };
    let mut out = Vec::new();
    for _ in 0..count {
        let id = if v < 2 { r.u16()? as u32 } else { r.u32()? };
        let method = if v >= 1 { (r.u16()? & 15) as u8 } else { 0 };
        r.u16()?; // data reference index: 0 = this file
        let base = r.uint(base_size)?;
        let n = r.u16()?;
        let mut extents = Vec::new();
        for _ in 0..n {
            r.uint(index_size)?;
            let offset = base
                .checked_add(r.uint(off_size)?)
                .ok_or("iloc offset overflows")?;
            let length = r.uint(len_size)?;
            extents.push(Extent { offset, length });
        }
        out.push((id, Location { method, extents }));
    }
    Ok(out)
}

/// One `iref` entry: `from` refers to each of `to` with reference type `kind`.
struct Reference {
    kind: [u8; 4],
    from: u32,
    to: Vec<u32>,
}

fn references(iref: &[u8]) -> Result<Vec<Reference>> {
    let mut r = Reader::new(iref);
    let (v, _) = r.full()?;
    let mut out = Vec::new();
    for (kind, body) in boxes(r.rest())? {
        let mut r = Reader::new(body);
        let id = |r: &mut Reader| {
            if v == 0 {
                r.u16().map(u32::from)
            } else {
                r.u32()
            }
        };
        let from = id(&mut r)?;
        let n = r.u16()?;
        let mut to = Vec::new();
        for _ in 0..n {
            to.push(id(&mut r)?);
        }
        out.push(Reference { kind, from, to });
    }
    Ok(out)
}

fn properties(iprp: &[u8]) -> Result<Vec<(u32, Props)>> {
    let list = boxes(iprp)?;
    let ipco = boxes(find(&list, b"ipco").ok_or("no ipco box")?)?;
    let mut out: Vec<(u32, Props)> = Vec::new();
    for (_, ipma) in list.iter().filter(|(k, _)| k == b"ipma") {
        let mut r = Reader::new(ipma);
        let (v, flags) = r.full()?;
        let n = r.u32()?;
        for _ in 0..n {
            let id = if v < 1 { r.u16()? as u32 } else { r.u32()? };
            let count = r.u8()?;
            let mut p = Props::default();
            for _ in 0..count {
                let index = if flags & 1 == 1 {
                    (r.u16()? & 0x7FFF) as usize
                } else {
                    (r.u8()? & 0x7F) as usize
                };
                // index 0 means "no property"; indices are 1-based into ipco
                let Some((kind, body)) = index.checked_sub(1).and_then(|i| ipco.get(i)) else {
                    continue;
                };
                apply(&mut p, kind, body)?;
            }
            out.push((id, p));
        }
    }
    Ok(out)
}

fn apply(p: &mut Props, kind: &[u8; 4], body: &[u8]) -> Result<()> {
    match kind {
        b"av1C" => p.av1c = true,
        b"ispe" => {
            let mut r = Reader::new(body);
            r.full()?;
            p.ispe = Some((r.u32()?, r.u32()?));
        }
        b"colr" => {
            let mut r = Reader::new(body);
            match r.bytes(4)? {
                b"nclx" => {
                    let (primaries, transfer, matrix) = (r.u16()?, r.u16()?, r.u16()?);
                    let full_range = r.u8()? & 0x80 != 0;
                    p.nclx = Some(Nclx {
                        primaries,
                        transfer,
                        matrix,
                        full_range,
                    });
                }
                b"prof" | b"rICC" => p.icc = Some(r.rest().to_vec()),
                _ => {}
            }
        }
        b"auxC" => {
            let mut r = Reader::new(body);
            r.full()?;
            let urn = r.rest();
            let urn = &urn[..urn.iter().position(|&b| b == 0).unwrap_or(urn.len())];
            p.alpha_aux = ALPHA_URNS.contains(&urn);
        }
        _ => {}
    }
    Ok(())
}

fn payload(file: &[u8], idat: Option<&[u8]>, loc: &Location) -> Result<Vec<u8>> {
    let src = match loc.method {
        0 => file,
        1 => idat.ok_or("an item lives in idat but there is none")?,
        _ => return Err("item construction method 2 is not supported"),
    };
    let mut total: usize = 0;
    let mut spans = Vec::with_capacity(loc.extents.len());
    for e in &loc.extents {
        let start = usize::try_from(e.offset).map_err(|_| "item offset is out of range")?;
        // length 0: the extent runs to the end of the source
        let len = if e.length == 0 {
            src.len()
                .checked_sub(start)
                .ok_or("item lies outside the file")?
        } else {
            usize::try_from(e.length).map_err(|_| "item length is out of range")?
        };
        let end = start.checked_add(len).ok_or("item extent overflows")?;
        if end > src.len() {
            return Err("item lies outside the file");
        }
        total = total.checked_add(len).ok_or("item is too large")?;
        spans.push(start..end);
    }
    if total == 0 {
        return Err("an image item is empty");
    }
    // bounded by the file's size: every extent was checked against it
    let mut out = Vec::with_capacity(total);
    for s in spans {
        out.extend_from_slice(&src[s]);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corpus(name: &str) -> Vec<u8> {
        std::fs::read(format!("../shared/corpus/conformance/avif/{name}")).unwrap()
    }

    #[test]
    fn reads_the_primary_item_and_its_size() {
        let a = parse(&corpus("kimono.avif")).unwrap();
        assert_eq!((a.color.width, a.color.height), (722, 1024));
        // an AV1 temporal unit starts with an OBU header: forbidden bit 0, type 1..=8
        assert_eq!(a.color.data[0] & 0x80, 0);
        assert!((1..=8).contains(&((a.color.data[0] >> 3) & 15)));
        assert!(a.alpha.is_none());
    }

    #[test]
    fn truncated_files_are_errors_not_panics() {
        let f = corpus("fox.profile0.8bpc.yuv420.avif");
        for cut in (0..f.len()).step_by(97) {
            let _ = parse(&f[..cut]);
        }
        assert!(parse(&f[..f.len() / 2]).is_err());
    }
}
