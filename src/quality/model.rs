//! The learned predictor: a linear model per output format from the target and the frame's
//! features to the encoder quality that reaches the target, shifted up by a high quantile of
//! its training residuals. Its coefficients live in `data/quality/model.json`, made from
//! `data/quality/curves.csv` by `edgepix train` (see `train`); a test checks that the
//! command reproduces the file.

use super::features::{Features, NAMES};
use crate::plan::OutputFormat;
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
    /// Points of SSIMULACRA2 a crop check must clear above the target, so that the whole
    /// frame reaches the target on every training image.
    pub crop_margin: f64,
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
