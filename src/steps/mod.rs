//! The plan as a list of steps. `still` is what a single-frame transform does, in order:
//!
//!   decode (shrunk on load) -> find the border (`trim=border`) -> place the smart crop
//!   (`gravity=auto`) -> the frame steps -> choose the quality (`quality=auto`) -> encode
//!
//! and `frame` the frame steps, which an animation runs once per frame:
//!
//!   crop + resize -> orient -> colour -> effects -> pad -> border -> overlays -> background
//!
//! Each step has its pixels (`run`) and its allocations on the allocator model (`footprint`)
//! side by side, in one type. The pipeline runs the list; the budget replays the same list on
//! `crate::heap`, so the estimate and the transform cannot disagree on the order.

pub mod allowance;
pub mod encode;
pub mod frame;
pub mod output;

pub use frame::FrameStep;

use crate::plan::Plan;

/// One step of a still transform.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The decoder, at the smallest size that keeps 2x for the filter (`Plan::decode_min_size`).
    Decode,
    /// `trim=border`: search the decoded pixels; the pipeline then re-plans with what it found.
    FindBorder,
    /// `gravity=auto`: move the crop window to where the saliency map of a small copy is.
    SmartCrop,
    Frame(FrameStep),
    /// `quality=auto` on a format whose quality is searched: checks on crops before the encode.
    ChooseQuality,
    Encode,
}

impl Step {
    pub fn name(self) -> &'static str {
        match self {
            Step::Decode => "decode",
            Step::FindBorder => "find-border",
            Step::SmartCrop => "smart-crop",
            Step::Frame(f) => f.name(),
            Step::ChooseQuality => "choose-quality",
            Step::Encode => "encode",
        }
    }
}

/// The steps of a still (single-frame) plan, in the order they run.
pub fn still(plan: &Plan) -> Vec<Step> {
    let mut steps = vec![Step::Decode];
    if plan.trim_border.is_some() {
        steps.push(Step::FindBorder);
    }
    if plan.smart_crop.is_some() {
        steps.push(Step::SmartCrop);
    }
    steps.extend(frame(plan).into_iter().map(Step::Frame));
    if plan.auto.is_some() && plan.output.quality_search() {
        steps.push(Step::ChooseQuality);
    }
    steps.push(Step::Encode);
    steps
}

/// The single-frame steps after decoding, in order: a still runs them once, an animation once
/// per frame.
pub fn frame(plan: &Plan) -> Vec<FrameStep> {
    let mut steps = vec![FrameStep::Resize];
    if !plan.orientation.is_identity() {
        steps.push(FrameStep::Orient);
    }
    steps.push(FrameStep::Colour);
    steps.push(FrameStep::Effects);
    if plan.canvas.is_some() {
        steps.push(FrameStep::Pad);
    }
    if plan.border.is_some() {
        steps.push(FrameStep::Border);
    }
    steps.push(FrameStep::Overlays);
    steps.push(FrameStep::Background);
    steps
}
