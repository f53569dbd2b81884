//! An answer assembled from runs of the input and a few bytes written here, in one allocation
//! of its exact length: what a metadata rewrite (`super::strip`) produces without growing a
//! buffer as it goes.

use std::ops::Range;

/// One run of the answer: a range of the input, or bytes written here (a rewritten header).
enum Piece {
    Source(Range<usize>),
    New(Vec<u8>),
}

/// The answer as pieces, assembled once its length is known.
pub(super) struct Pieces<'a> {
    source: &'a [u8],
    pieces: Vec<Piece>,
    len: usize,
}

impl<'a> Pieces<'a> {
    pub fn new(source: &'a [u8]) -> Self {
        Pieces {
            source,
            pieces: Vec::new(),
            len: 0,
        }
    }

    /// Keeps `range` of the input; a range that continues the previous one extends it, so the
    /// list stays as short as the runs of kept chunks.
    pub fn keep(&mut self, range: Range<usize>) {
        let range = range.start.min(self.source.len())..range.end.min(self.source.len());
        if range.is_empty() {
            return;
        }
        self.len += range.len();
        if let Some(Piece::Source(last)) = self.pieces.last_mut() {
            if last.end == range.start {
                last.end = range.end;
                return;
            }
        }
        self.pieces.push(Piece::Source(range));
    }

    /// Adds bytes written here; returns their index for `patch`.
    pub fn add(&mut self, bytes: Vec<u8>) -> usize {
        self.len += bytes.len();
        self.pieces.push(Piece::New(bytes));
        self.pieces.len() - 1
    }

    /// The bytes added at `index`, to change once the walk knows more (flags, sizes).
    pub fn patch(&mut self, index: usize) -> Option<&mut Vec<u8>> {
        match self.pieces.get_mut(index) {
            Some(Piece::New(b)) => Some(b),
            _ => None,
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    /// The answer, in one allocation of its exact length.
    pub fn finish(self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.len);
        for p in &self.pieces {
            match p {
                Piece::Source(r) => out.extend_from_slice(&self.source[r.clone()]),
                Piece::New(b) => out.extend_from_slice(b),
            }
        }
        out
    }
}
