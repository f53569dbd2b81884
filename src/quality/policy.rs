//! The policies of `quality=auto`, run on one rendered frame.
//!
//! A *check* of a quality `q` encodes and decodes each online crop (`metric::crops`) on its
//! own and scores it with SSIMULACRA2; from those scores and the frame's features the model
//! estimates the whole frame's score (`FormatModel::frame_estimate`), and the check passes
//! when the estimate reaches the target plus the model's margin for that target
//! (`crop_margins`, the smallest with no miss on the training curves). JPEG crops keep the frame's
//! 16 px block grid, so they decode to the same pixels as that region of a full encode, except
//! at the crop's border. Only the chosen quality is encoded in full, once; at most one
//! candidate output exists at a time.

use super::{metric, model, Auto, Policy, MAX_Q, MIN_Q};
use crate::error::Result;
use crate::format::OutputFormat;
use crate::steps::allowance::{self, Allowance};
pub use crate::steps::output::Choice;
use crate::steps::output::{Clock, Frame, Output};

/// Step between the qualities a policy tries.
pub const STEP: u8 = 5;

/// Encode `frame` as its plan says: at the plan's quality, or, for `quality=auto` and a lossy
/// output, at the quality a policy chooses. `source` is the encoded input (the predictor
/// reads its quantisation tables; the output never spends more bytes than it when both have
/// the same size and format).
pub fn encode(frame: &Frame, source: &[u8], clock: Clock) -> Result<Output> {
    encode_within(
        frame,
        source,
        clock,
        &Allowance::new(allowance::PER_TRANSFORM),
    )
}

/// [`encode`], spending checks and encodes from `allowance` (a `maxBytes` search shares one
/// across its attempts). The final encode is always made: an allowance already spent costs
/// the choice its checks, not the answer.
pub fn encode_within(
    frame: &Frame,
    source: &[u8],
    clock: Clock,
    allowance: &Allowance,
) -> Result<Output> {
    let lossy = frame.plan.output.quality_search();
    let auto = frame.plan.auto.filter(|_| lossy);
    let Some(auto) = auto.filter(|_| metric::can_score(&frame.raster)) else {
        allowance.take();
        let mut out = frame.encode(frame.plan.quality, clock)?;
        if auto.is_some() {
            out.notes.push(
                "quality=auto: the output is too small to score; encoded at the default quality",
            );
        }
        return Ok(out);
    };
    let t = clock();
    let mut choice = choose(frame, source, auto, allowance)?;
    choice.ms = clock() - t;
    allowance.take();
    let mut out = frame.encode(choice.quality, clock)?;
    // Re-encoding at the source's own size and format can only lose: never spend more bytes.
    let same = out.format.name() == frame.probe.format.name()
        && (out.width, out.height) == frame.plan.display_size;
    let mut drop_by = STEP;
    while same && out.bytes.len() > source.len() && choice.quality > MIN_Q && allowance.take() {
        // Each try goes further down than the last (5, 10, 20, ... below), and the last the
        // allowance affords goes to the floor: a few encodes reach any quality.
        choice.quality = if allowance.left() == 0 {
            MIN_Q
        } else {
            choice.quality.saturating_sub(drop_by).max(MIN_Q)
        };
        drop_by = drop_by.saturating_mul(2);
        let encode_ms = out.timings.encode;
        drop(out);
        out = frame.encode(choice.quality, clock)?;
        out.timings.encode += encode_ms;
        out.notes
            .push("quality=auto: lowered to stay under the source's bytes");
    }
    out.encodes = allowance.spent();
    out.quality_choice = Some(choice);
    let encode_at = out.steps.len().saturating_sub(1);
    out.steps
        .insert(encode_at, crate::steps::Step::ChooseQuality.name());
    Ok(out)
}

