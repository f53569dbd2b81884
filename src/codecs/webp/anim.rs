//! Animated WebP: the frames of an input one ANMF chunk at a time, and a writer of the animated
//! container around per-frame still WebPs.
//!
//! The writer takes each frame as a complete still WebP file, from whichever encoder made it
//! (the pure-Rust one or libwebp), and moves its image chunks (`ALPH` + `VP8 `, or `VP8L`) into
//! an `ANMF` chunk, as the container spec lays it out: `RIFF/WEBP`, `VP8X` (animation flag, alpha
//! flag when any frame has alpha), `ANIM` (background colour, loop count), then one `ANMF` per
//! frame (offset, size, duration, blending and disposal flags, frame data).

use crate::codecs::output::OutputBuf;
use crate::cursor::Cursor;
use crate::error::{Error, Result};
use crate::limits::Limits;
use crate::pixels::canvas::{Blend, Dispose, Placed};
use crate::pixels::Layout;
use crate::probe::Probe;
use std::io::{self, BufRead, Read, Seek, SeekFrom, Write};
use vaam_webp::WebPDecoder;

const VP8X_ALPHA: u8 = 0x10;
const VP8X_ANIMATION: u8 = 0x02;

fn corrupt(why: impl std::fmt::Display) -> Error {
    Error::corrupt("WebP", why)
}

/// One decoded ANMF frame, its placement and its duration in milliseconds.
pub struct WebpFrame<'a> {
    pub placed: Placed<'a>,
    pub duration_ms: u32,
}

/// The frames of an animated WebP, decoded one at a time into one reused buffer.
pub struct WebpFrames<'a> {
    data: &'a [u8],
    /// Offset of the next chunk header.
    next: usize,
    pixels: Vec<u8>,
    /// The largest decoded frame the plan counted (the probe's largest ANMF area, RGBA).
    max_frame_bytes: u64,
    memory_limit: usize,
}

impl<'a> WebpFrames<'a> {
    pub fn new(data: &'a [u8], probe: &Probe, limits: &Limits) -> WebpFrames<'a> {
        let largest = probe.animation.map_or(0, |a| a.largest_frame);
        WebpFrames {
            data,
            next: 12,
            pixels: Vec::new(),
            max_frame_bytes: largest.saturating_mul(4),
            memory_limit: limits.max_decoded_bytes,
        }
    }

    /// The next frame, `None` after the last ANMF chunk.
    pub fn next_frame(&mut self) -> Result<Option<WebpFrame<'_>>> {
        loop {
            let mut c = Cursor::at(self.data, self.next);
            let (Some(kind), Some(len)) = (c.array::<4>(), c.le32()) else {
                return Ok(None);
            };
            // Frame data cut short is the decoder's to judge; the walk then ends.
            let body = c.take_at_most(len as u64);
            if len & 1 == 1 {
                c.skip(1);
            }
            self.next = c.pos();
            if &kind == b"ANMF" {
                return self.decode(body).map(Some);
            }
        }
    }

    fn decode(&mut self, body: &'a [u8]) -> Result<WebpFrame<'_>> {
        let mut h = Cursor::new(body);
        let short = || corrupt("an ANMF chunk is shorter than its header");
        let x = h.le24().ok_or_else(short)? * 2;
        let y = h.le24().ok_or_else(short)? * 2;
        let width = h.le24().ok_or_else(short)? + 1;
        let height = h.le24().ok_or_else(short)? + 1;
        let duration_ms = h.le24().ok_or_else(short)?;
        let flags = h.u8().ok_or_else(short)?;
        let frame_data = body.get(16..).unwrap_or_default();
        // A still file around the frame data, read in place: the decoder sees the few header
        // bytes made here, then the input's own bytes.
        let first = Cursor::new(frame_data).array::<4>();
        let head = match first.as_ref() {
            // VP8L inside VP8X with the alpha flag set decodes straight to RGBA, and lossy
            // frames with an ALPH chunk need the VP8X alpha flag to read it.
            Some(b"ALPH") | Some(b"VP8L") => still_head(frame_data.len(), Some((width, height))),
            Some(b"VP8 ") => still_head(frame_data.len(), None),
            _ => return Err(corrupt("an ANMF frame holds no ALPH, VP8 or VP8L chunk")),
        };
        let mut d = WebPDecoder::new(Spliced::new(head, frame_data)).map_err(corrupt)?;
        d.set_memory_limit(self.memory_limit);
        if d.dimensions() != (width, height) {
            return Err(corrupt(format!(
                "a frame's image is {}x{}, its ANMF header says {width}x{height}",
                d.dimensions().0,
                d.dimensions().1
            )));
        }
        let size = d
            .output_buffer_size()
            .filter(|&s| s as u64 <= self.max_frame_bytes)
            .ok_or_else(|| corrupt("a frame is larger than the file's headers declared"))?;
        self.pixels.clear();
        self.pixels.resize(size, 0);
        d.read_image(&mut self.pixels).map_err(corrupt)?;
        let layout = if d.has_alpha() {
            Layout::Rgba
        } else {
            Layout::Rgb
        };
        Ok(WebpFrame {
            placed: Placed {
                x,
                y,
                width,
                height,
                layout,
                pixels: &self.pixels,
                // bit 1 set: do not blend; bit 0 set: dispose to background
                blend: if flags & 2 != 0 {
                    Blend::Replace
                } else {
                    Blend::Over
                },
                dispose: if flags & 1 != 0 {
                    Dispose::Background
                } else {
                    Dispose::Keep
                },
            },
            duration_ms,
        })
    }
}

/// `RIFF` header of a still file whose chunks are `body_len` bytes, with a `VP8X` chunk (alpha
/// flag, canvas of the given size) when `extended` is set.
fn still_head(body_len: usize, extended: Option<(u32, u32)>) -> Vec<u8> {
    let vp8x_len = if extended.is_some() { 18 } else { 0 };
    let riff = (4 + vp8x_len + body_len).min(u32::MAX as usize) as u32;
    let mut h = Vec::with_capacity(30);
    h.extend_from_slice(b"RIFF");
    h.extend_from_slice(&riff.to_le_bytes());
    h.extend_from_slice(b"WEBP");
    if let Some((w, hgt)) = extended {
        h.extend_from_slice(b"VP8X");
        h.extend_from_slice(&10u32.to_le_bytes());
        h.extend_from_slice(&[VP8X_ALPHA, 0, 0, 0]);
        h.extend_from_slice(&(w - 1).to_le_bytes()[..3]);
        h.extend_from_slice(&(hgt - 1).to_le_bytes()[..3]);
    }
    h
}

/// A reader over a few bytes made here followed by a borrowed slice, so a frame's data is
/// decoded where it lies in the input instead of being copied into a file of its own.
struct Spliced<'a> {
    head: Vec<u8>,
    body: &'a [u8],
    pos: u64,
}

