//! Options resolved against one client: the only place where the request (its `Accept` header,
//! its network client hints and, for `width=auto`, its device hints) changes what the engine
//! makes.
//!
//! The Worker's cache key is the canonical form of the resolved options, and the plan only
//! accepts resolved options, so the key describes the bytes by construction: two requests
//! whose resolved options are equal get the same plan, whatever else their headers say.

use crate::format::Accepts;
use crate::options::{FormatOption, Options};

/// What a client can take, as far as it changes the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Client {
    pub accepts: Accepts,
    /// The connection is slow by its client hints ([`Network::is_slow`]): the one bit of the
    /// hints that reaches the output (through `slow-connection-quality`).
    pub slow: bool,
    /// The width `width=auto` becomes, in device pixels, already snapped to a ladder
    /// ([`Device::width`]); `None` when the client sent no width hint.
    pub width: Option<u32>,
}

impl Client {
    pub fn new(accepts: Accepts) -> Client {
        Client {
            accepts,
            slow: false,
            width: None,
        }
    }

    pub fn with_width(self, width: Option<u32>) -> Client {
        Client { width, ..self }
    }

    pub fn on(self, network: &Network) -> Client {
        Client {
            slow: network.is_slow(),
            ..self
        }
    }
}

/// The network client hints a browser sends once the page asked for them (`Accept-CH: ECT,
/// RTT, Downlink`; `Save-Data` is sent unasked when the user turned it on).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Network {
    pub save_data: Option<String>,
    pub ect: Option<String>,
    pub rtt_ms: Option<f64>,
    pub downlink_mbps: Option<f64>,
}

impl Network {
    /// The request headers these hints come from (the `Vary` of an answer that used them).
    pub const HEADERS: [&'static str; 4] = ["Save-Data", "ECT", "RTT", "Downlink"];

    pub fn from_headers(header: &dyn Fn(&str) -> Option<String>) -> Network {
        let num = |h: &str| header(h).and_then(|v| v.trim().parse::<f64>().ok());
        Network {
            save_data: header("save-data"),
            ect: header("ect"),
            rtt_ms: num("rtt"),
            downlink_mbps: num("downlink"),
        }
    }

    /// Cloudflare's rule for `slow-connection-quality`: any hint present says slow: Save-Data
    /// on, ECT slow-2g/2g/3g, RTT above 150 ms, or Downlink below 5 Mbps.
    pub fn is_slow(&self) -> bool {
        self.save_data
            .as_deref()
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("on"))
            || self
                .ect
                .as_deref()
                .is_some_and(|v| matches!(v.trim(), "slow-2g" | "2g" | "3g"))
            || self.rtt_ms.is_some_and(|v| v > 150.0)
            || self.downlink_mbps.is_some_and(|v| v < 5.0)
    }
}

/// The responsive-image client hints, in device pixels, that `width=auto` reads: the width the
/// image will occupy (`Sec-CH-Width`, or the older `Width`), else the viewport's width in CSS
/// pixels times the device pixel ratio (`Sec-CH-Viewport-Width` × `Sec-CH-DPR`, or the older
/// names). Chromium sends them only after the page asked (`Accept-CH`), and to another origin
/// only with `Permissions-Policy` delegation (`www/_headers`).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Device {
    pub width: Option<f64>,
    pub viewport_width: Option<f64>,
    pub dpr: Option<f64>,
}

/// Device widths `width=auto` rounds up to, so that the continuum of layouts and screens makes
/// a few cache entries per image instead of one per pixel: the phone, tablet and desktop
/// widths responsive-image tools emit (Next.js' default `deviceSizes`, with the icon sizes
/// below them).
pub const WIDTH_LADDER: [u32; 16] = [
    16, 32, 48, 64, 96, 128, 256, 384, 640, 750, 828, 1080, 1200, 1920, 2048, 3840,
];

