//! Bytes the Worker keeps in JS rather than in wasm memory: what it writes back after an
//! answer (the variant, the source's copy) and KV hits. Linear memory never shrinks, so a body
//! that waits there for a KV write or a slow client raises the isolate's floor for good; in
//! JS it is garbage once the write ends. It still counts against the isolate's 128 MB, so all
//! of it is accounted here (`held()`, the `x-edgepix-js-bytes` debug header), and write-backs
//! past `WRITEBACK_BYTES` are skipped (served, not stored).

use js_sys::Uint8Array;
use std::cell::Cell;
use std::rc::Rc;

/// JS bytes that write-backs waiting for the Cache API or KV may hold at once in an isolate.
/// Past it a write is skipped and logged: the answer was sent already, and the next request
/// for it is a miss instead of a hit (docs/RELIABILITY.md, "128 MB per isolate").
pub const WRITEBACK_BYTES: u64 = 8 << 20;

thread_local! {
    static HELD: Cell<u64> = const { Cell::new(0) };
}

/// Bytes held in JS by live `Held` values.
pub fn held() -> u64 {
    HELD.with(Cell::get)
}

/// One JS copy of some bytes; clones share it (and its accounting).
#[derive(Clone)]
pub struct Held(Rc<Inner>);

struct Inner {
    array: Uint8Array,
    len: u64,
}

impl Drop for Inner {
    fn drop(&mut self) {
        HELD.with(|h| h.set(h.get().saturating_sub(self.len)));
    }
}

impl Held {
    /// Copies `bytes` into JS.
    pub fn copy(bytes: &[u8]) -> Held {
        Held::adopt(Uint8Array::from(bytes))
    }

    /// An array already in JS (a KV value), accounted from now on.
    pub fn adopt(array: Uint8Array) -> Held {
        let len = array.length() as u64;
        HELD.with(|h| h.set(h.get() + len));
        Held(Rc::new(Inner { array, len }))
    }

    /// Copies `bytes` into JS for a write-back, if the write-backs' allowance has room.
    pub fn for_writeback(bytes: &[u8]) -> Option<Held> {
        (held().saturating_add(bytes.len() as u64) <= WRITEBACK_BYTES).then(|| Held::copy(bytes))
    }

    pub fn len(&self) -> u64 {
        self.0.len
    }

    pub fn array(&self) -> &Uint8Array {
        &self.0.array
    }

    /// A stream of the bytes for a response body (the stream reads from a Blob, its own copy,
    /// so the array stays usable for the writes).
    pub fn stream(&self) -> worker::ResponseBody {
        let parts = js_sys::Array::of1(&self.0.array);
        match web_sys::Blob::new_with_u8_array_sequence(&parts) {
            Ok(blob) => worker::ResponseBody::Stream(blob.stream()),
            Err(_) => worker::ResponseBody::Body(self.0.array.to_vec()),
        }
    }
}