/// The quality `auto.policy` picks for `frame` (no full encode).
///
/// Each check spends one of `allowance`'s encodes, one always left for the final encode; a
/// check the allowance cannot afford counts as a miss, so a cut-short search errs towards
/// quality (a higher quality, more bytes), never below the target.
pub fn choose(frame: &Frame, source: &[u8], auto: Auto, allowance: &Allowance) -> Result<Choice> {
    let m = model::for_output(frame.plan.output);
    let mut choice = Choice {
        policy: auto.policy.name(),
        target: auto.target,
        quality: MAX_Q,
        predicted_quality: None,
        measured_score: None,
        checks: 0,
        ms: 0.0,
    };
    let need = auto.target as f64 + m.crop_margin(auto.target);
    let f = super::features::measure(&frame.raster, source, source_pixels(frame));
    let features = f.values();
    let check = |q: u8, choice: &mut Choice| -> Result<f64> {
        if allowance.left() <= 1 || !allowance.take() {
            return Ok(f64::NEG_INFINITY);
        }
        choice.checks += 1;
        let crops = crop_scores(frame, q)?;
        Ok(model::frame_estimate(&m.frame_estimate, &crops, &features))
    };
    // Never above the source's own JPEG quality at the same size: it cannot add detail back.
    let source_q = super::features::source_jpeg_quality(source)
        .filter(|_| frame_is_source_size(frame))
        .filter(|_| matches!(frame.plan.output, OutputFormat::Jpeg { .. }))
        .map(|q| q.clamp(MIN_Q, MAX_Q))
        .unwrap_or(MAX_Q);
    match auto.policy {
        Policy::Search => {
            let grid: Vec<u8> = (MIN_Q..=MAX_Q).step_by(STEP as usize).collect();
            (choice.quality, choice.measured_score) =
                match lowest_passing(&grid, need, |q| check(q, &mut choice))? {
                    // the binary search left the step below failing (unless it is the floor)
                    Some((q, s)) if q > MIN_Q => {
                        let (q, s) = refine(q - STEP, (q, s), need, |q| check(q, &mut choice))?;
                        (q, Some(s))
                    }
                    Some((q, s)) => (q, Some(s)),
                    None => (MAX_Q, None),
                };
        }
        Policy::Predict | Policy::Verify => {
            let predicted = m.predict(auto.target, &f);
            choice.predicted_quality = Some(predicted);
            let mut q = (predicted.ceil().clamp(MIN_Q as f64, MAX_Q as f64)) as u8;
            if auto.policy == Policy::Verify {
                let s = check(q, &mut choice)?;
                if s >= need {
                    choice.measured_score = Some(s);
                    // The predictor is shifted up on purpose (it errs towards bytes), so one
                    // step down often passes too; one more check buys that step.
                    let lower = q.saturating_sub(STEP);
                    if lower >= MIN_Q {
                        let s_lower = check(lower, &mut choice)?;
                        (q, choice.measured_score) = if s_lower >= need {
                            (lower, Some(s_lower))
                        } else {
                            let (q, s) = refine(lower, (q, s), need, |q| check(q, &mut choice))?;
                            (q, Some(s))
                        };
                    }
                } else {
                    // The prediction was too low: search the steps above it, up to the ceiling.
                    let mut grid: Vec<u8> = (q + STEP..MAX_Q).step_by(STEP as usize).collect();
                    grid.push(MAX_Q);
                    let failed = q;
                    (q, choice.measured_score) = match lowest_passing(&grid, need, |q| {
                        check(q, &mut choice)
                    })? {
                        Some((p, s)) => {
                            let below = p.saturating_sub(STEP).max(failed);
                            let (q, s) = refine(below, (p, s), need, |q| check(q, &mut choice))?;
                            (q, Some(s))
                        }
                        None => (MAX_Q, None),
                    };
                }
            }
            choice.quality = q;
        }
    }
    choice.quality = choice.quality.min(source_q);
    Ok(choice)
}

