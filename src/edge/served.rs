//! Served: what an image request is answered with. Each named step (src/edge/image.rs)
//! returns `Result<_, Served>`; the first `Err`, or the made variant at the end, is the answer,
//! and [`answer`] is the one place it becomes a response and its write-backs.

use super::respond::{self, Body, Reply};
use super::route::Refusal;
use super::store::Meta;
use super::writeback::{self, Write};
use worker::{Context, Env, Response};

pub enum Served {
    /// A variant, made here or found stored, and what to write back once it is answered
    /// (boxed: every step's `Result` carries a `Served`).
    Variant(Box<Variant>),
    /// A refusal, answered as JSON.
    Refused(Refusal),
    /// A refusal to remember (`failure.rs`), and the write that remembers it.
    Remembered(Refusal, Box<Write>),
    /// `onerror=redirect`: a fatal transform error sends the client to the source itself.
    Redirect {
        location: String,
        code: &'static str,
    },
    /// Test builds only: the answer of `stages::exit_after`.
    Exit(Response),
}

pub struct Variant {
    pub meta: Meta,
    pub body: Body,
    /// HIT, MISS or STALE.
    pub status: &'static str,
    /// Where it came from (`x-edgepix-cache-layer`).
    pub layer: &'static str,
    /// What the client may do with it.
    pub cache_control: String,
    /// Seconds since it was made, on a stored fresh variant (`Age`): `max-age` stays the
    /// lifetime the origin gave, and `Age` says how much of it is gone, so a client or a
    /// shared cache before us keeps it only for what is left.
    pub age: Option<u64>,
    pub writes: Vec<Write>,
}

impl Served {
    pub fn variant(v: Variant) -> Served {
        Served::Variant(Box::new(v))
    }

    /// The isolate's in-flight memory cap is reached: a retry soon will find room.
    pub fn busy() -> Served {
        Served::Refused(Refusal::new(
            503,
            "busy",
            "this isolate is at its in-flight memory cap (MAX_INFLIGHT_BYTES); retry shortly",
        ))
    }
}

impl From<Refusal> for Served {
    fn from(r: Refusal) -> Served {
        Served::Refused(r)
    }
}

/// Answers `served` and schedules what it writes back (after the response, in `wait_until`).
pub fn answer(served: Served, reply: &Reply, ctx: &Context, env: &Env) -> Response {
    match served {
        Served::Variant(v) => {
            let v = *v;
            let resp = respond::variant(
                &v.meta,
                v.body,
                reply,
                v.status,
                v.layer,
                &v.cache_control,
                v.age,
            );
            writeback::schedule(ctx, env, v.writes);
            resp
        }
        Served::Refused(r) => respond::error(&r, reply.cfg),
        Served::Remembered(r, write) => {
            let resp = respond::error(&r, reply.cfg);
            writeback::schedule(ctx, env, vec![*write]);
            resp
        }
        Served::Redirect { location, code } => respond::redirect(&location, code, reply.cfg),
        Served::Exit(r) => r,
    }
}
