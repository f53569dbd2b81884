//! The decode driver. It works one MCU row at a time and keeps no coefficient plane of the
//! image:
//! - a sequential frame whose first scan holds every component (nearly every baseline file)
//!   is entropy-decoded, transformed and emitted row by row from one bit reader;
//! - any other frame (progressive, or sequential with one scan per component) is first walked
//!   for its scan headers; then every scan gets its own bit reader, and for each MCU row the
//!   scans are advanced in file order over that row's blocks. Since every scan codes the
//!   image top to bottom, this gives each block exactly the coefficient history the file
//!   order gives it, while only one MCU row of coefficients exists at a time.
//!
//! At a reduced scale, coefficients the IDCT does not read are skipped; whole progressive
//! scans are skipped when neither the output nor a later refinement scan reads their band.

use super::bits::BitReader;
use super::convert::ColorSpace;
use super::huffman::Huffman;
use super::idct;
use super::layout::{CompLayout, Layout};
use super::markers::{Coding, Frame, Parser, ScanHeader};
use super::output::{cols_len, ring_len, tmp_len, Rows};
use super::progressive::{self, Corner};
use super::sequential::{
    clear_corner, corner_mask_zigzag, decode_block, last_needed, routing, Block, DISCARD,
};
use crate::error::{Error, ErrorCode, Result};
use crate::limits::Limits;

/// Scans kept for one frame; a file with more is decoded from its first `MAX_SCANS` (libjpeg's
/// default progression has 10, mozjpeg's rarely more than 20).
pub(super) const MAX_SCANS: usize = 128;
/// Distinct Huffman tables built for one frame; further scans are dropped the same way.
pub(super) const MAX_TABLES: usize = 64;

pub(super) struct Image {
    pub width: u32,
    pub height: u32,
    pub space: ColorSpace,
    pub pixels: Vec<u8>,
    pub icc: Option<Vec<u8>>,
}

pub(super) enum Outcome {
    Decoded(Image),
    /// The frame needs a decoder this module does not have (see `frame_supported`); the
    /// caller falls back to jpeg-decoder.
    Unsupported,
}

fn corrupt(why: &str) -> Error {
    Error::corrupt("JPEG", why)
}

/// Whether this decoder handles a frame: 8-bit Huffman-coded DCT (sequential or progressive)
/// with 1, 3 or 4 components and integer sampling ratios. Everything else is the fallback's.
pub(super) fn frame_supported(
    coding: Coding,
    precision: u8,
    sampling: &[(u8, u8)],
    width: u32,
    height: u32,
) -> std::result::Result<(), &'static str> {
    if coding == Coding::Other {
        return Err("lossless, hierarchical or arithmetic-coded frame");
    }
    if precision != 8 {
        return Err("sample precision other than 8 bits");
    }
    if !matches!(sampling.len(), 1 | 3 | 4) {
        return Err("component count other than 1, 3 or 4");
    }
    Layout::new(width, height, sampling, 1).ok_or("sampling factors")?;
    Ok(())
}

/// Upper bound of the heap this decoder holds at once for a frame, in bytes: output frame,
/// the working set, the parser's state and the ICC profile (`icc_bytes`: the APP2 payloads'
/// total). The RGB copy of a CMYK frame is made after the decoder has freed its working set;
/// the plan's model (`super::decode_footprint`) counts it there.
pub(super) fn peak_bytes(
    layout: &Layout,
    channels: usize,
    multi_scan: bool,
    icc_bytes: u64,
) -> u64 {
    let frame = layout.out_w as u64 * layout.out_h as u64 * channels as u64;
    frame + working_bytes(layout, multi_scan) + PARSER_BYTES + icc_bytes
}

/// DHT definitions as the parser keeps them, the ICC chunk list (grown by doubling) and small
/// per-frame state.
pub(super) const PARSER_BYTES: u64 = 8 * (256 + 64) + 2 * 256 * 32 + 4096;

