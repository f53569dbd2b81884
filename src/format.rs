//! Image formats: detection from magic bytes, MIME types, and `format=auto` negotiation.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ImageFormat {
    Jpeg,
    Png,
    Gif,
    Webp,
    Avif,
    /// Vector: sanitised and passed through, never rasterised (`crate::svg`).
    Svg,
}

impl ImageFormat {
    /// Sniff the container from its first bytes; never trust a file name or a Content-Type.
    pub fn sniff(bytes: &[u8]) -> Option<ImageFormat> {
        if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(ImageFormat::Jpeg)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(ImageFormat::Png)
        } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
            Some(ImageFormat::Gif)
        } else if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
            Some(ImageFormat::Webp)
        } else if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" && is_avif_brand(bytes) {
            Some(ImageFormat::Avif)
        } else if crate::probe::svg::root_offset(bytes).is_some() {
            Some(ImageFormat::Svg)
        } else {
            None
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            ImageFormat::Jpeg => "image/jpeg",
            ImageFormat::Png => "image/png",
            ImageFormat::Gif => "image/gif",
            ImageFormat::Webp => "image/webp",
            ImageFormat::Avif => "image/avif",
            ImageFormat::Svg => "image/svg+xml",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            ImageFormat::Jpeg => "jpg",
            ImageFormat::Png => "png",
            ImageFormat::Gif => "gif",
            ImageFormat::Webp => "webp",
            ImageFormat::Avif => "avif",
            ImageFormat::Svg => "svg",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            ImageFormat::Jpeg => "jpeg",
            ImageFormat::Png => "png",
            ImageFormat::Gif => "gif",
            ImageFormat::Webp => "webp",
            ImageFormat::Avif => "avif",
            ImageFormat::Svg => "svg",
        }
    }
}

fn is_avif_brand(bytes: &[u8]) -> bool {
    let size = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as usize;
    let end = size.clamp(12, bytes.len().min(256));
    // major brand, then compatible brands after the minor version
    let brands =
        std::iter::once(&bytes[8..12]).chain(bytes.get(16..end).unwrap_or(&[]).chunks_exact(4));
    for b in brands {
        if b == b"avif" || b == b"avis" {
            return true;
        }
    }
    false
}

/// What a client can display, read from its `Accept` header. Only these two bits change the
/// outcome of `format=auto`, so the cache key holds them instead of the raw header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Accepts {
    pub webp: bool,
    pub avif: bool,
}

impl Accepts {
    pub fn from_header(accept: Option<&str>) -> Accepts {
        let mut out = Accepts::default();
        let Some(accept) = accept else { return out };
        for part in accept.split(',') {
            let mut it = part.split(';');
            let mime = it.next().unwrap_or("").trim().to_ascii_lowercase();
            // "image/webp;q=0" explicitly refuses the type
            let refused = it.any(|p| {
                let p = p.trim();
                p.strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    == Some(0.0)
            });
            if refused {
                continue;
            }
            match mime.as_str() {
                "image/webp" => out.webp = true,
                "image/avif" => out.avif = true,
                _ => {}
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_header_classes() {
        let chrome = "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8";
        assert_eq!(
            Accepts::from_header(Some(chrome)),
            Accepts {
                webp: true,
                avif: true
            }
        );
        let old = "image/png,image/*;q=0.8,*/*;q=0.5";
        assert_eq!(Accepts::from_header(Some(old)), Accepts::default());
        assert!(!Accepts::from_header(Some("image/webp;q=0")).webp);
        assert_eq!(Accepts::from_header(None), Accepts::default());
    }
}
