//! `edgepix crop-eval`: `gravity=auto` against the centre crop on the hand-drawn boxes of
//! data/eval/annotations.json.
//!
//!   edgepix crop-eval [--annotations data/eval/annotations.json] [--root ../shared/corpus]
//!                     [--csv out.csv]
//!
//! Each annotated image is cropped with `fit=cover` to three aspect ratios (1:1, 9:16 portrait,
//! 16:9 landscape), 300 px on the long side, once with `gravity=center` and once with
//! `gravity=auto`; an aspect that crops nothing from an image is skipped for it. The window is
//! read from the rendered frame's plan (display space), so the crop measured is the one served.
//! Metrics: the share of the subject box inside the window ("kept"); a crop *keeps the
//! subject* when kept >= 0.9; a face is kept when >= 0.9 of its box is inside. Shares carry
//! Wilson 95 % intervals. The cost of `gravity=auto` is measured on a 1200 px square output.

use crate::args::CropEvalArgs;
use crate::Exit;
use edgepix::pipeline::{render, Rendered};
use edgepix::{Limits, Options, Resolved};
use std::time::Instant;

/// (name, width, height) of the output boxes.
const ASPECTS: [(&str, u32, u32); 3] = [("1:1", 300, 300), ("9:16", 169, 300), ("16:9", 300, 169)];

type Box4 = [f64; 4];

/// Share of `b` inside `w` (both [x0, y0, x1, y1]).
pub fn kept(b: Box4, w: Box4) -> f64 {
    let ix = (b[2].min(w[2]) - b[0].max(w[0])).max(0.0);
    let iy = (b[3].min(w[3]) - b[1].max(w[1])).max(0.0);
    let area = (b[2] - b[0]) * (b[3] - b[1]);
    if area <= 0.0 {
        return 0.0;
    }
    ix * iy / area
}

/// Wilson score interval (95 %) for `k` successes in `n`.
pub fn wilson(k: usize, n: usize) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let (k, n, z) = (k as f64, n as f64, 1.96f64);
    let p = k / n;
    let d = 1.0 + z * z / n;
    let c = (p + z * z / (2.0 * n)) / d;
    let h = z * ((p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt()) / d;
    ((c - h).max(0.0), (c + h).min(1.0))
}

/// The crop window of `options` on `bytes`, as fractions [x0, y0, x1, y1] of the display
/// size, and the time render took.
fn window(bytes: &[u8], options: &str) -> Result<(Box4, f64), String> {
    let opts = Options::parse(options).map_err(|e| e.to_string())?;
    let start = Instant::now();
    let clock = move || start.elapsed().as_secs_f64() * 1000.0;
    let frame = match render(
        bytes,
        &Resolved::for_any_modern_client(&opts),
        &Limits::LOCAL,
        &clock,
    )
    .map_err(|e| e.to_string())?
    {
        Rendered::Frame(f) => f,
        Rendered::Metadata(_) | Rendered::Animation(_) => return Err("no single frame".into()),
    };
    let ms = clock();
    let (dw, dh) = frame.plan.display_size;
    let [x, y, w, h] = frame.plan.crop;
    let (dw, dh) = (dw as f64, dh as f64);
    Ok(([x / dw, y / dh, (x + w) / dw, (y + h) / dh], ms))
}

#[derive(Default)]
struct Tally {
    crops: usize,
    subject_kept: usize,
    kept_sum: f64,
    faces: usize,
    faces_kept: usize,
}

