//! One error type for every adapter: a stable machine code, the HTTP status the edge answers
//! with, and a sentence a person can act on.

use std::fmt;

/// Stable error codes. Adapters expose `code.as_str()` to users, so never rename a variant's string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// An option has a value outside what it accepts.
    BadOption,
    /// An option name that Cloudflare Images does not define.
    UnknownOption,
    /// An option Cloudflare defines but this engine does not implement yet.
    UnsupportedOption,
    /// The encoded input is larger than `Limits::max_input_bytes`.
    InputTooLarge,
    /// The header declares more pixels than `Limits::max_input_pixels` (decompression bombs).
    TooManyPixels,
    /// The requested output exceeds `Limits::max_output_dimension`.
    OutputTooLarge,
    /// More animation frames than `Limits::max_frames`.
    TooManyFrames,
    /// The plan's peak memory (estimated from the header before decoding) exceeds
    /// `Limits::max_memory_bytes`, or an encoder's output passed the allowance the plan gave it.
    OverMemoryBudget,
    /// Not an image, or a format this build cannot decode.
    UnsupportedFormat,
    /// The format is recognised but the data is truncated or invalid.
    CorruptImage,
    /// A bug or resource failure inside the engine.
    Internal,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadOption => "bad_option",
            ErrorCode::UnknownOption => "unknown_option",
            ErrorCode::UnsupportedOption => "unsupported_option",
            ErrorCode::InputTooLarge => "input_too_large",
            ErrorCode::TooManyPixels => "too_many_pixels",
            ErrorCode::OutputTooLarge => "output_too_large",
            ErrorCode::TooManyFrames => "too_many_frames",
            ErrorCode::OverMemoryBudget => "over_memory_budget",
            ErrorCode::UnsupportedFormat => "unsupported_format",
            ErrorCode::CorruptImage => "corrupt_image",
            ErrorCode::Internal => "internal",
        }
    }

    /// A failure of the image or the engine, not of the request's options: what
    /// `onerror=redirect` answers by sending the client to the source itself.
    pub fn is_fatal(self) -> bool {
        !matches!(
            self,
            ErrorCode::BadOption | ErrorCode::UnknownOption | ErrorCode::UnsupportedOption
        )
    }

    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::BadOption | ErrorCode::UnknownOption | ErrorCode::UnsupportedOption => 400,
            ErrorCode::InputTooLarge
            | ErrorCode::TooManyPixels
            | ErrorCode::OutputTooLarge
            | ErrorCode::TooManyFrames
            | ErrorCode::OverMemoryBudget => 413,
            ErrorCode::UnsupportedFormat => 415,
            ErrorCode::CorruptImage => 422,
            ErrorCode::Internal => 500,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub code: ErrorCode,
    pub message: String,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Error {
            code,
            message: message.into(),
        }
    }

    pub fn http_status(&self) -> u16 {
        self.code.http_status()
    }

    pub fn bad_option(name: &str, value: &str, allowed: &str) -> Self {
        Error::new(
            ErrorCode::BadOption,
            format!("invalid value {value:?} for option '{name}': expected {allowed}"),
        )
    }

    pub fn corrupt(format: &str, detail: impl fmt::Display) -> Self {
        Error::new(
            ErrorCode::CorruptImage,
            format!("the {format} image is corrupt or truncated: {detail}"),
        )
    }

    pub fn internal(detail: impl fmt::Display) -> Self {
        Error::new(ErrorCode::Internal, format!("internal error: {detail}"))
    }

    /// JSON body used by the Worker and the CLI: `{"error":{"code":..,"status":..,"message":..}}`.
    pub fn to_json(&self) -> String {
        serde_json::json!({
            "error": {
                "code": self.code.as_str(),
                "status": self.http_status(),
                "message": self.message,
            }
        })
        .to_string()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({}): {}",
            self.code.as_str(),
            self.http_status(),
            self.message
        )
    }
}

impl std::error::Error for Error {}