/// What the decoder allocates besides the output frame while it runs: component row rings,
/// upsampling rows and column sums, the Huffman tables, and for a multi-scan frame the scan
/// states and one MCU row of coefficient corners. Grows with the output's width only.
pub(super) fn working_bytes(layout: &Layout, multi_scan: bool) -> u64 {
    let rows: u64 = layout.comps.iter().map(|c| ring_len(c) as u64).sum::<u64>()
        + (layout.comps.len() * tmp_len(layout)) as u64
        + 2 * cols_len(layout) as u64;
    let huffman = super::huffman::heap_bytes();
    let (coefs, tables, scans) = if multi_scan {
        (
            layout
                .comps
                .iter()
                // the corner's i16 values and the nonzero mask of each block
                .map(|c| row_blocks(c, layout.mcus_x) as u64 * (2 * (c.idct * c.idct) as u64 + 8))
                .sum::<u64>(),
            MAX_TABLES as u64 * huffman,
            MAX_SCANS as u64 * std::mem::size_of::<ScanState>() as u64,
        )
    } else {
        (0, 8 * huffman, std::mem::size_of::<ScanState>() as u64)
    };
    rows + coefs + tables + scans
}

/// Blocks of one MCU row of a component.
fn row_blocks(c: &CompLayout, mcus_x: usize) -> usize {
    c.v * mcus_x * c.h
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Sequential,
    DcFirst,
    DcRefine,
    AcFirst,
    AcRefine,
}

struct ScanState<'a> {
    hdr: ScanHeader,
    kind: Kind,
    reader: BitReader<'a>,
    /// Indices into the table list, per scan component.
    dc: [usize; 4],
    ac: [usize; 4],
    restart_interval: u32,
    restarts_to_go: u32,
    preds: [i32; 4],
    eobrun: u32,
    /// The scan's data ran out (or hit a marker) within the current restart interval: its
    /// remaining blocks are left as they are, as libjpeg does.
    exhausted: bool,
    /// Last zigzag index stored by an AC first scan (the rest is skipped).
    keep: usize,
}

impl ScanState<'_> {
    /// Restart bookkeeping before an MCU; false when the MCU's data is missing.
    #[inline(always)]
    fn begin_mcu(&mut self) -> bool {
        if self.restart_interval > 0 {
            if self.restarts_to_go == 0 {
                if self.reader.restart() {
                    self.preds = [0; 4];
                    self.eobrun = 0;
                    self.exhausted = false;
                } else {
                    self.exhausted = true;
                }
                self.restarts_to_go = self.restart_interval;
            }
            self.restarts_to_go -= 1;
        }
        !self.exhausted
    }

    #[inline(always)]
    fn end_mcu(&mut self) {
        if self.reader.overran() {
            self.exhausted = true;
        }
    }
}

