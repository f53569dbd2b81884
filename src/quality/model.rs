//! The learned predictor: a linear model per output format from the target and the frame's
//! features to the encoder quality that reaches the target, shifted up by a high quantile of
//! its training residuals. Its coefficients live in `data/quality/model.json`, made from
//! `data/quality/curves.csv` by `edgepix train` (see `train`); a test checks that the
//! command reproduces the file.

use super::features::{Features, NAMES};
use crate::format::OutputFormat;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// Crops a check scores (see `metric::crops`).
pub const CROPS: usize = 3;

/// One output format's model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FormatModel {
    /// Includes the residual quantile shift.
    pub intercept: f64,
    pub target: f64,
    pub target_squared: f64,
    /// Per feature, in the order of `features::NAMES`.
    pub weights: Vec<f64>,
    /// The tau-quantile of the residuals (already added to the intercept), in quality steps.
    pub shift: f64,
    /// Residual standard deviation before the shift, in quality steps.
    pub residual_sd: f64,
    /// Training rows (image x size x target).
    pub rows: usize,
    /// Per target of `Model::targets`: points of SSIMULACRA2 a crop check must clear above
    /// the target, so that the whole frame reaches that target on every training curve.
    /// Per target because crops and frame part further the more the encoder distorts.
    pub crop_margins: Vec<f64>,
    /// The whole frame's score estimated from a check's crops: intercept, then weights of
    /// the lowest crop score, the crops' spread (highest minus lowest) and the features.
    /// A crop of 256 px scores above the frame it comes from (the metric's coarse scales see
    /// less structure), by an amount that depends on the frame; this fit takes most of that
    /// dependence out, and the margins cover what is left.
    pub frame_estimate: Vec<f64>,
}

/// The inputs of the frame-score estimate, in its weights' order.
pub fn estimate_inputs(crops: &[f64], features: &[f64]) -> Vec<f64> {
    let lo = crops.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = crops.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let lo = if lo.is_finite() { lo } else { 0.0 };
    let spread = if hi.is_finite() { hi - lo } else { 0.0 };
    let mut x = vec![lo, spread];
    x.extend_from_slice(features);
    x
}

/// The whole-frame score `coefficients` (intercept first) estimate from crop scores and
/// features.
pub fn frame_estimate(coefficients: &[f64], crops: &[f64], features: &[f64]) -> f64 {
    let x = estimate_inputs(crops, features);
    coefficients.first().copied().unwrap_or(0.0)
        + coefficients
            .iter()
            .skip(1)
            .zip(&x)
            .map(|(w, v)| w * v)
            .sum::<f64>()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Model {
    pub about: String,
    pub features: Vec<String>,
    pub targets: Vec<u8>,
    pub tau: f64,
    pub jpeg: FormatModel,
    pub webp: FormatModel,
}

impl FormatModel {
    /// The margin for `target`: the larger of the margins of the trained targets on either
    /// side of it (the nearest one outside their range), never an extrapolation.
    pub fn crop_margin(&self, target: u8) -> f64 {
        let targets = &shipped().targets;
        self.margin_among(targets, target)
    }

    fn margin_among(&self, targets: &[u8], target: u8) -> f64 {
        let at = |i: usize| self.crop_margins.get(i).copied().unwrap_or(0.0);
        match targets.iter().position(|&t| t >= target) {
            Some(0) => at(0),
            Some(i) if targets[i] == target => at(i),
            Some(i) => at(i - 1).max(at(i)),
            None => at(targets.len().saturating_sub(1)),
        }
    }

    /// The quality (not rounded) predicted to reach `target` on a frame with features `f`.
    pub fn predict(&self, target: u8, f: &Features) -> f64 {
        let t = target as f64;
        let v = f.values();
        self.intercept
            + self.target * t
            + self.target_squared * t * t
            + self
                .weights
                .iter()
                .zip(v.iter())
                .map(|(w, x)| w * x)
                .sum::<f64>()
    }
}

/// The model file as shipped.
pub const MODEL_JSON: &str = include_str!("../../data/quality/model.json");

/// The shipped model, parsed once.
pub fn shipped() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| {
        let m: Model = serde_json::from_str(MODEL_JSON).expect("data/quality/model.json parses");
        assert_eq!(m.features, NAMES, "model features match features::NAMES");
        m
    })
}

/// The model for a lossy output format (JPEG's for anything that is not WebP).
pub fn for_output(format: OutputFormat) -> &'static FormatModel {
    match format {
        OutputFormat::Webp => &shipped().webp,
        _ => &shipped().jpeg,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn margins_between_targets_take_the_larger_neighbour() {
        let m = FormatModel {
            crop_margins: vec![6.0, 4.0, 2.0, 3.0, 1.0],
            ..shipped().jpeg.clone()
        };
        let t = [50, 60, 70, 80, 90];
        assert_eq!(m.margin_among(&t, 70), 2.0);
        assert_eq!(m.margin_among(&t, 75), 3.0);
        assert_eq!(m.margin_among(&t, 65), 4.0);
        assert_eq!(m.margin_among(&t, 30), 6.0);
        assert_eq!(m.margin_among(&t, 95), 1.0);
    }
}
