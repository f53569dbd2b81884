//! Image formats: the one table of what each format is and can do in this build, the input
//! and output format types that read it, and the `Accept` header's two bits for `format=auto`.
//! Sniffing a format from its bytes is the probe's (`crate::probe::sniff`).

use serde::Serialize;

/// One format and its capabilities: options, plan, codecs, the Worker and the npm package ask
/// this instead of listing formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    /// The `format=` value and the name in reports.
    pub name: &'static str,
    pub mime: &'static str,
    pub extension: &'static str,
    /// The output keeps an alpha channel (GIF's is one bit, which still needs the frames'
    /// alpha kept until its encoder).
    pub alpha: bool,
    /// This engine writes it animated.
    pub animation: bool,
    /// This engine decodes its frames one by one, so an animation in it is transformed (an
    /// APNG's frames are not: it is served as its default image, a still).
    pub frames: bool,
    /// The encoder reads `quality`.
    pub takes_quality: bool,
    /// `quality=auto` and `maxBytes` search over its quality (the policy's models and the
    /// size search exist for these only).
    pub quality_search: bool,
    /// This build reads its pixels (SVG is sanitised, never rasterised; JSON is only an answer).
    pub decodes: bool,
    /// This build can answer in it.
    pub encodes: bool,
}

const AVIF_BUILD: bool = cfg!(feature = "avif");

pub const JPEG: Row = Row {
    name: "jpeg",
    mime: "image/jpeg",
    extension: "jpg",
    alpha: false,
    animation: false,
    frames: false,
    takes_quality: true,
    quality_search: true,
    decodes: true,
    encodes: true,
};
pub const PNG: Row = Row {
    name: "png",
    mime: "image/png",
    extension: "png",
    alpha: true,
    animation: false,
    frames: false,
    takes_quality: false,
    quality_search: false,
    decodes: true,
    encodes: true,
};
pub const GIF: Row = Row {
    name: "gif",
    mime: "image/gif",
    extension: "gif",
    alpha: true,
    animation: true,
    frames: true,
    takes_quality: false,
    quality_search: false,
    decodes: true,
    encodes: true,
};
pub const WEBP: Row = Row {
    name: "webp",
    mime: "image/webp",
    extension: "webp",
    alpha: true,
    animation: true,
    frames: true,
    takes_quality: true,
    quality_search: true,
    decodes: true,
    encodes: true,
};
/// A still AVIF (ravif/rav1e) and its decoder (rav1d), both behind the `avif` cargo feature.
pub const AVIF: Row = Row {
    name: "avif",
    mime: "image/avif",
    extension: "avif",
    alpha: true,
    animation: false,
    frames: false,
    takes_quality: true,
    quality_search: false,
    decodes: AVIF_BUILD,
    encodes: AVIF_BUILD,
};
pub const SVG: Row = Row {
    name: "svg",
    mime: "image/svg+xml",
    extension: "svg",
    alpha: true,
    animation: false,
    frames: false,
    takes_quality: false,
    quality_search: false,
    decodes: false,
    encodes: true,
};
pub const JSON: Row = Row {
    name: "json",
    mime: "application/json",
    extension: "json",
    alpha: false,
    animation: false,
    frames: false,
    takes_quality: false,
    quality_search: false,
    decodes: false,
    encodes: true,
};

/// Every format, in the order of `ImageFormat` then JSON.
pub const TABLE: [Row; 7] = [JPEG, PNG, GIF, WEBP, AVIF, SVG, JSON];

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
    pub fn row(self) -> &'static Row {
        match self {
            ImageFormat::Jpeg => &JPEG,
            ImageFormat::Png => &PNG,
            ImageFormat::Gif => &GIF,
            ImageFormat::Webp => &WEBP,
            ImageFormat::Avif => &AVIF,
            ImageFormat::Svg => &SVG,
        }
    }
    pub fn mime(self) -> &'static str {
        self.row().mime
    }
    pub fn extension(self) -> &'static str {
        self.row().extension
    }
    pub fn name(self) -> &'static str {
        self.row().name
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputFormat {
    Jpeg {
        progressive: bool,
    },
    Png,
    Webp,
    /// A still AVIF (ravif/rav1e), within `plan::AVIF_MAX_SIDE` and `Limits::max_avif_pixels`.
    Avif,
    /// Only for animations (a still GIF input becomes PNG).
    Gif,
    Json,
    /// The sanitised source SVG (`crate::svg`); only an SVG input can have it.
    Svg,
}

impl OutputFormat {
    pub fn row(self) -> &'static Row {
        match self {
            OutputFormat::Jpeg { .. } => &JPEG,
            OutputFormat::Png => &PNG,
            OutputFormat::Webp => &WEBP,
            OutputFormat::Avif => &AVIF,
            OutputFormat::Gif => &GIF,
            OutputFormat::Json => &JSON,
            OutputFormat::Svg => &SVG,
        }
    }
    pub fn mime(self) -> &'static str {
        self.row().mime
    }
    pub fn name(self) -> &'static str {
        self.row().name
    }
    pub fn extension(self) -> &'static str {
        self.row().extension
    }
    pub fn supports_alpha(self) -> bool {
        self.row().alpha
    }
    /// Formats this engine writes animated.
    pub fn animates(self) -> bool {
        self.row().animation
    }
    /// The encoder reads `quality` (what a response reports as the quality used).
    pub fn takes_quality(self) -> bool {
        self.row().takes_quality
    }
    /// `quality=auto` and `maxBytes` search over this format's quality.
    pub fn quality_search(self) -> bool {
        self.row().quality_search
    }
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
    fn every_image_format_and_output_format_has_its_own_row() {
        let rows = [
            ImageFormat::Jpeg.row(),
            ImageFormat::Png.row(),
            ImageFormat::Gif.row(),
            ImageFormat::Webp.row(),
            ImageFormat::Avif.row(),
            ImageFormat::Svg.row(),
            OutputFormat::Json.row(),
        ];
        assert_eq!(rows.map(|r| r.name), TABLE.map(|r| r.name));
        assert_eq!(OutputFormat::Jpeg { progressive: false }.row(), &JPEG);
    }

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