/// Decodes a whole frame at 1/`denom` scale.
pub(super) fn decode(data: &[u8], denom: u32, limits: &Limits) -> Result<Outcome> {
    let mut p = Parser::new(data)?;
    let first = p.next_scan()?;
    let frame = p
        .frame
        .clone()
        .ok_or_else(|| corrupt("no frame header (SOF) before the first scan"))?;
    let sampling: Vec<(u8, u8)> = frame.components.iter().map(|c| (c.h, c.v)).collect();
    let (w, h) = (frame.width as u32, frame.height as u32);
    if frame_supported(frame.coding, frame.precision, &sampling, w, h).is_err() {
        return Ok(Outcome::Unsupported);
    }
    let first = first.ok_or_else(|| corrupt("no scan"))?;
    if w == 0 || h == 0 {
        return Err(corrupt("the frame declares a zero dimension"));
    }
    let space = color_space(&frame, p.jfif, p.adobe_transform)?;
    let layout = Layout::new(w, h, &sampling, denom).ok_or_else(|| corrupt("sampling factors"))?;
    let single = frame.coding == Coding::Sequential && first.count == frame.components.len();
    let channels = space.channels();
    super::super::check_decoded_size(layout.out_w as u32, layout.out_h as u32, channels, limits)?;
    let icc_bytes: u64 = p.icc.iter().map(|c| c.data.len() as u64).sum();
    let peak = peak_bytes(&layout, channels, !single, icc_bytes);
    if peak > limits.max_decoded_bytes as u64 {
        return Err(Error::new(
            ErrorCode::TooManyPixels,
            format!(
                "decoding this JPEG at 1/{denom} needs {} MB, above the {} MB budget of one transform",
                peak >> 20,
                limits.max_decoded_bytes >> 20
            ),
        ));
    }
    let size = usize::try_from(layout.out_w as u64 * layout.out_h as u64 * channels as u64)
        .map_err(|_| {
            Error::new(
                ErrorCode::TooManyPixels,
                "the decoded frame does not fit in memory",
            )
        })?;
    let (out_w, out_h) = (layout.out_w as u32, layout.out_h as u32);
    let mut rows = Rows::new(layout, space, vec![0u8; size]);
    let mut ctx = Context::new(&frame, &rows.layout);
    if single {
        ctx.latch_quant(&p, &first)?;
        let mut tables = Vec::with_capacity(8);
        let start = p.pos;
        let mut scan = ctx.scan_state(&p, &first, &mut tables, start)?;
        single_scan(&ctx, &mut scan, &tables, &mut rows);
    } else {
        multi_scan(&mut ctx, &mut p, first, &mut rows)?;
    }
    Ok(Outcome::Decoded(Image {
        width: out_w,
        height: out_h,
        space,
        pixels: rows.pixels,
        icc: p.icc_profile(),
    }))
}

/// libjpeg's and jpeg-decoder's reading of the component ids and the JFIF/Adobe markers.
fn color_space(frame: &Frame, jfif: bool, adobe: Option<u8>) -> Result<ColorSpace> {
    let c = &frame.components;
    Ok(match c.len() {
        1 => ColorSpace::Gray,
        3 => match (c[0].id, c[1].id, c[2].id) {
            (1, 2, 3) => ColorSpace::YCbCr,
            (b'R', b'G', b'B') => ColorSpace::Rgb,
            (1, 34, 35) | (b'r', b'g', b'b') => {
                return Err(Error::new(
                    ErrorCode::UnsupportedFormat,
                    "unsupported JPEG feature: big-gamut YCC/RGB colour transform",
                ))
            }
            _ if jfif => ColorSpace::YCbCr,
            _ if adobe == Some(0) => ColorSpace::Rgb,
            _ => ColorSpace::YCbCr,
        },
        _ => match adobe {
            Some(0) | None => ColorSpace::Cmyk,
            Some(_) => ColorSpace::Ycck,
        },
    })
}

/// Per-frame state the scan decoders share.
struct Context {
    comps: Vec<CompLayout>,
    /// Dequantization per component, natural order plus a zero for `DISCARD` (latched at the
    /// component's first scan).
    quant: [Option<[i32; 65]>; 4],
    tq: [u8; 4],
    mcus_x: usize,
    mcus_y: usize,
    /// Last zigzag index each component's IDCT reads.
    keep: [usize; 4],
    /// Where each zigzag position of a component is stored (see `sequential::routing`).
    route: [[u8; 64]; 4],
    /// The same for the row store of multi-scan frames (see `progressive::Corner`).
    store: Vec<Corner>,
    table_keys: Vec<(usize, u32)>,
}

impl Context {
    fn new(frame: &Frame, l: &Layout) -> Context {
        let mut c = Context {
            comps: l.comps.clone(),
            quant: [None; 4],
            tq: [0; 4],
            mcus_x: l.mcus_x,
            mcus_y: l.mcus_y,
            keep: [0; 4],
            route: [[DISCARD as u8; 64]; 4],
            store: l.comps.iter().map(|c| Corner::new(c.idct)).collect(),
            table_keys: Vec::new(),
        };
        for (i, comp) in l.comps.iter().enumerate() {
            c.tq[i] = frame.components[i].tq;
            c.keep[i] = last_needed(comp.idct);
            c.route[i] = routing(comp.idct);
        }
        c
    }

