//! Functions over decoded frames, one file per kind of operation. Every frame in the pipeline is 8-bit RGB or RGBA; decoders
//! reduce grey, palette, 16-bit and CMYK input to one of these two, so each step has two cases.

pub mod blur;
pub mod border;
pub mod canvas;
pub mod color;
pub mod compose;
pub mod effects;
pub mod orient;
pub mod overlay;
pub mod resize;
pub mod tone;
pub mod trim;

pub use crate::raster::{Layout, Raster};
