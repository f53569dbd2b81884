//! The predictor's data and its retraining:
//!
//!   edgepix curves --corpus DIR [--corpus DIR ...] --width W [--width W ...]
//!                          --out curves.csv [--shard i/n] [--jobs N]
//!   edgepix train [--curves data/quality/curves.csv] [--out data/quality/model.json]
//!
//! `curves` renders each image at each width (never enlarging), in JPEG and WebP, and
//! for every quality on the policies' grid writes the bytes, the whole-frame SSIMULACRA2, the
//! score of each online crop and the frame's features (`edgepix::quality::train::CurveRow`).
//! `train` fits the model from such a file (`edgepix::quality::train::fit`).

use crate::args::{CurvesArgs, TrainArgs};
use crate::eval::{corpus_images, judge};
use crate::Exit;
use edgepix::pipeline::{render, Rendered};
use edgepix::quality::{self, features, metric, policy, train};
use edgepix::{Limits, Options, Resolved};
use std::path::Path;
use std::sync::Mutex;

pub fn curves_cmd(args: CurvesArgs) -> Exit {
    let CurvesArgs {
        corpora,
        widths,
        out,
        spread,
    } = args;
    let (shard, jobs) = (spread.shard, spread.threads());
    let images = match corpus_images(&corpora, shard) {
        Ok(i) => i,
        Err(e) => return Exit::Usage(e),
    };
    errln!(
        "curves: {} images x {} widths x 2 formats",
        images.len(),
        widths.len()
    );
    let rows = Mutex::new(Vec::new());
    let next = Mutex::new(0usize);
    let failed = Mutex::new(0usize);
    std::thread::scope(|s| {
        for _ in 0..jobs.min(images.len().max(1)) {
            s.spawn(|| loop {
                let i = {
                    let mut n = next.lock().unwrap_or_else(|e| e.into_inner());
                    *n += 1;
                    *n - 1
                };
                let Some((name, path)) = images.get(i) else {
                    break;
                };
                match curves_of(name, path, &widths) {
                    Ok(r) => {
                        errln!("{name}: {} rows", r.len());
                        rows.lock().unwrap_or_else(|e| e.into_inner()).extend(r)
                    }
                    Err(e) => {
                        errln!("error: {}: {e}", path.display());
                        *failed.lock().unwrap_or_else(|e| e.into_inner()) += 1;
                    }
                }
            });
        }
    });
    let mut rows = rows.into_inner().unwrap_or_default();
    rows.sort_by(|a: &train::CurveRow, b| {
        (&a.image, &a.format, a.width, a.q).cmp(&(&b.image, &b.format, b.width, b.q))
    });
    let mut text = train::header();
    text.push('\n');
    for r in &rows {
        text.push_str(&r.to_csv());
        text.push('\n');
    }
    if let Err(e) = std::fs::write(&out, text) {
        errln!("error: {}: {e}", out.display());
        return Exit::SomeFailed;
    }
    if failed.into_inner().unwrap_or(0) > 0 {
        Exit::SomeFailed
    } else {
        Exit::Ok
    }
}

fn curves_of(name: &str, path: &Path, widths: &[u32]) -> Result<Vec<train::CurveRow>, String> {
    let limits = Limits::LOCAL;
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    let clock = || 0.0;
    let mut rows = Vec::new();
    let mut seen = Vec::new();
    for &w in widths {
        for format in ["jpeg", "webp"] {
            let opts =
                Options::parse(&format!("width={w},format={format}")).map_err(|e| e.to_string())?;
            let Rendered::Frame(frame) = render(
                &bytes,
                &Resolved::for_any_modern_client(&opts),
                &limits,
                &clock,
            )
            .map_err(|e| e.to_string())?
            else {
                return Err("no frame".into());
            };
            let size = (frame.raster.width, frame.raster.height, format);
            if seen.contains(&size) {
                continue; // a source narrower than two widths gives one native-size curve
            }
            seen.push(size);
            let f = features::measure(&frame.raster, &bytes, policy::source_pixels(&frame));
            let rects = metric::crops(&frame.raster, 5);
            for q in (quality::MIN_Q..=quality::MAX_Q).step_by(policy::STEP as usize) {
                let out = frame.encode(q, &clock).map_err(|e| e.to_string())?;
                let s2 = judge(&frame, &out.bytes)?;
                let crops = rects
                    .iter()
                    .map(|&rect| {
                        let crop = metric::cut(&frame.raster, rect);
                        let decoded = policy::round_trip(&crop, frame.plan.output, q)?;
                        metric::score(&crop, &decoded)
                    })
                    .collect::<Result<Vec<f64>, _>>()
                    .map_err(|e| e.to_string())?;
                rows.push(train::CurveRow {
                    image: name.to_string(),
                    format: format.to_string(),
                    width: frame.raster.width,
                    height: frame.raster.height,
                    q,
                    bytes: out.bytes.len() as u64,
                    s2,
                    crops,
                    features: f.values(),
                });
            }
        }
    }
    Ok(rows)
}

pub fn train_cmd(args: TrainArgs) -> Exit {
    let TrainArgs { curves, out } = args;
    let text = match std::fs::read_to_string(&curves) {
        Ok(t) => t,
        Err(e) => return Exit::Usage(format!("{}: {e}", curves.display())),
    };
    let rows = match train::parse_curves(&text) {
        Ok(r) => r,
        Err(e) => return Exit::Usage(format!("{}: {e}", curves.display())),
    };
    let model = train::fit(&rows);
    if let Err(e) = std::fs::write(&out, train::to_json(&model)) {
        errln!("error: {}: {e}", out.display());
        return Exit::SomeFailed;
    }
    outln!(
        "{} rows -> {}: jpeg residual sd {:.2} q, shift {:.2}, crop margins {:?}; webp residual sd {:.2} q, shift {:.2}, crop margins {:?} (targets {:?})",
        rows.len(),
        out.display(),
        model.jpeg.residual_sd,
        model.jpeg.shift,
        model.jpeg.crop_margins,
        model.webp.residual_sd,
        model.webp.shift,
        model.webp.crop_margins,
        model.targets
    );
    Exit::Ok
}