    fn latch_quant(&mut self, p: &Parser, scan: &ScanHeader) -> Result<()> {
        for &ci in &scan.comps[..scan.count] {
            if self.quant[ci].is_none() {
                let t = p.qt[self.tq[ci] as usize & 3]
                    .ok_or_else(|| corrupt("a component's quantization table is missing"))?;
                let mut q = [0i32; 65];
                for (d, &v) in q.iter_mut().zip(&t) {
                    *d = v as i32;
                }
                self.quant[ci] = Some(q);
            }
        }
        Ok(())
    }

    /// The table for DHT slot `slot` as defined now, built once per definition.
    fn table(&mut self, p: &Parser, slot: usize, tables: &mut Vec<Box<Huffman>>) -> Result<usize> {
        let key = (slot, p.huff_version[slot]);
        if let Some(i) = self.table_keys.iter().position(|k| *k == key) {
            return Ok(i);
        }
        if tables.len() >= MAX_TABLES {
            return Err(Error::new(
                ErrorCode::UnsupportedFormat,
                "unsupported JPEG feature: more Huffman table definitions than any encoder writes",
            ));
        }
        let dc = slot < 4;
        let table = match &p.huff[slot] {
            Some(spec) => Huffman::new(spec, dc)?,
            None => {
                let spec = super::huffman::standard_table(dc, slot % 4)
                    .ok_or_else(|| corrupt("a scan uses a Huffman table that was never defined"))?;
                Huffman::new(&spec, dc)?
            }
        };
        tables.push(table);
        self.table_keys.push(key);
        Ok(tables.len() - 1)
    }

    fn scan_state<'a>(
        &mut self,
        p: &Parser<'a>,
        hdr: &ScanHeader,
        tables: &mut Vec<Box<Huffman>>,
        data_start: usize,
    ) -> Result<ScanState<'a>> {
        let kind = scan_kind(hdr, p.frame.as_ref().map(|f| f.coding))?;
        let mut dc = [0; 4];
        let mut ac = [0; 4];
        for i in 0..hdr.count {
            if matches!(kind, Kind::Sequential | Kind::DcFirst) {
                dc[i] = self.table(p, hdr.dc_table[i], tables)?;
            }
            if matches!(kind, Kind::Sequential | Kind::AcFirst | Kind::AcRefine) {
                ac[i] = self.table(p, hdr.ac_table[i], tables)?;
            }
        }
        let ri = p.restart_interval as u32;
        Ok(ScanState {
            hdr: *hdr,
            kind,
            reader: BitReader::new(p.data(), data_start),
            dc,
            ac,
            restart_interval: ri,
            restarts_to_go: ri,
            preds: [0; 4],
            eobrun: 0,
            exhausted: false,
            keep: 63,
        })
    }
}

fn scan_kind(h: &ScanHeader, coding: Option<Coding>) -> Result<Kind> {
    if coding != Some(Coding::Progressive) {
        return Ok(Kind::Sequential);
    }
    let bad = || corrupt("a progressive scan has invalid spectral or approximation parameters");
    if h.se > 63 || h.ss > h.se || h.al > 13 || (h.ah != 0 && h.al + 1 != h.ah) {
        return Err(bad());
    }
    Ok(match (h.ss, h.ah) {
        (0, _) if h.se != 0 => return Err(bad()),
        (0, 0) => Kind::DcFirst,
        (0, _) => Kind::DcRefine,
        _ if h.count != 1 => return Err(bad()),
        (_, 0) => Kind::AcFirst,
        _ => Kind::AcRefine,
    })
}

/// Writes one block's pixels: a flat block (most chroma blocks) is a fill.
#[inline(always)]
fn transform(block: &Block, flat: bool, size: usize, out: &mut [u8], stride: usize) {
    if flat {
        let v = idct::dc_pixel(block[0]);
        for r in 0..size {
            out[r * stride..r * stride + size].fill(v);
        }
        return;
    }
    match size {
        8 => idct::idct8(block, out, stride),
        4 => idct::idct4(block, out, stride),
        2 => idct::idct2(block, out, stride),
        _ => out[0] = idct::dc_pixel(block[0]),
    }
}

