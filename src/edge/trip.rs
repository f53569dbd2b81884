//! Trip: one image request on its way through the steps of `image.rs`, the state every step
//! reads (the request, its environment) and adds to (timings, the transform's outcome). Its own
//! module so that the steps depend on it and `image.rs` on them, never in a circle.

use super::config::Config;
use super::events::Outcome;
use super::respond::Timing;
use super::route::ImageRequest;
use worker::{Env, Url};

/// One request on its way through the steps: what it is, where it runs, and what the steps
/// measured and learned for the answer (`Server-Timing`) and the event.
pub struct Trip<'a> {
    pub env: &'a Env,
    pub cfg: &'a Config,
    pub url: &'a Url,
    pub ir: &'a ImageRequest,
    pub timing: Timing,
    /// What only the transform knows; a stored answer leaves it empty.
    pub outcome: Outcome,
}
