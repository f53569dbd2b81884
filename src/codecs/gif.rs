use super::{check_decoded_size, ColorInfo, Decoded};
use crate::error::{Error, Result};
use crate::limits::Limits;
use crate::pixels::{Layout, Raster};

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
    let (fl, ft, fw, fh) = (
        frame.left as usize,
        frame.top as usize,
        frame.width as usize,
        frame.height as usize,
    );
    for y in 0..fh {
        let cy = ft + y;
        if cy >= h as usize {
            break;
        }
        let cols = fw.min((w as usize).saturating_sub(fl));
        let src = &frame.buffer[y * fw * 4..(y * fw + cols) * 4];
        let dst = &mut canvas[(cy * w as usize + fl) * 4..(cy * w as usize + fl + cols) * 4];
        dst.copy_from_slice(src);
    }
    let mut raster = Raster::new(w, h, Layout::Rgba, canvas);
    raster.drop_opaque_alpha();
    Ok(Decoded {
        raster,
        color: ColorInfo::default(),
        scale_denominator: 1,
    })
}
