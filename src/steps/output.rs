//! What a transform answers (`Output`) and the finished frame before its encoder (`Frame`),
//! with the encode step's entry: the types the pipeline, the quality policies and `maxBytes`
//! pass between them.

use super::Step;
use crate::error::Result;
use crate::format::OutputFormat;
use crate::heap::MemoryEstimate;
use crate::metadata::Kept;
use crate::pixels::Raster;
use crate::plan::Plan;
use crate::probe::Probe;
use serde::Serialize;

/// Milliseconds spent in each stage, for Server-Timing and the npm result.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Timings {
    pub decode: f64,
    pub resize: f64,
    pub encode: f64,
}

#[derive(Debug, Clone)]
pub struct Output {
    pub bytes: Vec<u8>,
    pub format: OutputFormat,
    pub width: u32,
    pub height: u32,
    pub input: Probe,
    pub timings: Timings,
    pub notes: Vec<&'static str>,
    /// What the plan estimated this transform would hold at its peak.
    pub memory: MemoryEstimate,
    /// `quality=auto`: what the policy chose and what choosing cost.
    pub quality_choice: Option<Choice>,
    /// The names of the plan's steps this transform ran, in order (`crate::steps`; an
    /// animation's: those of its first frame).
    pub steps: Vec<&'static str>,
    /// Encodes this output cost, `quality=auto` checks and `maxBytes` attempts included
    /// (`crate::steps::allowance`); 0 for answers that encode nothing.
    pub encodes: u32,
}

impl Output {
    pub fn mime(&self) -> &'static str {
        self.format.mime()
    }
}

/// A monotonic clock in milliseconds. Native callers pass `Instant`-based time; wasm callers
/// pass `performance.now()` / `Date.now()`, since `Instant` does not exist on wasm32.
pub type Clock<'a> = &'a dyn Fn() -> f64;

/// `quality=auto`: what a policy decided and what it cost: the fields the Worker's metrics event reports.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Choice {
    pub policy: &'static str,
    pub target: u8,
    pub quality: u8,
    /// The predictor's quality for the target, before any check (predict and verify).
    pub predicted_quality: Option<f64>,
    /// The whole-frame score estimated from the crops at the chosen quality, when a check
    /// measured it.
    pub measured_score: Option<f64>,
    /// Checks run (each one encodes, decodes and scores the crops).
    pub checks: u32,
    /// Milliseconds spent choosing, before the final encode.
    pub ms: f64,
}

/// A finished output frame and everything its encoder needs.
pub struct Frame {
    pub raster: Raster,
    pub plan: Plan,
    pub probe: Probe,
    /// The input's metadata the output keeps, copied once (`Kept::for_output`).
    pub kept: Kept,
    pub timings: Timings,
    /// The steps that made the frame (`Output::steps`).
    pub steps: Vec<&'static str>,
}

impl Frame {
    /// Encode at `quality` (the plan's own for a plain transform). Timings add the encode to the
    /// decode and resize that made the frame.
    pub fn encode(&self, quality: u8, clock: Clock) -> Result<Output> {
        let t = clock();
        let plan = Plan {
            quality,
            ..self.plan.clone()
        };
        let bytes = super::encode::run(&self.raster, &plan, &self.kept)?;
        let mut steps = self.steps.clone();
        steps.push(Step::Encode.name());
        Ok(Output {
            bytes,
            format: plan.output,
            width: self.raster.width,
            height: self.raster.height,
            input: self.probe.clone(),
            timings: Timings {
                encode: clock() - t,
                ..self.timings
            },
            memory: plan.memory,
            notes: plan.notes,
            quality_choice: None,
            steps,
            encodes: 1,
        })
    }
}
