//! Test builds only (feature `test-trap`): answer early, right after a named step of the
//! request path, so `scripts/bench/wrk.sh --profile` can measure what each step of a cache hit
//! costs (CPU per request up to that step). `TEST_EXIT_AT` names the step. A shipped build
//! compiles this to nothing.

use worker::{Env, Response};

#[cfg(feature = "test-trap")]
pub fn exit_after(env: &Env, step: &str) -> Option<Response> {
    let at = env.var("TEST_EXIT_AT").ok()?.to_string();
    (at == step).then(|| Response::ok(step).ok()).flatten()
}

#[cfg(not(feature = "test-trap"))]
#[inline(always)]
pub fn exit_after(_env: &Env, _step: &str) -> Option<Response> {
    None
}