impl Device {
    /// The request headers these hints come from (the `Vary` of an answer that used them).
    pub const HEADERS: [&'static str; 6] = [
        "Sec-CH-Width",
        "Width",
        "Sec-CH-Viewport-Width",
        "Viewport-Width",
        "Sec-CH-DPR",
        "DPR",
    ];

    pub fn from_headers(header: &dyn Fn(&str) -> Option<String>) -> Device {
        let num = |a: &str, b: &str| {
            header(a)
                .or_else(|| header(b))
                .and_then(|v| v.trim().parse::<f64>().ok())
                .filter(|v| v.is_finite() && *v > 0.0)
        };
        Device {
            width: num("sec-ch-width", "width"),
            viewport_width: num("sec-ch-viewport-width", "viewport-width"),
            dpr: num("sec-ch-dpr", "dpr").map(|d| d.min(10.0)),
        }
    }

    /// The width `width=auto` asks for: the hint in device pixels rounded up to the first
    /// rung of `ladder` (ascending; the largest rung when the hint is above it); `None`
    /// without a width or viewport hint.
    pub fn width(&self, ladder: &[u32]) -> Option<u32> {
        let px = self
            .width
            .or_else(|| self.viewport_width.map(|v| v * self.dpr.unwrap_or(1.0)))?;
        let px = px.ceil().min(u32::MAX as f64) as u32;
        ladder
            .iter()
            .copied()
            .find(|&rung| rung >= px)
            .or(ladder.last().copied())
            .or(Some(px))
    }
}

/// Options with every request-dependent choice made: `format=auto` is AVIF for a client that
/// takes it (when this build encodes AVIF), WebP for one that takes WebP, and stays `auto`
/// otherwise, which then means the legacy choice (JPEG, or PNG for
/// transparency), a function of the source alone.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved(Options);

impl Resolved {
    pub fn options(&self) -> &Options {
        &self.0
    }

    /// The canonical form of the resolved options: the options part of every cache key.
    pub fn canonical(&self) -> String {
        self.0.canonical()
    }

    /// For callers without a client (the CLI, tests): the options as given, `auto` resolved
    /// for a client that takes WebP.
    pub fn for_any_modern_client(opts: &Options) -> Resolved {
        opts.resolve(&Client::new(Accepts {
            webp: true,
            avif: false,
        }))
    }
}

impl Options {
    pub fn resolve(&self, client: &Client) -> Resolved {
        let mut o = self.clone();
        if o.compression_fast {
            // Cloudflare: "usually override the format option and choose JPEG over WebP or
            // AVIF": the legacy choice (JPEG, PNG for transparency), made by the plan
            if matches!(
                o.format,
                Some(FormatOption::Auto | FormatOption::Webp | FormatOption::Avif) | None
            ) {
                o.format = Some(FormatOption::Auto);
            }
        } else if o.format == Some(FormatOption::Auto) {
            // AVIF for a client that takes it, only from a build that encodes it (the Worker
            // clears `accepts.avif` when `ENABLE_AVIF` is off); the plan still answers WebP
            // past AVIF's size limits, the fallback every AVIF client takes.
            if client.accepts.avif && crate::format::AVIF.encodes {
                o.format = Some(FormatOption::Avif);
            } else if client.accepts.webp || client.accepts.avif {
                o.format = Some(FormatOption::Webp);
            }
        }
        // The hint is in device pixels; with `dpr` the width is the hint over it, so that after
        // dpr the output is the hint. No hint: the width is left to the source.
        if std::mem::take(&mut o.width_auto) {
            let dpr = o.dpr.unwrap_or(1.0) as f64;
            o.width = client
                .width
                .map(|w| ((w as f64 / dpr).round() as u32).max(1));
        }
        // the hints reach the key only as the quality they chose
        if let Some(q) = o.slow_connection_quality.take() {
            if client.slow {
                o.quality = Some(q);
            }
        }
        Resolved(o)
    }
}