impl<'a> Spliced<'a> {
    fn new(head: Vec<u8>, body: &'a [u8]) -> Self {
        Spliced { head, body, pos: 0 }
    }
    fn len(&self) -> u64 {
        (self.head.len() + self.body.len()) as u64
    }
}

impl BufRead for Spliced<'_> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        let head = self.head.len() as u64;
        Ok(if self.pos < head {
            &self.head[self.pos as usize..]
        } else {
            let at = (self.pos - head).min(self.body.len() as u64) as usize;
            &self.body[at..]
        })
    }
    fn consume(&mut self, n: usize) {
        self.pos = (self.pos + n as u64).min(self.len());
    }
}

impl Read for Spliced<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let avail = self.fill_buf()?;
        let n = avail.len().min(out.len());
        out[..n].copy_from_slice(&avail[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl Seek for Spliced<'_> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let target = match to {
            SeekFrom::Start(p) => Some(p),
            SeekFrom::End(d) => self.len().checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        let p = target.ok_or_else(|| io::Error::other("seek before the start"))?;
        self.pos = p.min(self.len());
        Ok(self.pos)
    }
}

/// Writes an animated WebP: the first frame covers the whole canvas, each later one the
/// rectangle that changed; every frame replaces what it covers (no blending) and is not
/// disposed, so each shows exactly the picture it was made from.
pub struct WebpAnimWriter {
    out: OutputBuf,
    cap: u64,
    width: u32,
    height: u32,
    alpha: bool,
}

impl WebpAnimWriter {
    /// `loop_count` as ANIM stores it (0 = for ever); the output may take at most `cap` bytes.
    pub fn new(width: u32, height: u32, loop_count: u16, cap: u64) -> Result<WebpAnimWriter> {
        let mut w = WebpAnimWriter {
            out: OutputBuf::new(cap),
            cap,
            width,
            height,
            alpha: false,
        };
        let mut head = Vec::with_capacity(44);
        head.extend_from_slice(b"RIFF\0\0\0\0WEBP");
        chunk_header(&mut head, b"VP8X", 10);
        head.extend_from_slice(&[VP8X_ANIMATION, 0, 0, 0]);
        head.extend_from_slice(&(width - 1).to_le_bytes()[..3]);
        head.extend_from_slice(&(height - 1).to_le_bytes()[..3]);
        chunk_header(&mut head, b"ANIM", 6);
        // background colour (a hint viewers ignore): transparent
        head.extend_from_slice(&[0, 0, 0, 0]);
        head.extend_from_slice(&loop_count.to_le_bytes());
        w.write(&head)?;
        Ok(w)
    }

    fn write(&mut self, bytes: &[u8]) -> Result<()> {
        self.out
            .write_all(bytes)
            .map_err(|_| crate::codecs::output::over_allowance("animated WebP", self.cap))
    }

