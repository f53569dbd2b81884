//! Retraining the predictor from measured curves: `edgepix train` runs `fit` on
//! `data/quality/curves.csv` and writes `data/quality/model.json`. Deterministic (plain
//! arithmetic, fixed order, rounded output), so a test can check that the checked-in model is
//! what the checked-in data gives.
//!
//! The curves hold, per training image, output size and format, one row per encoder quality
//! on the grid: bytes, the whole-frame SSIMULACRA2 (the label's source), the score of each
//! online crop and the frame's features. For each target the label is the quality at which
//! the whole-frame score first reaches it (linear between grid points). The fit is ridge
//! least squares on standardised columns; then the intercept moves up by the `TAU` quantile
//! of the residuals, the pinball-loss answer to "missing low costs more than overshooting".

use super::features::NAMES;
use super::model::{estimate_inputs, frame_estimate, FormatModel, Model, CROPS};
use super::{MAX_Q, MIN_Q};
use std::collections::BTreeMap;

/// The targets the predictor is trained for (it interpolates between them).
pub const TARGETS: [u8; 5] = [50, 60, 70, 80, 90];

/// Quantile of the residuals added to the prediction: 9 misses in 10 avoided on training data.
pub const TAU: f64 = 0.9;

/// Ridge strength on standardised columns (per row): keeps collinear features from
/// trading huge opposite weights.
const RIDGE: f64 = 1e-3;

/// The CSV header `edgepix curves` writes.
pub fn header() -> String {
    let crops: Vec<String> = (1..=5).map(|i| format!("crop{i}")).collect();
    format!(
        "image,format,width,height,q,bytes,s2,{},{}",
        crops.join(","),
        NAMES.join(",")
    )
}

/// One row of the curves file.
#[derive(Debug, Clone, PartialEq)]
pub struct CurveRow {
    pub image: String,
    pub format: String,
    pub width: u32,
    pub height: u32,
    pub q: u8,
    pub bytes: u64,
    pub s2: f64,
    /// Scores of the online crops at this quality (as many as the frame has).
    pub crops: Vec<f64>,
    pub features: [f64; 8],
}

impl CurveRow {
    pub fn to_csv(&self) -> String {
        let mut crops: Vec<String> = self.crops.iter().map(|c| format!("{c:.4}")).collect();
        crops.resize(5, String::new());
        let f: Vec<String> = self.features.iter().map(|v| format!("{v:.6}")).collect();
        format!(
            "{},{},{},{},{},{},{:.4},{},{}",
            self.image.replace(',', "_"),
            self.format,
            self.width,
            self.height,
            self.q,
            self.bytes,
            self.s2,
            crops.join(","),
            f.join(",")
        )
    }
}

pub fn parse_curves(csv: &str) -> Result<Vec<CurveRow>, String> {
    let mut lines = csv.lines();
    if lines.next().map(str::trim) != Some(header().as_str()) {
        return Err(format!("the first line must be the header: {}", header()));
    }
    lines
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            let bad = |what: &str| format!("line {}: {what}", i + 2);
            let c: Vec<&str> = l.split(',').collect();
            if c.len() != 20 {
                return Err(bad("expected 20 columns"));
            }
            let num = |s: &str| {
                s.trim()
                    .parse::<f64>()
                    .map_err(|_| bad(&format!("not a number: {s:?}")))
            };
            let mut features = [0.0; 8];
            for (k, f) in features.iter_mut().enumerate() {
                *f = num(c[12 + k])?;
            }
            Ok(CurveRow {
                image: c[0].to_string(),
                format: c[1].to_string(),
                width: num(c[2])? as u32,
                height: num(c[3])? as u32,
                q: num(c[4])? as u8,
                bytes: num(c[5])? as u64,
                s2: num(c[6])?,
                crops: c[7..12]
                    .iter()
                    .filter(|s| !s.is_empty())
                    .map(|s| num(s))
                    .collect::<Result<_, _>>()?,
                features,
            })
        })
        .collect()
}

/// One curve: an image at one size in one format, rows sorted by quality.
pub type Curve<'a> = Vec<&'a CurveRow>;

pub fn curves(rows: &[CurveRow]) -> BTreeMap<(String, String, u32, u32), Curve<'_>> {
    let mut m: BTreeMap<_, Curve> = BTreeMap::new();
    for r in rows {
        m.entry((r.image.clone(), r.format.clone(), r.width, r.height))
            .or_default()
            .push(r);
    }
    for c in m.values_mut() {
        c.sort_by_key(|r| r.q);
    }
    m
}

/// The quality at which the whole-frame score first reaches `target` (linear between grid
/// points), clamped to the grid; None when even the top of the grid stays below it.
pub fn quality_for(curve: &Curve, target: f64) -> Option<f64> {
    let i = curve.iter().position(|r| r.s2 >= target)?;
    if i == 0 {
        return Some(curve[0].q as f64);
    }
    let (a, b) = (curve[i - 1], curve[i]);
    let t = (target - a.s2) / (b.s2 - a.s2).max(1e-9);
    Some(a.q as f64 + t * (b.q as f64 - a.q as f64))
}

