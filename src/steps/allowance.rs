//! How many encodes one request may spend. `quality=auto` and `maxBytes` both try qualities
//! (and `maxBytes` sizes) until one is right; a stranger's URL must not turn one request into
//! dozens of encodes. Every full encode and every `quality=auto` check (which encodes, decodes
//! and scores the crops) takes one from the request's allowance; a search that finds it spent
//! answers with the best it has instead of trying more.

use std::cell::Cell;

/// Encodes a plain or `quality=auto` transform may spend: the final encode plus at most five
/// checks or re-encodes (`quality::policy` leaves room for the final encode).
pub const PER_TRANSFORM: u32 = 6;

/// Encodes a `maxBytes` search may spend in all, `quality=auto` inside it included.
pub const PER_FIT: u32 = 16;

/// One request's allowance. Shared by reference; `Cell` because the searches that spend it
/// hold it in closures.
#[derive(Debug)]
pub struct Allowance {
    limit: u32,
    spent: Cell<u32>,
}

impl Allowance {
    pub fn new(limit: u32) -> Allowance {
        Allowance {
            limit,
            spent: Cell::new(0),
        }
    }

    /// Spends one encode; false (and nothing spent) when none is left.
    pub fn take(&self) -> bool {
        let spent = self.spent.get();
        if spent >= self.limit {
            return false;
        }
        self.spent.set(spent + 1);
        true
    }

    pub fn left(&self) -> u32 {
        self.limit - self.spent.get()
    }

    pub fn spent(&self) -> u32 {
        self.spent.get()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_up_to_the_limit_and_then_refuses() {
        let a = Allowance::new(2);
        assert!(a.take() && a.take());
        assert!(!a.take());
        assert_eq!((a.spent(), a.left()), (2, 0));
    }
}
