//! Coalesce: concurrent misses for one variant in one isolate share one fetch and one
//! transform. The first request for a key leads; the others wait for its bytes and answer them
//! (`x-edgepix-cache-layer: coalesced`). A popular image that falls out of the cache, or a
//! page that asks for one variant many times at once, then costs one transform, not one per
//! request, and one body in memory.
//!
//! The map is bounded by bytes (`WAITING_BYTES`, keys are the variant's digest): past it the
//! oldest leader's entry is dropped, which releases its waiters to go on alone, as if it had
//! failed; a flood of distinct misses then costs coalescing, not memory.
//!
//! A leader refused (the origin's error, a source too large, undecodable, over budget) hands
//! its refusal to its waiters: they asked the same of the same source at the same moment, and
//! each fetching it again is the failure amplification of issue #18. A leader at the isolate's
//! in-flight cap (`busy`, a fact of that moment, not of the image), a stale or revalidated
//! answer, or a trap releases them without an answer, and each goes on by itself.

use super::memo::{Key, Memo};
use super::route::Refusal;
use super::store::Meta;
use futures_channel::oneshot;
use std::cell::RefCell;
use std::mem::size_of;
use std::rc::Rc;

/// What the coalescing map may hold, in bytes (docs/RELIABILITY.md): about 3,000 leaders
/// with a few waiters each, far above the requests an isolate serves at once.
pub const WAITING_BYTES: usize = 1024 * 1024;

/// A finished variant as the leader answered it.
pub struct Made {
    pub body: Vec<u8>,
    pub meta: Meta,
    pub cache_control: String,
}

/// What a leader hands its waiters (once, behind one `Rc`: the variants' sizes do not matter).
#[allow(clippy::large_enum_variant)]
pub enum Shared {
    Made(Made),
    Refused(Refusal),
}

thread_local! {
    static WAITING: RefCell<Memo<Waiters>> = RefCell::new(Memo::new(WAITING_BYTES));
}

type Waiters = Vec<oneshot::Sender<Rc<Shared>>>;

fn heap(w: &Waiters) -> usize {
    w.capacity() * size_of::<oneshot::Sender<Rc<Shared>>>()
}

pub enum Turn {
    Lead(Lead),
    Follow(oneshot::Receiver<Rc<Shared>>),
}

/// The leader's duty: share what it made, or (dropped) release the waiters.
pub struct Lead {
    key: Key,
}

/// Joins the work on `key` (the variant's digest): leads when nobody is on it, else waits
/// for the leader.
pub fn join(key: &Key) -> Turn {
    WAITING.with(|w| {
        let mut w = w.borrow_mut();
        match w.remove(key) {
            Some(mut list) => {
                let (tx, rx) = oneshot::channel();
                list.push(tx);
                let bytes = heap(&list);
                w.insert(*key, list, bytes);
                Turn::Follow(rx)
            }
            None => {
                w.insert(*key, Vec::new(), 0);
                Turn::Lead(Lead { key: *key })
            }
        }
    })
}

/// Waits for the leader's answer; `None` when it was released or took longer than `max_ms`.
///
/// Polled on a timer rather than awaited directly: workerd cancels a request as hung when it
/// only waits on a promise that another request's I/O will resolve, while a pending timer is
/// this request's own event. The 10 ms step is small next to a transform.
pub async fn wait(mut rx: oneshot::Receiver<Rc<Shared>>, max_ms: u64) -> Option<Rc<Shared>> {
    let mut waited = 0;
    loop {
        match rx.try_recv() {
            Ok(Some(made)) => return Some(made),
            Ok(None) if waited < max_ms => {
                worker::Delay::from(std::time::Duration::from_millis(10)).await;
                waited += 10;
            }
            _ => return None,
        }
    }
}

impl Lead {
    /// Hands `made` (its variant or its refusal) to every waiter.
    pub fn share(self, made: Shared) {
        let made = Rc::new(made);
        let waiters = WAITING.with(|w| w.borrow_mut().remove(&self.key).unwrap_or_default());
        for tx in waiters {
            let _ = tx.send(made.clone());
        }
    }
}

impl Drop for Lead {
    fn drop(&mut self) {
        // after `share` the key is gone; otherwise dropping the senders releases the waiters
        WAITING.with(|w| w.borrow_mut().remove(&self.key));
    }
}

/// Keys with a leader at work (`DEBUG_MEMORY_HEADER`'s `x-edgepix-coalescing`).
pub fn pending() -> usize {
    WAITING.with(|w| w.borrow().len())
}

/// Bytes the coalescing map holds.
pub fn bytes() -> usize {
    WAITING.with(|w| w.borrow().bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta() -> Meta {
        Meta {
            ct: "image/webp".into(),
            etag: "\"e\"".into(),
            name: "a.webp".into(),
            notes: String::new(),
            stored: 0.0,
            ttl: 60,
            src_etag: None,
            stale: false,
            revalidate: false,
            len: 3,
            resized: String::new(),
            failed: None,
        }
    }

    #[test]
    fn followers_get_the_leaders_bytes_and_a_failed_leader_releases_them() {
        let Turn::Lead(lead) = join(&[1; 32]) else {
            panic!("first must lead")
        };
        let Turn::Follow(mut a) = join(&[1; 32]) else {
            panic!("second must follow")
        };
        let Turn::Follow(mut b) = join(&[1; 32]) else {
            panic!("third must follow")
        };
        assert_eq!(pending(), 1);
        lead.share(Shared::Made(Made {
            body: vec![1, 2, 3],
            meta: meta(),
            cache_control: "public, max-age=60".into(),
        }));
        assert_eq!(pending(), 0);
        let made = |s: &Shared| match s {
            Shared::Made(m) => (m.body.clone(), m.meta.etag.clone()),
            Shared::Refused(_) => panic!("the leader made it"),
        };
        assert_eq!(made(&a.try_recv().unwrap().unwrap()).0, vec![1, 2, 3]);
        assert_eq!(made(&b.try_recv().unwrap().unwrap()).1, "\"e\"");

        let Turn::Lead(lead) = join(&[2; 32]) else {
            panic!()
        };
        let Turn::Follow(mut c) = join(&[2; 32]) else {
            panic!()
        };
        drop(lead);
        assert!(
            c.try_recv().is_err(),
            "a dropped leader cancels its waiters"
        );
        let Turn::Lead(lead) = join(&[2; 32]) else {
            panic!("a new leader after a released one")
        };
        let Turn::Follow(mut d) = join(&[2; 32]) else {
            panic!()
        };
        lead.share(Shared::Refused(Refusal::new(413, "output_too_large", "x")));
        assert!(matches!(
            &*d.try_recv().unwrap().unwrap(),
            Shared::Refused(r) if r.status == 413
        ));
    }
}
