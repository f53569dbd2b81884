//! The frame every step of the pipeline passes on: 8-bit RGB or RGBA pixels, row-major. A
//! leaf, so the allocator model, the codecs and the pixel functions share it without importing
//! each other.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    Rgb,
    Rgba,
}

impl Layout {
    pub fn channels(self) -> usize {
        match self {
            Layout::Rgb => 3,
            Layout::Rgba => 4,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Raster {
    pub width: u32,
    pub height: u32,
    pub layout: Layout,
    pub data: Vec<u8>,
}

impl Raster {
    pub fn new(width: u32, height: u32, layout: Layout, data: Vec<u8>) -> Raster {
        debug_assert_eq!(
            data.len(),
            width as usize * height as usize * layout.channels()
        );
        Raster {
            width,
            height,
            layout,
            data,
        }
    }

    pub fn has_alpha(&self) -> bool {
        self.layout == Layout::Rgba
    }

    /// True when some pixel is not fully opaque. Decoders hand out RGBA for any format that
    /// *may* carry alpha; encoders use this to pick RGB output when alpha is unused.
    pub fn uses_alpha(&self) -> bool {
        self.layout == Layout::Rgba && self.data.chunks_exact(4).any(|p| p[3] != 255)
    }

    /// Drop an alpha channel that is fully opaque, in place (no second frame buffer).
    pub fn drop_opaque_alpha(&mut self) {
        if self.layout == Layout::Rgba && !self.uses_alpha() {
            let n = self.width as usize * self.height as usize;
            for i in 0..n {
                self.data.copy_within(i * 4..i * 4 + 3, i * 3);
            }
            self.data.truncate(n * 3);
            self.layout = Layout::Rgb;
        }
    }
}
