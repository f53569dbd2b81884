//! One file through the engine: read (bounded), transform, write atomically. Shared by
//! `transform`, `info` and `batch`, so every command reports a failure the same way.

use edgepix::{Accepts, ErrorCode, Limits, Options};
use std::fmt;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// A failed file: the engine's stable error code (`corrupt_image`, …) or one of the CLI's own
/// (`read_failed`, `write_failed`, `would_overwrite_input`, `unreadable`), and a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    pub code: &'static str,
    pub message: String,
}

impl FileError {
    pub fn new(code: &'static str, message: impl Into<String>) -> FileError {
        FileError {
            code,
            message: message.into(),
        }
    }
}

impl From<edgepix::Error> for FileError {
    fn from(e: edgepix::Error) -> FileError {
        FileError::new(e.code.as_str(), e.message)
    }
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

/// The line every command prints for a failed file (on stderr): `error: PATH: CODE: MESSAGE`.
pub fn error_line(path: &Path, e: &FileError) -> String {
    format!("error: {}: {e}", path.display())
}

/// The whole file, refusing before reading when it is larger than the engine would accept:
/// a 10 GB file named `.jpg` must not be read into memory only to be rejected.
pub fn read_input(path: &Path, limits: &Limits) -> Result<Vec<u8>, FileError> {
    let read_failed = |e: std::io::Error| FileError::new("read_failed", e.to_string());
    let file = std::fs::File::open(path).map_err(read_failed)?;
    let cap = limits.max_input_bytes;
    let too_large = |n: u64| {
        FileError::new(
            ErrorCode::InputTooLarge.as_str(),
            format!("the input is {n} bytes or more; the limit is {cap} bytes"),
        )
    };
    let declared = file.metadata().map_err(read_failed)?.len();
    if declared > cap as u64 {
        return Err(too_large(declared));
    }
    let mut bytes = Vec::with_capacity(declared as usize);
    // the file may grow between metadata() and read: read at most one byte past the cap
    file.take(cap as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(read_failed)?;
    if bytes.len() > cap {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

pub fn transform(
    bytes: &[u8],
    opts: &Options,
    limits: &Limits,
) -> Result<edgepix::Output, FileError> {
    let start = Instant::now();
    let clock = move || start.elapsed().as_secs_f64() * 1000.0;
    // A file tool has no Accept header: format=auto means the modern default, WebP.
    let accepts = Accepts {
        webp: true,
        avif: false,
    };
    Ok(edgepix::transform(bytes, opts, accepts, limits, &clock)?)
}

/// Write through a hidden temporary file beside `dest`, then rename: an interrupted run never
/// leaves a truncated image under the final name.
pub fn write_atomically(dest: &Path, bytes: &[u8]) -> Result<(), FileError> {
    let write_failed =
        |e: std::io::Error| FileError::new("write_failed", format!("{}: {e}", dest.display()));
    let name = dest.file_name().unwrap_or_default().to_string_lossy();
    let tmp: PathBuf = dest.with_file_name(format!(".{name}.edgepix-partial"));
    let result = std::fs::File::create(&tmp)
        .and_then(|mut f| f.write_all(bytes))
        .and_then(|()| std::fs::rename(&tmp, dest));
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(write_failed(e));
    }
    Ok(())
}
