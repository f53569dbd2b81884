//! `quality=auto`: per image and output size, the encoder setting with the fewest bytes whose
//! perceptual score reaches a target.
//!
//! The objective, stated once (docs/QUALITY.md has the measurements): choose the quality `q`
//! that minimises
//!
//!   L(q) = bytes(q) / bytes(q85)  +  w · max(0, T − S(q))      with w large (20 per point)
//!
//! where `S` is SSIMULACRA2 at the output size against the un-encoded resized frame and `T` the
//! target. Overshooting the target costs only its bytes; missing it costs far more, because a
//! miss is an artefact a viewer sees on a page that asked for "high quality", cannot be undone
//! once cached for days, and is what makes people turn an automatic setting off, while a few
//! per cent of extra bytes cost a little latency. The learned predictor follows the same
//! asymmetry: it is fitted, then shifted up by a high quantile of its residuals (a pinball
//! loss), so it errs on the side of more bytes.
//!
//! A choice happens after the frame is rendered, on that frame: policies encode it, or crops
//! of it, several times; only the chosen output is encoded in full (see `policy`).

pub mod features;
pub mod metric;
pub mod model;
pub mod policy;
pub mod train;

pub use policy::{choose, encode, encode_within, Choice};

// The option types of `quality=auto` live with the other options (`crate::options::quality`).
pub use crate::options::quality::{
    Auto, Policy, DEFAULT_POLICY, DEFAULT_TARGET, MAX_Q, MIN_Q, NAMED_TARGETS,
};
