pub mod anim;

use super::{check_decoded_size, ColorInfo, Decoded};
use crate::error::{Error, Result};
use crate::heap::{Block, Heap};
use crate::limits::Limits;
use crate::pixels::{Layout, Raster};
use crate::probe::Probe;

/// What a first-frame decode allocates: the decoder's LZW tables and its RGBA buffer for the
/// largest frame it may meet, then the RGBA screen. Returns the screen.
pub fn decode_footprint(heap: &mut Heap, probe: &Probe) -> Block {
    let largest = probe.animation.map_or(probe.pixels(), |g| g.largest_frame);
    let tables = heap.alloc(64 << 10);
    let frame = heap.alloc(largest * 4);
    let screen = heap.alloc(probe.pixels() * 4);
    heap.free(frame);
    heap.free(tables);
    screen
}

/// First frame, composited onto the logical screen (transparent where the frame does not cover).
pub fn decode(bytes: &[u8], limits: &Limits) -> Result<Decoded> {
    let mut opts = gif::DecodeOptions::new();
    opts.set_color_output(gif::ColorOutput::RGBA);
    if let Some(n) = std::num::NonZeroU64::new(limits.max_decoded_bytes as u64) {
        opts.set_memory_limit(gif::MemoryLimit::Bytes(n));
    }
    let mut d = opts
        .read_info(bytes)
        .map_err(|e| Error::corrupt("GIF", e))?;
    let (w, h) = (d.width() as u32, d.height() as u32);
    check_decoded_size(w, h, 4, limits)?;
    let frame = d
        .read_next_frame()
        .map_err(|e| Error::corrupt("GIF", e))?
        .ok_or_else(|| Error::corrupt("GIF", "no image data"))?;
    let mut canvas = vec![0u8; w as usize * h as usize * 4];
    blit_clipped(&mut canvas, (w, h), frame);
    let mut raster = Raster::new(w, h, Layout::Rgba, canvas);
    raster.drop_opaque_alpha();
    Ok(Decoded {
        raster,
        color: ColorInfo::default(),
    })
}

/// Copies a frame onto the logical screen at its declared offset, keeping only the part that
/// lies on the screen. A frame may lie partly or wholly outside it (the format allows any
/// offset), and its buffer may be shorter than it declares when the data was truncated.
fn blit_clipped(canvas: &mut [u8], (w, h): (u32, u32), frame: &gif::Frame) {
    let (w, h) = (w as usize, h as usize);
    let (fl, ft) = (frame.left as usize, frame.top as usize);
    let (fw, fh) = (frame.width as usize, frame.height as usize);
    let cols = fw.min(w.saturating_sub(fl));
    let rows = fh.min(h.saturating_sub(ft));
    for y in 0..rows {
        let src = frame.buffer.get(y * fw * 4..(y * fw + cols) * 4);
        let at = ((ft + y) * w + fl) * 4;
        let dst = canvas.get_mut(at..at + cols * 4);
        if let (Some(src), Some(dst)) = (src, dst) {
            dst.copy_from_slice(src);
        }
    }
}
