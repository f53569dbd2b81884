//! One AV1 frame through rav1d (the Rust port of dav1d), single-threaded: no worker threads
//! exist in a Worker isolate, and a still image has one frame, so nothing is lost.

use rav1d::include::dav1d::data::Dav1dData;
use rav1d::include::dav1d::dav1d::{Dav1dContext, Dav1dSettings};
use rav1d::include::dav1d::headers::{
    DAV1D_PIXEL_LAYOUT_I400, DAV1D_PIXEL_LAYOUT_I420, DAV1D_PIXEL_LAYOUT_I422,
};
use rav1d::include::dav1d::picture::Dav1dPicture;
use rav1d::src::lib::{
    dav1d_close, dav1d_data_create, dav1d_data_unref, dav1d_default_settings, dav1d_get_picture,
    dav1d_open, dav1d_picture_unref, dav1d_send_data,
};
use std::ptr::NonNull;

pub type Result<T> = std::result::Result<T, &'static str>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subsampling {
    Monochrome,
    S420,
    S422,
    S444,
}

impl Subsampling {
    /// log2 of the chroma plane's horizontal and vertical reduction.
    pub fn shift(self) -> (u32, u32) {
        match self {
            Subsampling::S420 => (1, 1),
            Subsampling::S422 => (1, 0),
            _ => (0, 0),
        }
    }
}

/// A decoded frame; its planes are borrowed from rav1d until the frame is dropped.
pub struct Frame {
    ctx: Option<Dav1dContext>,
    pic: Dav1dPicture,
    pub width: u32,
    pub height: u32,
    pub depth: u8,
    pub subsampling: Subsampling,
    /// H.273 matrix coefficients and range signalled in the sequence header.
    pub matrix: u16,
    pub full_range: bool,
}

/// Samples of one plane: 8-bit frames store bytes, deeper ones 16-bit words.
pub enum Plane<'a> {
    U8(&'a [u8], usize),
    U16(&'a [u16], usize),
}

impl Frame {
    /// Plane 0 = Y, 1 = U, 2 = V, as (samples, stride in samples); None for chroma of
    /// monochrome frames.
    pub fn plane(&self, i: usize) -> Option<Plane<'_>> {
        if i > 0 && self.subsampling == Subsampling::Monochrome {
            return None;
        }
        let (sx, sy) = if i == 0 {
            (0, 0)
        } else {
            self.subsampling.shift()
        };
        let w = ((self.width + (1 << sx) - 1) >> sx) as usize;
        let h = ((self.height + (1 << sy) - 1) >> sy) as usize;
        let stride = self.pic.stride[(i > 0) as usize];
        let ptr = self.pic.data[i]?.as_ptr();
        if stride <= 0 || h == 0 {
            return None;
        }
        let stride = stride as usize;
        let bytes = stride * (h - 1) + w * if self.depth > 8 { 2 } else { 1 };
        // SAFETY: rav1d allocated `h` rows of `stride` bytes for this plane and keeps them
        // alive until `dav1d_picture_unref` in Drop; the slice ends at the last row's last sample.
        unsafe {
            if self.depth > 8 {
                let s = std::slice::from_raw_parts(ptr as *const u16, bytes / 2);
                Some(Plane::U16(s, stride / 2))
            } else {
                let s = std::slice::from_raw_parts(ptr as *const u8, bytes);
                Some(Plane::U8(s, stride))
            }
        }
    }
}

impl Drop for Frame {
    fn drop(&mut self) {
        // SAFETY: the picture came from dav1d_get_picture and the context from dav1d_open.
        unsafe {
            dav1d_picture_unref(Some(NonNull::from(&mut self.pic)));
            dav1d_close(Some(NonNull::from(&mut self.ctx)));
        }
    }
}

/// Decode the first shown frame of `obus`; `max_pixels` bounds the frame size rav1d accepts.
pub fn decode(obus: &[u8], max_pixels: u32) -> Result<Frame> {
    // SAFETY: the dav1d C API used as documented: settings initialised before open, data
    // created by rav1d (it owns the copy), every object released on every path.
    unsafe {
        let mut s: Dav1dSettings = std::mem::zeroed();
        dav1d_default_settings(NonNull::from(&mut s));
        s.n_threads = 1;
        s.max_frame_delay = 1;
        s.frame_size_limit = max_pixels;
        s.all_layers = 0;
        // no log lines: a Worker has no stderr, and a bad file is reported as an Error. The
        // logger is two nullable pointers (cookie, callback); all-zero means "none" to rav1d.
        s.logger = std::mem::zeroed();
        let mut ctx: Option<Dav1dContext> = None;
        if dav1d_open(Some(NonNull::from(&mut ctx)), Some(NonNull::from(&mut s))).0 != 0 {
            return Err("the AV1 decoder could not start");
        }
        let mut frame = Frame {
            ctx,
            pic: Dav1dPicture::default(),
            width: 0,
            height: 0,
            depth: 8,
            subsampling: Subsampling::S420,
            matrix: 2,
            full_range: false,
        };
        let mut data = Dav1dData::default();
        let buf = dav1d_data_create(Some(NonNull::from(&mut data)), obus.len());
        if buf.is_null() {
            return Err("the AV1 payload does not fit in memory");
        }
        std::ptr::copy_nonoverlapping(obus.as_ptr(), buf, obus.len());
        let eagain = -11; // dav1d returns negative errno values
        let mut got = false;
        // Feed the payload (send_data takes what it can) and take the picture once decoded.
        // Each round consumes data or returns, so a bound of 64 rounds never cuts a valid file.
        for _ in 0..64 {
            if data.sz > 0 {
                let r = dav1d_send_data(frame.ctx, Some(NonNull::from(&mut data))).0;
                if r != 0 && r != eagain {
                    break;
                }
            }
            let r = dav1d_get_picture(frame.ctx, Some(NonNull::from(&mut frame.pic))).0;
            if r == 0 {
                got = true;
                break;
            }
            if r != eagain || data.sz == 0 {
                break;
            }
        }
        dav1d_data_unref(Some(NonNull::from(&mut data)));
        if !got || frame.pic.data[0].is_none() {
            return Err("the AV1 bitstream is invalid or truncated");
        }
        let p = &frame.pic.p;
        let (w, h) = (u32::try_from(p.w), u32::try_from(p.h));
        let (Ok(w), Ok(h)) = (w, h) else {
            return Err("the AV1 frame has a negative size");
        };
        frame.width = w;
        frame.height = h;
        frame.depth = p.bpc as u8;
        frame.subsampling = match p.layout {
            DAV1D_PIXEL_LAYOUT_I400 => Subsampling::Monochrome,
            DAV1D_PIXEL_LAYOUT_I420 => Subsampling::S420,
            DAV1D_PIXEL_LAYOUT_I422 => Subsampling::S422,
            _ => Subsampling::S444,
        };
        if let Some(seq) = frame.pic.seq_hdr {
            let seq = seq.as_ref();
            frame.matrix = seq.mtrx as u16;
            frame.full_range = seq.color_range != 0;
        }
        Ok(frame)
    }
}