    /// Adds a frame: `still` is a whole WebP file, drawn at `at` (even offsets) over what the
    /// canvas shows, replacing it, and shown for `duration_ms`.
    pub fn push(&mut self, still: &[u8], at: (u32, u32), duration_ms: u32) -> Result<()> {
        let image = image_chunks(still)?;
        let (w, h) = image.size;
        let fits = at.0.is_multiple_of(2)
            && at.1.is_multiple_of(2)
            && at.0 as u64 + w as u64 <= self.width as u64
            && at.1 as u64 + h as u64 <= self.height as u64;
        if !fits || w == 0 || h == 0 {
            return Err(Error::internal(
                "an animation frame does not fit the canvas",
            ));
        }
        self.alpha |= image.alpha;
        let payload = 16 + image.chunks.len();
        let mut head = Vec::with_capacity(24);
        chunk_header(&mut head, b"ANMF", payload);
        head.extend_from_slice(&(at.0 / 2).to_le_bytes()[..3]);
        head.extend_from_slice(&(at.1 / 2).to_le_bytes()[..3]);
        head.extend_from_slice(&(w - 1).to_le_bytes()[..3]);
        head.extend_from_slice(&(h - 1).to_le_bytes()[..3]);
        head.extend_from_slice(&duration_ms.min(0xFF_FFFF).to_le_bytes()[..3]);
        head.push(0b10); // do not blend, do not dispose
        self.write(&head)?;
        self.write(image.chunks)
    }

    /// The file, with its RIFF size and alpha flag filled in.
    pub fn finish(self) -> Result<Vec<u8>> {
        let mut v = self.out.into_vec();
        let riff = u32::try_from(v.len() - 8)
            .map_err(|_| Error::internal("animated WebP larger than 4 GB"))?;
        v[4..8].copy_from_slice(&riff.to_le_bytes());
        if self.alpha {
            v[20] |= VP8X_ALPHA;
        }
        Ok(v)
    }
}

/// RIFF chunk header; a chunk's payload is padded to an even size, which its length omits.
fn chunk_header(out: &mut Vec<u8>, fourcc: &[u8; 4], len: usize) {
    out.extend_from_slice(fourcc);
    out.extend_from_slice(&(len as u32).to_le_bytes());
}

/// The image chunks of a still WebP, as one slice with their headers and padding.
struct ImageChunks<'a> {
    chunks: &'a [u8],
    size: (u32, u32),
    alpha: bool,
}

fn image_chunks(still: &[u8]) -> Result<ImageChunks<'_>> {
    let bad = |why: &str| Error::internal(format!("the frame encoder wrote {why}"));
    if still.len() < 20 || &still[..4] != b"RIFF" || &still[8..12] != b"WEBP" {
        return Err(bad("no RIFF/WEBP header"));
    }
    let mut c = Cursor::at(still, 12);
    let mut start = None;
    let mut alpha = false;
    while let (Some(kind), Some(len)) = (c.array::<4>(), c.le32()) {
        let at = c.pos() - 8;
        let body = c
            .take(len as u64)
            .ok_or_else(|| bad("a chunk past its end"))?;
        if len & 1 == 1 {
            c.skip(1);
        }
        match &kind {
            b"ALPH" => {
                alpha = true;
                start.get_or_insert(at);
            }
            b"VP8L" => {
                let bits = Cursor::at(body, 1)
                    .le32()
                    .ok_or_else(|| bad("a short VP8L"))?;
                alpha |= (bits >> 28) & 1 == 1;
                let size = ((bits & 0x3fff) + 1, ((bits >> 14) & 0x3fff) + 1);
                let from = start.unwrap_or(at);
                return Ok(ImageChunks {
                    chunks: &still[from..c.pos()],
                    size,
                    alpha,
                });
            }
            b"VP8 " => {
                let mut b = Cursor::at(body, 6);
                let (w, h) = (b.le16(), b.le16());
                let (Some(w), Some(h)) = (w, h) else {
                    return Err(bad("a short VP8"));
                };
                let from = start.unwrap_or(at);
                return Ok(ImageChunks {
                    chunks: &still[from..c.pos()],
                    size: ((w & 0x3fff) as u32, (h & 0x3fff) as u32),
                    alpha,
                });
            }
            _ => {}
        }
    }
    Err(bad("no VP8 or VP8L chunk"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spliced_reads_and_seeks_across_the_join() {
        let body = [5u8, 6, 7, 8];
        let mut s = Spliced::new(vec![1, 2, 3], &body);
        let mut all = Vec::new();
        s.read_to_end(&mut all).unwrap();
        assert_eq!(all, [1, 2, 3, 5, 6, 7, 8]);
        s.seek(SeekFrom::Start(2)).unwrap();
        let mut two = [0u8; 2];
        s.read_exact(&mut two).unwrap();
        assert_eq!(two, [3, 5]);
        s.seek(SeekFrom::Current(-3)).unwrap();
        assert_eq!(s.fill_buf().unwrap(), &[2, 3]);
        assert!(s.seek(SeekFrom::Current(-10)).is_err());
        assert_eq!(s.seek(SeekFrom::End(5)).unwrap(), 7, "clamped to the end");
    }
}