/// The common case: one interleaved sequential scan, decoded straight into pixels.
fn single_scan(ctx: &Context, scan: &mut ScanState, tables: &[Box<Huffman>], rows: &mut Rows) {
    let mut block: Block = [0; 65];
    let hdr = scan.hdr;
    const NONE: [i32; 65] = [0; 65];
    for row in 0..ctx.mcus_y {
        if hdr.count == 1 {
            let ci = hdr.comps[0];
            let cl = ctx.comps[ci];
            let q = ctx.quant[ci].as_ref().unwrap_or(&NONE);
            let (dc, ac) = (&tables[scan.dc[0]], &tables[scan.ac[0]]);
            for by in 0..cl.v {
                if row * cl.v + by >= cl.blocks_h {
                    break;
                }
                for bx in 0..cl.blocks_w {
                    let mut any = false;
                    if scan.begin_mcu() {
                        let (r, pred) = (&mut scan.reader, &mut scan.preds[0]);
                        any = decode_block(
                            r,
                            dc,
                            ac,
                            pred,
                            q,
                            &ctx.route[ci],
                            &mut block,
                            ctx.keep[ci],
                        );
                        scan.end_mcu();
                    }
                    let (out, stride) = rows.block(ci, row, by, bx);
                    transform(&block, !any, cl.idct, out, stride);
                    clear_corner(&mut block, cl.idct);
                }
            }
        } else {
            for mx in 0..ctx.mcus_x {
                let go = scan.begin_mcu();
                for i in 0..hdr.count {
                    let ci = hdr.comps[i];
                    let cl = ctx.comps[ci];
                    let q = ctx.quant[ci].as_ref().unwrap_or(&NONE);
                    let (dc, ac) = (&tables[scan.dc[i]], &tables[scan.ac[i]]);
                    for by in 0..cl.v {
                        for bx in 0..cl.h {
                            let mut any = false;
                            if go {
                                let (r, pred) = (&mut scan.reader, &mut scan.preds[i]);
                                let route = &ctx.route[ci];
                                any = decode_block(
                                    r,
                                    dc,
                                    ac,
                                    pred,
                                    q,
                                    route,
                                    &mut block,
                                    ctx.keep[ci],
                                );
                            }
                            let (out, stride) = rows.block(ci, row, by, mx * cl.h + bx);
                            transform(&block, !any, cl.idct, out, stride);
                            clear_corner(&mut block, cl.idct);
                        }
                    }
                }
                if go {
                    scan.end_mcu();
                }
            }
        }
        if row > 0 {
            rows.emit(row - 1);
        }
    }
    rows.emit(ctx.mcus_y - 1);
}

