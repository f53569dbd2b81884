//! What the answer to a transform says, decided once for every adapter: its content type (JSON
//! included), the request headers it varies on, the quality it reports, what `x-edgepix-resized`
//! and the download name say, and which failures `onerror=redirect` sends to the source. An
//! adapter reads these from the options and the result; it decides none of them itself.

use crate::error::Error;
use crate::format::OutputFormat;
use crate::options::{FormatOption, OnError, Options};
use crate::pipeline::Output;
use crate::resolve::{Device, Network};

/// The content type of a JSON answer, `format=json` and every error body alike.
pub const JSON_CONTENT_TYPE: &str = "application/json; charset=utf-8";

/// The `Content-Type` of an answer in `format`: its MIME type, with the charset for JSON.
pub fn content_type(format: OutputFormat) -> &'static str {
    match format {
        OutputFormat::Json => JSON_CONTENT_TYPE,
        f => f.mime(),
    }
}

/// The request headers an answer to `options` depends on: a shared cache must key on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Vary {
    /// `format=auto`: the client's `Accept` chose the format.
    pub accept: bool,
    /// `slow-connection-quality`: the network hints chose the quality.
    pub network: bool,
    /// `width=auto`: the device hints chose the width.
    pub device: bool,
}

impl Vary {
    /// From the options as asked for, before they are resolved for the client (resolving
    /// removes exactly what the client chose).
    pub fn of(options: &Options) -> Vary {
        Vary {
            accept: options.format == Some(FormatOption::Auto),
            network: options.slow_connection_quality.is_some(),
            device: options.width_auto,
        }
    }

    /// The `Vary` value, or `None` when the answer depends on no request header. `also` are
    /// headers the adapter's own choices read (an experiment's per-user key); they follow
    /// `Accept`, the order answers have always had.
    pub fn header(&self, also: &[String]) -> Option<String> {
        let mut names: Vec<&str> = Vec::new();
        if self.accept {
            names.push("Accept");
        }
        names.extend(also.iter().map(String::as_str));
        if self.network {
            names.extend(Network::HEADERS);
        }
        if self.device {
            names.extend(Device::HEADERS);
        }
        (!names.is_empty()).then(|| names.join(", "))
    }
}

/// The quality an answer reports (events, experiments): what the quality policy chose, or the
/// fixed quality of a format encoded at one.
#[derive(Debug, Clone, PartialEq)]
pub struct Reported {
    pub quality: Option<f64>,
    /// The policy's name, `fixed` when none chose.
    pub policy: String,
    /// The score the policy aimed at (its target).
    pub predicted_score: Option<f64>,
    pub measured_score: Option<f64>,
}

impl Reported {
    /// `options` are the resolved options the output was made from.
    pub fn of(out: &Output, options: &Options) -> Reported {
        match &out.quality_choice {
            Some(c) => Reported {
                quality: Some(c.quality as f64),
                policy: c.policy.to_string(),
                predicted_score: Some(c.target as f64),
                measured_score: c.measured_score,
            },
            None => Reported {
                quality: out
                    .format
                    .takes_quality()
                    .then(|| options.effective_quality() as f64),
                policy: "fixed".to_string(),
                predicted_score: None,
                measured_score: None,
            },
        }
    }
}

/// `x-edgepix-resized`: what was done, e.g. `ok; 1200x675 webp from 5640x3172 jpeg`.
pub fn resized(out: &Output) -> String {
    let (iw, ih) = out.input.display_size();
    format!(
        "ok; {}x{} {} from {iw}x{ih} {}",
        out.width,
        out.height,
        out.format.name(),
        out.input.format.name()
    )
}

/// The download name of an answer in `format` made from a source named `stem`.
pub fn file_name(stem: &str, format: OutputFormat) -> String {
    format!("{stem}.{}", format.extension())
}

/// Whether a failed transform is answered by a redirect to the source (`onerror=redirect`):
/// only for failures of the image, never for a request that is wrong in itself.
pub fn redirects(options: &Options, e: &Error) -> bool {
    options.onerror == Some(OnError::Redirect) && e.code.is_fatal()
}
