//! The buffer every encoder writes into, with a ceiling the plan chose.
//!
//! An encoder's output size depends on the pixels, which a stranger chooses; a `Vec` that
//! doubles as it grows can also hold old and new storage at once while it moves. This buffer
//! grows through capacities `cap / 2^k`, so the last move holds at most `cap / 2 + cap` bytes,
//! and refuses to grow past `cap`: the memory budget can count `1.5 x cap` for the output and
//! be right whatever the encoder produces.

use std::io::{self, Write};

pub struct OutputBuf {
    bytes: Vec<u8>,
    cap: usize,
    exceeded: bool,
}

impl OutputBuf {
    /// A buffer that will never hold more than `cap` bytes.
    pub fn new(cap: u64) -> Self {
        let cap = usize::try_from(cap).unwrap_or(usize::MAX);
        // First step: cap / 2^k at or below 64 KiB, so every later step doubles exactly to cap.
        let mut first = cap;
        while first > 64 << 10 {
            first = first.div_ceil(2);
        }
        OutputBuf {
            bytes: Vec::with_capacity(first),
            cap,
            exceeded: false,
        }
    }

    /// True when an encoder tried to write more than the cap (the write failed).
    pub fn exceeded(&self) -> bool {
        self.exceeded
    }

    pub fn into_vec(self) -> Vec<u8> {
        self.bytes
    }
}

impl Write for OutputBuf {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let need = self.bytes.len().saturating_add(data.len());
        if need > self.cap {
            self.exceeded = true;
            return Err(io::Error::other("output larger than its memory allowance"));
        }
        if need > self.bytes.capacity() {
            let mut next = self.bytes.capacity().max(1);
            while next < need {
                next = next.saturating_mul(2);
            }
            let next = next.min(self.cap);
            self.bytes.reserve_exact(next - self.bytes.len());
        }
        self.bytes.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The error an encoder returns when its output met the ceiling.
pub fn over_allowance(format: &str, cap: u64) -> crate::Error {
    crate::Error::new(
        crate::ErrorCode::OverMemoryBudget,
        format!(
            "the {format} output passed its {} MB memory allowance (noise-like pixels at a high quality); lower the quality or the size",
            cap >> 20
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_to_the_cap_and_refuses_past_it() {
        let mut b = OutputBuf::new(1_000_000);
        for _ in 0..1000 {
            b.write_all(&[7u8; 1000]).unwrap();
        }
        assert!(b.write_all(&[1]).is_err());
        assert!(b.exceeded());
        let v = b.into_vec();
        assert_eq!(v.len(), 1_000_000);
        assert!(v.capacity() <= 1_000_000 + 16, "{}", v.capacity());
    }
}