/// Progressive frames and sequential frames with several scans.
fn multi_scan<'a>(
    ctx: &mut Context,
    p: &mut Parser<'a>,
    first: ScanHeader,
    rows: &mut Rows,
) -> Result<()> {
    let mut tables = Vec::with_capacity(MAX_TABLES);
    let mut scans = collect_scans(ctx, p, first, &mut tables)?;
    let needed = plan_scans(ctx, &scans);
    let mut i = 0;
    scans.retain_mut(|s| {
        let keep = needed[i];
        i += 1;
        match keep {
            Some(k) => {
                s.keep = k;
                true
            }
            None => false,
        }
    });
    // One MCU row of coefficients: per block the corner the IDCT reads and the nonzero mask.
    let mut coefs: Vec<Vec<i16>> = ctx
        .comps
        .iter()
        .map(|c| vec![0i16; row_blocks(c, ctx.mcus_x) * c.idct * c.idct])
        .collect();
    let mut nz: Vec<Vec<u64>> = ctx
        .comps
        .iter()
        .map(|c| vec![0u64; row_blocks(c, ctx.mcus_x)])
        .collect();
    let mut block: Block = [0; 65];
    for row in 0..ctx.mcus_y {
        for (c, m) in coefs.iter_mut().zip(nz.iter_mut()) {
            c.fill(0);
            m.fill(0);
        }
        for s in scans.iter_mut() {
            scan_row(ctx, s, &tables, &mut coefs, &mut nz, row, &mut block);
        }
        for (ci, cl) in ctx.comps.iter().enumerate() {
            let q = ctx.quant[ci].as_ref().unwrap_or(&[0; 65]);
            let (n, bw) = (cl.idct, ctx.mcus_x * cl.h);
            for by in 0..cl.v {
                for bx in 0..bw {
                    let at = (by * bw + bx) * n * n;
                    let vals = &coefs[ci][at..at + n * n];
                    let mut flat = true;
                    for (i, &v) in vals.iter().enumerate() {
                        if v != 0 {
                            let nat = i / n * 8 + i % n;
                            block[nat] = (v as i32).wrapping_mul(q[nat]);
                            flat &= i == 0;
                        }
                    }
                    let (out, stride) = rows.block(ci, row, by, bx);
                    transform(&block, flat, n, out, stride);
                    clear_corner(&mut block, n);
                }
            }
        }
        if row > 0 {
            rows.emit(row - 1);
        }
    }
    rows.emit(ctx.mcus_y - 1);
    Ok(())
}

/// One scan's contribution to MCU row `row`.
fn scan_row(
    ctx: &Context,
    s: &mut ScanState,
    tables: &[Box<Huffman>],
    coefs: &mut [Vec<i16>],
    nz: &mut [Vec<u64>],
    row: usize,
    block: &mut Block,
) {
    let hdr = s.hdr;
    if hdr.count == 1 {
        let ci = hdr.comps[0];
        let cl = ctx.comps[ci];
        let (bw, size) = (ctx.mcus_x * cl.h, cl.idct * cl.idct);
        for by in 0..cl.v {
            if row * cl.v + by >= cl.blocks_h {
                break;
            }
            for bx in 0..cl.blocks_w {
                if s.begin_mcu() {
                    let b = by * bw + bx;
                    let store = progressive::Block {
                        coef: &mut coefs[ci][b * size..(b + 1) * size],
                        nz: &mut nz[ci][b],
                    };
                    scan_block(ctx, s, tables, 0, ci, store, block);
                    s.end_mcu();
                }
            }
        }
    } else {
        for mx in 0..ctx.mcus_x {
            if !s.begin_mcu() {
                continue;
            }
            for i in 0..hdr.count {
                let ci = hdr.comps[i];
                let cl = ctx.comps[ci];
                let (bw, size) = (ctx.mcus_x * cl.h, cl.idct * cl.idct);
                for by in 0..cl.v {
                    for bx in 0..cl.h {
                        let b = by * bw + mx * cl.h + bx;
                        let store = progressive::Block {
                            coef: &mut coefs[ci][b * size..(b + 1) * size],
                            nz: &mut nz[ci][b],
                        };
                        scan_block(ctx, s, tables, i, ci, store, block);
                    }
                }
            }
            s.end_mcu();
        }
    }
}

