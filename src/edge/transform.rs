//! Transform: the plan's memory reserved against the isolate's in-flight cap first, then the
//! engine. A failure is refused with the engine's code or, when `crate::answer` says so
//! (`onerror=redirect`, a failure of the image), answered by a redirect to the source.

use super::events::Outcome;
use super::fetch::{Source, Sources};
use super::route::Refusal;
use super::served::Served;
use super::trip::Trip;
use crate::answer;
use crate::resolve::Resolved;

/// Runs the transform on `sources`; hands the source on to the write-back, with the
/// reservation released.
pub fn run(
    t: &mut Trip<'_>,
    sources: Sources,
    resolved: &Resolved,
) -> Result<(crate::Output, Source), Served> {
    let Sources {
        source,
        overlays,
        mut reservation,
    } = sources;
    let overlays: Vec<&[u8]> = overlays.iter().map(Vec::as_slice).collect();
    let bytes = &source.bytes;
    // The plan's and the overlays' peaks, from headers; the input and the overlays' bytes are
    // already reserved and counted in it.
    let peak = crate::draw::peak_with_overlays(bytes, resolved, &overlays, &t.cfg.limits)
        .map_err(|e| failed(t, e))?;
    let more = peak.saturating_sub(reservation.bytes());
    if !reservation.grow(more, t.cfg.max_inflight_bytes) {
        return Err(Served::busy());
    }
    let clock = || js_sys::Date::now();
    let out = crate::transform_with_overlays(bytes, resolved, &overlays, &t.cfg.limits, &clock)
        .map_err(|e| failed(t, e))?;
    drop(reservation);
    let stages = [out.timings.decode, out.timings.resize, out.timings.encode];
    t.timing.stages = Some(stages);
    let reported = answer::Reported::of(&out, resolved.options());
    t.outcome = Outcome {
        bytes_in: bytes.len() as u64,
        stages: Some(stages),
        width: out.width,
        height: out.height,
        quality: reported.quality,
        policy: reported.policy,
        predicted_score: reported.predicted_score,
        measured_score: reported.measured_score,
    };
    Ok((out, source))
}

fn failed(t: &Trip<'_>, e: crate::Error) -> Served {
    if answer::redirects(&t.ir.options, &e) {
        return Served::Redirect {
            location: t.ir.source.public_url(),
            code: e.code.as_str(),
        };
    }
    Refusal::from(e).into()
}