pub fn run(args: CropEvalArgs) -> Exit {
    let CropEvalArgs {
        annotations,
        root,
        csv,
    } = args;
    let text = match std::fs::read_to_string(&annotations) {
        Ok(t) => t,
        Err(e) => return Exit::Usage(format!("{}: {e}", annotations.display())),
    };
    let v: serde_json::Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => return Exit::Usage(format!("{}: {e}", annotations.display())),
    };
    let Some(images) = v.get("images").and_then(|i| i.as_object()) else {
        return Exit::Usage(format!("{}: no 'images' object", annotations.display()));
    };
    let as_box = |b: &serde_json::Value| -> Option<Box4> {
        let a = b.as_array()?;
        let f: Vec<f64> = a.iter().filter_map(|x| x.as_f64()).collect();
        (f.len() == 4).then(|| [f[0], f[1], f[2], f[3]])
    };
    let mut tallies = [Tally::default(), Tally::default()];
    let mut rows = String::from("image,aspect,gravity,x0,y0,x1,y1,subject_kept,faces,faces_kept\n");
    let mut cost: Vec<(f64, f64)> = Vec::new();
    let mut failed = false;
    for (name, ann) in images {
        let subject = ann.get("subject").and_then(as_box);
        let faces: Vec<Box4> = ann
            .get("faces")
            .and_then(|f| f.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|f| f.get("box").and_then(as_box).or_else(|| as_box(f)))
                    .collect()
            })
            .unwrap_or_default();
        if subject.is_none() && faces.is_empty() {
            continue;
        }
        let bytes = match std::fs::read(root.join(name)) {
            Ok(b) => b,
            Err(e) => {
                errln!("error: {name}: {e}");
                failed = true;
                continue;
            }
        };
        for (aspect, w, h) in ASPECTS {
            for (k, gravity) in ["center", "auto"].into_iter().enumerate() {
                let (win, _) = match window(
                    &bytes,
                    &format!("width={w},height={h},fit=cover,gravity={gravity}"),
                ) {
                    Ok(r) => r,
                    Err(e) => {
                        errln!("error: {name}: {e}");
                        failed = true;
                        continue;
                    }
                };
                if win[2] - win[0] > 0.999 && win[3] - win[1] > 0.999 {
                    continue; // this aspect crops nothing from this image
                }
                let t = &mut tallies[k];
                t.crops += 1;
                let s = subject.map(|b| kept(b, win));
                if let Some(s) = s {
                    t.kept_sum += s;
                    t.subject_kept += (s >= 0.9) as usize;
                }
                let fk = faces.iter().filter(|&&f| kept(f, win) >= 0.9).count();
                t.faces += faces.len();
                t.faces_kept += fk;
                rows.push_str(&format!(
                    "{name},{aspect},{gravity},{:.4},{:.4},{:.4},{:.4},{},{},{}\n",
                    win[0],
                    win[1],
                    win[2],
                    win[3],
                    s.map_or(String::new(), |s| format!("{s:.4}")),
                    faces.len(),
                    fk
                ));
            }
        }
        // cost at a 1200 px output: the same render with and without the map
        let c = window(&bytes, "width=1200,height=1200,fit=cover,gravity=center");
        let a = window(&bytes, "width=1200,height=1200,fit=cover,gravity=auto");
        if let (Ok((_, c)), Ok((_, a))) = (c, a) {
            cost.push((c, a));
        }
    }
    let subjects_n = |k: usize| {
        rows.lines()
            .skip(1)
            .filter(|l| l.split(',').nth(2) == Some(["center", "auto"][k]))
            .filter(|l| l.split(',').nth(7).is_some_and(|s| !s.is_empty()))
            .count()
    };
    outln!("| gravity | crops | subject crops | subject kept >= 90 % (95 % CI) | mean share of subject kept | faces (face x crop) | faces kept >= 90 % (95 % CI) |");
    outln!("|---|---:|---:|---|---:|---:|---|");
    for (k, gravity) in ["center", "auto"].into_iter().enumerate() {
        let t = &tallies[k];
        let n = subjects_n(k);
        let (lo, hi) = wilson(t.subject_kept, n);
        let (flo, fhi) = wilson(t.faces_kept, t.faces);
        outln!(
            "| {gravity} | {} | {n} | {:.1} % ({:.1}-{:.1}) | {:.3} | {} | {:.1} % ({:.1}-{:.1}) |",
            t.crops,
            100.0 * t.subject_kept as f64 / n.max(1) as f64,
            100.0 * lo,
            100.0 * hi,
            t.kept_sum / n.max(1) as f64,
            t.faces,
            100.0 * t.faces_kept as f64 / t.faces.max(1) as f64,
            100.0 * flo,
            100.0 * fhi
        );
    }
    let mut extra: Vec<f64> = cost.iter().map(|(c, a)| a - c).collect();
    extra.sort_by(f64::total_cmp);
    let pick = |p: f64| {
        extra
            .get(((p * extra.len() as f64).ceil() as usize).clamp(1, extra.len().max(1)) - 1)
            .copied()
            .unwrap_or(f64::NAN)
    };
    let mut centre: Vec<f64> = cost.iter().map(|c| c.0).collect();
    centre.sort_by(f64::total_cmp);
    outln!(
        "\ngravity=auto cost at 1200x1200 cover over {} images: render +{:.1} ms p50, +{:.1} ms p95 (centre render p50 {:.1} ms)",
        extra.len(),
        pick(0.5),
        pick(0.95),
        centre.get(centre.len() / 2).copied().unwrap_or(f64::NAN)
    );
    if let Some(csv) = csv {
        if let Err(e) = std::fs::write(&csv, rows) {
            errln!("error: {}: {e}", csv.display());
            failed = true;
        }
    }
    if failed {
        Exit::SomeFailed
    } else {
        Exit::Ok
    }
}