/// The lowest quality of `grid` (ascending) whose check clears `need`, by binary search (the
/// crop score rises with the quality), with its score; `None` when even the last fails.
fn lowest_passing(
    grid: &[u8],
    need: f64,
    mut check: impl FnMut(u8) -> Result<f64>,
) -> Result<Option<(u8, f64)>> {
    let (mut lo, mut hi) = (0usize, grid.len());
    let mut best = None;
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let s = check(grid[mid])?;
        if s >= need {
            best = Some((grid[mid], s));
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    Ok(best)
}

/// One more check halfway between a failing quality and a passing one: the grid's step of 5
/// leaves the chosen quality up to a step above the lowest passing one (about 2.5 on average,
/// some 5 % of the bytes); one check halves that.
fn refine(
    failing: u8,
    (pass, score): (u8, f64),
    need: f64,
    mut check: impl FnMut(u8) -> Result<f64>,
) -> Result<(u8, f64)> {
    let gap = pass.saturating_sub(failing);
    if gap < 2 {
        return Ok((pass, score));
    }
    let mid = failing + gap.div_ceil(2);
    let s = check(mid)?;
    Ok(if s >= need { (mid, s) } else { (pass, score) })
}

/// SSIMULACRA2 of each online crop of `frame`, each encoded alone at `q`.
pub fn crop_scores(frame: &Frame, q: u8) -> Result<Vec<f64>> {
    metric::crops(&frame.raster, model::CROPS)
        .into_iter()
        .map(|rect| {
            let crop = metric::cut(&frame.raster, rect);
            let decoded = round_trip(&crop, frame.plan.output, q)?;
            metric::score_rect(&crop, &decoded, (0, 0, crop.width, crop.height))
        })
        .collect()
}

/// `r` encoded as `format` at `q` with no metadata, and decoded again.
pub fn round_trip(
    r: &crate::pixels::Raster,
    format: OutputFormat,
    q: u8,
) -> Result<crate::pixels::Raster> {
    use crate::codecs;
    let cap = (r.width as u64 * r.height as u64) * 4 + (64 << 10);
    let bytes = match format {
        OutputFormat::Jpeg { progressive } => {
            let flat;
            let src = if r.has_alpha() {
                flat = crate::pixels::compose::flatten(r.clone(), crate::options::Rgba::WHITE);
                &flat
            } else {
                r
            };
            codecs::jpeg::encode(
                src,
                &codecs::jpeg::JpegParams {
                    quality: q,
                    progressive,
                    max_output: cap,
                    streaming: false,
                    exif: None,
                    xmp: None,
                },
            )?
        }
        _ => codecs::webp::encode(r, q, None, cap)?,
    };
    let limits = crate::Limits::default();
    let probe = crate::probe::probe(&bytes, &limits)?;
    let mut decoded = codecs::decode(&bytes, &probe, (probe.width, probe.height), &limits)?.raster;
    if decoded.layout != r.layout {
        decoded = match r.layout {
            crate::pixels::Layout::Rgb => {
                crate::pixels::compose::flatten(decoded, crate::options::Rgba::WHITE)
            }
            crate::pixels::Layout::Rgba => {
                let data = decoded
                    .data
                    .chunks_exact(3)
                    .flat_map(|p| [p[0], p[1], p[2], 255])
                    .collect();
                crate::pixels::Raster::new(
                    decoded.width,
                    decoded.height,
                    crate::pixels::Layout::Rgba,
                    data,
                )
            }
        };
    }
    Ok(decoded)
}

/// Pixels of the source region the frame was resized from.
pub fn source_pixels(frame: &Frame) -> f64 {
    frame.plan.crop[2] * frame.plan.crop[3]
}

fn frame_is_source_size(frame: &Frame) -> bool {
    (frame.raster.width, frame.raster.height) == frame.plan.display_size
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A check whose score is the quality itself: passes from `need` up.
    fn counted(checks: &mut Vec<u8>) -> impl FnMut(u8) -> Result<f64> + '_ {
        |q| {
            checks.push(q);
            Ok(q as f64)
        }
    }

    #[test]
    fn search_finds_the_lowest_passing_step_then_halves_the_step_below_it() {
        let grid: Vec<u8> = (MIN_Q..=MAX_Q).step_by(STEP as usize).collect();
        let mut seen = Vec::new();
        let found = lowest_passing(&grid, 72.0, counted(&mut seen)).unwrap();
        assert_eq!(found, Some((75, 75.0)));
        assert!(seen.len() <= 4, "{seen:?}");
        let mut seen = Vec::new();
        assert_eq!(
            refine(70, (75, 75.0), 72.0, counted(&mut seen)).unwrap(),
            (73, 73.0)
        );
        assert_eq!(seen, vec![73]);
        // the midpoint fails: the passing step stays
        let mut seen = Vec::new();
        assert_eq!(
            refine(70, (75, 75.0), 74.0, counted(&mut seen)).unwrap(),
            (75, 75.0)
        );
        // nothing between them: no check
        let mut seen = Vec::new();
        assert_eq!(
            refine(94, (95, 95.0), 90.0, counted(&mut seen)).unwrap(),
            (95, 95.0)
        );
        assert!(seen.is_empty());
        assert_eq!(
            lowest_passing(&grid, 99.0, counted(&mut Vec::new())).unwrap(),
            None
        );
    }
}