/// The first `CROPS` crop scores of a row (the ones a check measures).
pub fn crop_scores(r: &CurveRow) -> Vec<f64> {
    r.crops.iter().take(CROPS).copied().collect()
}

fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

/// Solves `a x = b` (n x n, row-major) by Gaussian elimination with partial pivoting.
fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Vec<f64> {
    let n = b.len();
    for col in 0..n {
        let pivot = (col..n)
            .max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))
            .unwrap_or(col);
        a.swap(col, pivot);
        b.swap(col, pivot);
        let d = a[col][col];
        if d.abs() < 1e-12 {
            continue;
        }
        for row in col + 1..n {
            let f = a[row][col] / d;
            let (above, below) = a.split_at_mut(row);
            for (t, p) in below[0][col..].iter_mut().zip(&above[col][col..]) {
                *t -= f * p;
            }
            b[row] -= f * b[col];
        }
    }
    let mut x = vec![0.0; n];
    for col in (0..n).rev() {
        let s: f64 = (col + 1..n).map(|k| a[col][k] * x[k]).sum();
        x[col] = if a[col][col].abs() < 1e-12 {
            0.0
        } else {
            (b[col] - s) / a[col][col]
        };
    }
    x
}

/// Fits one format's model on its curves.
fn fit_format(curves: &[&Curve]) -> FormatModel {
    let estimate = fit_estimate(curves);
    // design rows: target, target^2, features; label: quality for the target
    let mut xs: Vec<Vec<f64>> = Vec::new();
    let mut ys: Vec<f64> = Vec::new();
    for c in curves {
        for &t in &TARGETS {
            let y = quality_for(c, t as f64).unwrap_or(MAX_Q as f64 + STEP_PAST);
            let t = t as f64;
            let mut x = vec![t, t * t];
            x.extend_from_slice(&c[0].features);
            xs.push(x);
            ys.push(y.clamp(MIN_Q as f64, MAX_Q as f64 + STEP_PAST));
        }
    }
    let n = ys.len();
    let nf = n.max(1) as f64;
    let (intercept, w) = ridge(&xs, &ys);
    let predict = |x: &Vec<f64>| intercept + x.iter().zip(&w).map(|(a, b)| a * b).sum::<f64>();
    let mut residuals: Vec<f64> = xs.iter().zip(&ys).map(|(x, y)| y - predict(x)).collect();
    let residual_sd = (residuals.iter().map(|r| r * r).sum::<f64>() / nf).sqrt();
    residuals.sort_by(f64::total_cmp);
    let rank = ((TAU * nf).ceil() as usize).clamp(1, n.max(1)) - 1;
    let shift = residuals.get(rank).copied().unwrap_or(0.0);
    FormatModel {
        intercept: round6(intercept + shift),
        target: round6(w.first().copied().unwrap_or(0.0)),
        target_squared: round6(w.get(1).copied().unwrap_or(0.0)),
        weights: w.iter().skip(2).map(|&v| round6(v)).collect(),
        shift: round6(shift),
        residual_sd: round6(residual_sd),
        rows: n,
        crop_margins: TARGETS
            .iter()
            .map(|&t| crop_margin(curves, t, &estimate))
            .collect(),
        frame_estimate: estimate,
    }
}

/// Rows whose whole-frame score lies in this band train the frame-score estimate: the band
/// the targets people ask for (60-80) live in, with room either side.
const ESTIMATE_BAND: (f64, f64) = (55.0, 85.0);

/// The frame-score estimate from the crops (`FormatModel::frame_estimate`): least squares of
/// the whole-frame score on the lowest crop score, the crops' spread and the features.
fn fit_estimate(curves: &[&Curve]) -> Vec<f64> {
    let (mut xs, mut ys) = (Vec::new(), Vec::new());
    for r in curves.iter().flat_map(|c| c.iter()) {
        if (ESTIMATE_BAND.0..=ESTIMATE_BAND.1).contains(&r.s2) {
            xs.push(estimate_inputs(&crop_scores(r), &r.features));
            ys.push(r.s2);
        }
    }
    let (intercept, w) = ridge(&xs, &ys);
    std::iter::once(intercept).chain(w).map(round6).collect()
}

/// Ridge least squares of `ys` on `xs` (standardised columns): the intercept and the weights
/// in the original units.
fn ridge(xs: &[Vec<f64>], ys: &[f64]) -> (f64, Vec<f64>) {
    let n = ys.len();
    let p = xs.first().map_or(0, Vec::len);
    let nf = n.max(1) as f64;
    let mean: Vec<f64> = (0..p)
        .map(|j| xs.iter().map(|x| x[j]).sum::<f64>() / nf)
        .collect();
    let sd: Vec<f64> = (0..p)
        .map(|j| (xs.iter().map(|x| (x[j] - mean[j]).powi(2)).sum::<f64>() / nf).sqrt())
        .collect();
    let ymean = ys.iter().sum::<f64>() / nf;
    let z = |x: &Vec<f64>, j: usize| {
        if sd[j] > 1e-12 {
            (x[j] - mean[j]) / sd[j]
        } else {
            0.0
        }
    };
    let mut a = vec![vec![0.0; p]; p];
    let mut b = vec![0.0; p];
    for (x, y) in xs.iter().zip(ys) {
        for i in 0..p {
            let zi = z(x, i);
            b[i] += zi * (y - ymean);
            for (j, aij) in a[i].iter_mut().enumerate() {
                *aij += zi * z(x, j);
            }
        }
    }
    for (i, row) in a.iter_mut().enumerate() {
        row[i] += RIDGE * nf;
    }
    let beta = solve(a, b);
    let w: Vec<f64> = (0..p)
        .map(|j| if sd[j] > 1e-12 { beta[j] / sd[j] } else { 0.0 })
        .collect();
    let intercept = ymean - (0..p).map(|j| w[j] * mean[j]).sum::<f64>();
    (intercept, w)
}

