//! An image request as its named steps: resolve -> key -> lookup -> source -> transform ->
//! variant (what is answered and written back). Each step is a function returning
//! `Result<_, Served>`: `Err` is the answer (a hit, a refusal, a redirect, a stale copy), `Ok`
//! what the next step needs. `steps` only calls them in order; `serve` (mod.rs) answers. A
//! failure of the leader's work is handed to `failure` (shared with its waiters, remembered).

use super::key::VariantKey;
use super::lookup::Found;
use super::served::Served;
use super::trip::Trip;
use super::{failure, fetch, lookup, purge, stages, transform, variant};
use crate::resolve::Resolved;

/// The answer to an image request.
pub async fn steps(t: &mut Trip<'_>) -> Served {
    match run(t).await {
        Ok(made) | Err(made) => made,
    }
}

async fn run(t: &mut Trip<'_>) -> Result<Served, Served> {
    let resolved = t.ir.options.resolve(&t.ir.client);
    let key = key(t, &resolved).await?;
    let Found { stale, lead } = lookup::lookup(t, &key).await?;
    match make(t, &key, stale, &resolved).await {
        Ok((out, source)) => Ok(variant::made(t, out, source, key, lead)),
        Err(failed) => Err(failure::answered(&key, failed, lead, js_sys::Date::now())),
    }
}

/// The source, then the transform: what the leader does, and may fail at.
async fn make(
    t: &mut Trip<'_>,
    key: &VariantKey,
    stale: Option<super::store::Entry>,
    resolved: &Resolved,
) -> Result<(crate::Output, fetch::Source), Served> {
    let sources = fetch::sources(t, key, stale).await?;
    transform::run(t, sources, resolved)
}

/// The variant's key: the options resolved for this client, the source and its purge
/// generation, the experiment arms.
async fn key(t: &Trip<'_>, resolved: &Resolved) -> Result<VariantKey, Served> {
    let generation = purge::generation(t.env, &t.ir.source).await;
    #[cfg(feature = "test-trap")]
    if t.url.path().ends_with("/__edgepix-test-trap") {
        // Test builds only (feature test-trap, release flags): a panic after an await, where
        // a real one would happen (a decoder, after the source arrived), to prove that the
        // trapping request is answered JSON 500 and the next one by a fresh instance.
        panic!("test trap");
    }
    let arms = t.ir.experiments.label();
    let key = VariantKey::new(t.url, resolved, &t.ir.source, generation, &arms);
    stages::exit_after(t.env, "key").map_or(Ok(key), |r| Err(Served::Exit(r)))
}
