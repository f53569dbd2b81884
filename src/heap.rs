//! A model of the allocator, for the memory budget (`crate::budget`): the large allocations a
//! transform makes, replayed in order on dlmalloc's behaviour for large chunks (best fit among
//! free chunks, splitting, coalescing with free neighbours, a free chunk at the top merged back
//! into the top), to find the heap's high-water mark. A leaf, so that every codec and pixel
//! step can state its own allocations next to its code.

use crate::raster::Layout;
use serde::Serialize;

/// The heap's high-water mark after each stage of a transform, input included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct MemoryEstimate {
    /// The encoded input, held by the caller for the whole call.
    pub input: u64,
    pub decode: u64,
    pub resize: u64,
    /// Orientation, colour, padding and effects.
    pub finish: u64,
    pub encode: u64,
    /// The highest mark with the allocator's slack: what the budget is compared with.
    pub peak: u64,
}

/// What the model leaves out: small allocations (tables, rows, strings), chunk headers and
/// alignment. 1/32 of the mark plus 1 MiB, calibrated by the wasm32 sweep
/// (docs/RELIABILITY.md).
pub fn with_slack(bytes: u64) -> u64 {
    bytes + bytes / 32 + (1 << 20)
}

/// A handle to a modelled allocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Block(usize);

/// A model of the allocator: chunks by address, each free or in use.
#[derive(Debug, Default)]
pub struct Heap {
    /// (start, size, id of the allocation or None when free), sorted by start, contiguous.
    chunks: Vec<(u64, u64, Option<usize>)>,
    next_id: usize,
    top: u64,
    high: u64,
}

/// Allocations are rounded like dlmalloc's chunks.
fn chunk_size(bytes: u64) -> u64 {
    (bytes + 8).next_multiple_of(16)
}

impl Heap {
    pub fn new() -> Heap {
        Heap::default()
    }

    /// The highest the heap has reached.
    pub fn high_water(&self) -> u64 {
        self.high
    }

    pub fn alloc(&mut self, bytes: u64) -> Block {
        let size = chunk_size(bytes);
        let id = self.next_id;
        self.next_id += 1;
        // best fit among the free chunks
        let best = self
            .chunks
            .iter()
            .enumerate()
            .filter(|(_, c)| c.2.is_none() && c.1 >= size)
            .min_by_key(|(_, c)| c.1)
            .map(|(i, _)| i);
        match best {
            Some(i) => {
                let (start, free, _) = self.chunks[i];
                self.chunks[i] = (start, size, Some(id));
                if free > size {
                    self.chunks.insert(i + 1, (start + size, free - size, None));
                }
            }
            None => {
                self.chunks.push((self.top, size, Some(id)));
                self.top += size;
                self.high = self.high.max(self.top);
            }
        }
        Block(id)
    }

    pub fn free(&mut self, block: Block) {
        let Some(i) = self.chunks.iter().position(|c| c.2 == Some(block.0)) else {
            return;
        };
        self.chunks[i].2 = None;
        // coalesce with the next and the previous free chunk
        if i + 1 < self.chunks.len() && self.chunks[i + 1].2.is_none() {
            self.chunks[i].1 += self.chunks[i + 1].1;
            self.chunks.remove(i + 1);
        }
        let i = if i > 0 && self.chunks[i - 1].2.is_none() {
            self.chunks[i - 1].1 += self.chunks[i].1;
            self.chunks.remove(i);
            i - 1
        } else {
            i
        };
        // a free chunk at the end goes back into the top
        if i + 1 == self.chunks.len() {
            self.top = self.chunks[i].0;
            self.chunks.pop();
        }
    }

    /// A buffer that lives only while something else is allocated: alloc then free.
    pub fn transient(&mut self, bytes: u64) {
        let b = self.alloc(bytes);
        self.free(b);
    }

    /// `OutputBuf`'s growth to at most `cap`: each step allocates the doubled buffer, copies and
    /// frees the old one; the model assumes the output reaches its cap.
    pub fn output_buffer(&mut self, cap: u64) -> Block {
        let mut steps = vec![cap];
        while *steps.last().unwrap_or(&0) > 64 << 10 {
            let half = steps.last().unwrap_or(&0).div_ceil(2);
            steps.push(half);
        }
        let mut current = self.alloc(*steps.last().unwrap_or(&0));
        for &size in steps.iter().rev().skip(1) {
            let next = self.alloc(size);
            self.free(current);
            current = next;
        }
        current
    }
}

/// The shape of a frame at one point of the pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameShape {
    pub width: u32,
    pub height: u32,
    pub layout: Layout,
}

impl FrameShape {
    pub fn new(width: u32, height: u32, layout: Layout) -> Self {
        FrameShape {
            width,
            height,
            layout,
        }
    }
    pub fn pixels(self) -> u64 {
        self.width as u64 * self.height as u64
    }
    pub fn bytes(self) -> u64 {
        self.pixels() * self.layout.channels() as u64
    }
}

/// One line for error messages: the heap's mark after each stage.
pub fn describe(m: &MemoryEstimate) -> String {
    let mb = |b: u64| b.div_ceil(1 << 20);
    format!(
        "input {} MB, after decode {} MB, resize {} MB, finish {} MB, encode {} MB",
        mb(m.input),
        mb(m.decode),
        mb(m.resize),
        mb(m.finish),
        mb(m.encode)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hole_too_small_for_the_next_buffer_does_not_count_as_room() {
        let mut h = Heap::new();
        let input = h.alloc(1000);
        let planes = h.alloc(18_000);
        let frame = h.alloc(36_000);
        h.free(planes);
        // the rotated copy does not fit the planes' hole: it goes on top
        let turned = h.alloc(36_000);
        h.free(frame);
        let top = h.high_water();
        assert!(top >= 1000 + 18_000 + 36_000 + 36_000, "{top}");
        // ... and a later small buffer reuses the hole instead of growing the heap
        h.alloc(10_000);
        assert_eq!(h.high_water(), top);
        h.free(turned);
        h.free(input);
    }

    #[test]
    fn a_free_chunk_at_the_top_is_reused_by_a_larger_buffer() {
        let mut h = Heap::new();
        let a = h.alloc(1000);
        let b = h.alloc(5000);
        h.free(b);
        h.alloc(8000);
        assert!(
            h.high_water() < 1000 + 5000 + 8000 + 64,
            "{}",
            h.high_water()
        );
        h.free(a);
    }

    #[test]
    fn output_buffer_growth_holds_half_and_whole_at_the_last_step() {
        let mut h = Heap::new();
        h.output_buffer(1 << 24);
        let top = h.high_water();
        assert!(top >= (1 << 24) + (1 << 23), "{top}");
        assert!(top < (1 << 24) * 2, "{top}");
    }
}