/// A label for a target the grid never reaches: one step past its top.
const STEP_PAST: f64 = 5.0;

/// The smallest margin (in steps of 0.5 up to 30) for which choosing the first grid quality
/// whose crop score clears `target + margin` gives a whole-frame score at or above `target`
/// on every training curve that can reach it.
pub fn crop_margin(curves: &[&Curve], target: u8, estimate: &[f64]) -> f64 {
    let t = target as f64;
    let crop_score = |r: &CurveRow| frame_estimate(estimate, &crop_scores(r), &r.features);
    let misses = |m: f64| {
        curves
            .iter()
            .filter(|c| c.last().is_some_and(|r| r.s2 >= t))
            .filter(|c| {
                let chosen = c.iter().find(|r| crop_score(r) >= t + m).or(c.last());
                chosen.is_some_and(|r| r.s2 < t)
            })
            .count()
    };
    (0..=60)
        .map(|k| k as f64 * 0.5)
        .find(|&m| misses(m) == 0)
        .unwrap_or(30.0)
}

/// The model the curves give.
pub fn fit(rows: &[CurveRow]) -> Model {
    let all = curves(rows);
    let of = |format: &str| -> Vec<&Curve> {
        all.iter()
            .filter(|((_, f, _, _), _)| f == format)
            .map(|(_, c)| c)
            .collect()
    };
    Model {
        about: "quality=auto predictor: quality = intercept + target*T + target_squared*T^2 + weights . features (features::NAMES order), per output format; made by `edgepix train` from data/quality/curves.csv (docs/QUALITY.md)".into(),
        features: NAMES.iter().map(|s| s.to_string()).collect(),
        targets: TARGETS.to_vec(),
        tau: TAU,
        jpeg: fit_format(&of("jpeg")),
        webp: fit_format(&of("webp")),
    }
}

/// The model file's text for `model` (what `edgepix train` writes).
pub fn to_json(model: &Model) -> String {
    let mut s = serde_json::to_string_pretty(model).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(q: u8, s2: f64, crop: f64, flat: f64) -> CurveRow {
        CurveRow {
            image: format!("img{flat}"),
            format: "jpeg".into(),
            width: 100,
            height: 100,
            q,
            bytes: q as u64 * 100,
            s2,
            crops: vec![crop],
            features: [100.0, 9.2, 1.0, 10.0, flat, 5.0, 2.0, 0.0],
        }
    }

    #[test]
    fn labels_interpolate_between_grid_points() {
        let rows = [
            row(30, 40.0, 40.0, 0.1),
            row(35, 50.0, 50.0, 0.1),
            row(40, 70.0, 70.0, 0.1),
        ];
        let c: Curve = rows.iter().collect();
        assert_eq!(quality_for(&c, 60.0), Some(37.5));
        assert_eq!(quality_for(&c, 30.0), Some(30.0));
        assert_eq!(quality_for(&c, 80.0), None);
    }

    #[test]
    fn csv_round_trips_and_fit_is_deterministic() {
        let mut rows = Vec::new();
        for (k, flat) in [0.1, 0.3, 0.5, 0.7].into_iter().enumerate() {
            for q in (30..=95).step_by(5) {
                let s2 = 20.0 + q as f64 * 0.8 - flat * 20.0 + k as f64;
                rows.push(row(q, s2, s2 + 2.0, flat));
            }
        }
        let csv: String = std::iter::once(header())
            .chain(rows.iter().map(CurveRow::to_csv))
            .collect::<Vec<_>>()
            .join("\n");
        let parsed = parse_curves(&csv).unwrap();
        assert_eq!(parsed.len(), rows.len());
        let a = fit(&parsed);
        assert_eq!(to_json(&a), to_json(&fit(&parsed)));
        // flatter frames need more quality for the same score
        assert!(a.jpeg.weights[4] > 0.0, "{:?}", a.jpeg);
        // crops score 2 above the frame: the estimate learns the offset (frame = crop - 2),
        // so no target needs a margin
        let e = &a.jpeg.frame_estimate;
        assert!(
            (e[0] + 2.0).abs() < 0.2 && (e[1] - 1.0).abs() < 0.01,
            "{e:?}"
        );
        assert_eq!(a.jpeg.crop_margins, vec![0.0; TARGETS.len()]);
    }
}
