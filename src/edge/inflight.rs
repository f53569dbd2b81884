//! Bytes in flight across the requests one isolate serves at once.
//!
//! Concurrent requests share one wasm linear memory, which never shrinks: ten requests each
//! reading a 30 MB body would take the isolate past 128 MB together even though each one fits
//! the per-transform budget. Every body being read and every transform running reserves its
//! bytes here first; a reservation that would pass `MAX_INFLIGHT_BYTES` is refused and the
//! request answered 503 with Retry-After, so one isolate degrades by refusing, not by dying.
//! A transform runs to completion without yielding, so at most one holds its estimate at a
//! time; bodies being read are the rest.

use std::cell::Cell;

thread_local! {
    static IN_FLIGHT: Cell<u64> = const { Cell::new(0) };
}

/// Bytes reserved right now.
pub fn current() -> u64 {
    IN_FLIGHT.with(Cell::get)
}

/// A reservation, released when dropped (also when a request is cancelled mid-read).
#[derive(Debug)]
pub struct Reservation {
    bytes: u64,
}

impl Reservation {
    /// Reserves `bytes`, or `None` when the isolate's in-flight total would pass `cap`.
    pub fn take(bytes: u64, cap: u64) -> Option<Reservation> {
        IN_FLIGHT.with(|c| {
            let now = c.get();
            (now.saturating_add(bytes) <= cap).then(|| {
                c.set(now + bytes);
                Reservation { bytes }
            })
        })
    }

    /// Grows this reservation by `more` bytes (a body read chunk by chunk), if the cap allows.
    pub fn grow(&mut self, more: u64, cap: u64) -> bool {
        IN_FLIGHT.with(|c| {
            let now = c.get();
            let ok = now.saturating_add(more) <= cap;
            if ok {
                c.set(now + more);
                self.bytes += more;
            }
            ok
        })
    }

    pub fn bytes(&self) -> u64 {
        self.bytes
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        IN_FLIGHT.with(|c| c.set(c.get().saturating_sub(self.bytes)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reservations_add_up_to_the_cap_and_release_on_drop() {
        let cap = 100;
        let a = Reservation::take(60, cap).unwrap();
        assert!(Reservation::take(50, cap).is_none());
        let mut b = Reservation::take(30, cap).unwrap();
        assert!(!b.grow(20, cap));
        assert!(b.grow(10, cap));
        assert_eq!(current(), 100);
        drop(a);
        assert_eq!(current(), 40);
        drop(b);
        assert_eq!(current(), 0);
    }
}