/// One block of one scan: `i` is the component's place in the scan, `ci` in the frame.
#[inline(always)]
fn scan_block(
    ctx: &Context,
    s: &mut ScanState,
    tables: &[Box<Huffman>],
    i: usize,
    ci: usize,
    store: progressive::Block,
    block: &mut Block,
) {
    let h = s.hdr;
    let band = (h.ss, h.se, h.al);
    let corner = &ctx.store[ci];
    let (preds, eobrun) = (&mut s.preds, &mut s.eobrun);
    match s.kind {
        Kind::DcFirst => {
            let t = &tables[s.dc[i]];
            s.reader
                .run(|c| progressive::dc_first(c, t, &mut preds[i], store, h.al))
        }
        Kind::DcRefine => s.reader.run(|c| progressive::dc_refine(c, store, h.al)),
        Kind::AcFirst => {
            let (t, keep) = (&tables[s.ac[i]], s.keep);
            s.reader
                .run(|c| progressive::ac_first(c, t, store, corner, band, keep, eobrun))
        }
        Kind::AcRefine => {
            let t = &tables[s.ac[i]];
            s.reader
                .run(|c| progressive::ac_refine(c, t, store, corner, band, eobrun))
        }
        Kind::Sequential => {
            // raw coefficients into the row store; dequantized with the others at the IDCT
            let mut one = [1i32; 65];
            one[DISCARD] = 0;
            let (dc, ac) = (&tables[s.dc[i]], &tables[s.ac[i]]);
            let (route, keep) = (&ctx.route[ci], ctx.keep[ci]);
            decode_block(
                &mut s.reader,
                dc,
                ac,
                &mut preds[i],
                &one,
                route,
                block,
                keep,
            );
            let n = ctx.comps[ci].idct;
            for (j, c) in store.coef.iter_mut().enumerate() {
                let nat = j / n * 8 + j % n;
                *c = block[nat] as i16;
            }
            clear_corner(block, n);
        }
    }
}

/// Walks the rest of the file for its scans, each with the tables and quantizers in force
/// when it starts. Stops at EOI, at the end of the data, at `MAX_SCANS` or `MAX_TABLES`, or at
/// a damaged segment or scan header after the first scan: the scans before it still decode,
/// as those of a truncated file do.
fn collect_scans<'a>(
    ctx: &mut Context,
    p: &mut Parser<'a>,
    first: ScanHeader,
    tables: &mut Vec<Box<Huffman>>,
) -> Result<Vec<ScanState<'a>>> {
    let mut out = Vec::with_capacity(MAX_SCANS);
    let mut hdr = first;
    loop {
        let start = p.pos;
        let scan = ctx
            .latch_quant(p, &hdr)
            .and_then(|_| ctx.scan_state(p, &hdr, tables, start));
        match scan {
            Ok(s) => out.push(s),
            Err(e) if out.is_empty() => return Err(e),
            Err(_) => break,
        }
        if out.len() >= MAX_SCANS {
            break;
        }
        p.pos = BitReader::new(p.data(), start).end_of_scan();
        match p.next_scan() {
            Ok(Some(h)) => hdr = h,
            _ => break,
        }
    }
    Ok(out)
}

/// Which scans matter at this scale, and for AC first scans the last zigzag index to store:
/// a band is needed when the IDCT reads part of it, or when a later needed refinement scan
/// of the same component covers it (refinement needs to know which coefficients are nonzero).
fn plan_scans(ctx: &Context, scans: &[ScanState]) -> Vec<Option<usize>> {
    let mut history = [0u64; 4]; // zigzag positions later refinement scans read, per component
    let mut out = vec![None; scans.len()];
    for (i, s) in scans.iter().enumerate().rev() {
        let h = &s.hdr;
        if !matches!(s.kind, Kind::AcFirst | Kind::AcRefine) {
            out[i] = Some(63); // DC and sequential scans always count
            continue;
        }
        let ci = h.comps[0];
        let band = band_mask(h.ss, h.se);
        let reads = corner_mask_zigzag(ctx.comps[ci].idct);
        let later = history[ci] & band;
        if band & reads == 0 && later == 0 {
            continue; // nothing reads this band
        }
        out[i] = Some(if later != 0 { 63 } else { ctx.keep[ci] });
        if s.kind == Kind::AcRefine {
            history[ci] |= band;
        }
    }
    out
}

fn band_mask(ss: u8, se: u8) -> u64 {
    let (ss, se) = (ss.min(63) as u32, se.min(63) as u32);
    if ss > se {
        return 0;
    }
    (u64::MAX >> (63 - se)) & (u64::MAX << ss)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands() {
        assert_eq!(band_mask(0, 0), 1);
        assert_eq!(band_mask(1, 5), 0b111110);
        assert_eq!(band_mask(1, 63), u64::MAX - 1);
    }
}
