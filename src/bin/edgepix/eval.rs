//! `edgepix eval`: policies side by side on a corpus, judged offline by SSIMULACRA2 on the
//! whole output frame against the un-encoded resized frame. How a new default is chosen before
//! it meets traffic (docs/QUALITY.md).
//!
//!   edgepix eval --corpus DIR [--corpus DIR ...] --policy a.json [--policy b.json ...]
//!                [--shard i/n] [--jobs N] [--csv out.csv]
//!
//! A policy file: `{"name": "auto", "options": "width=1200,format=jpeg,quality=auto",
//! "target": 70, "oracle": false}`. `options` run through the same code as the Worker;
//! `target` is the score a miss is counted against (default: the quality=auto target, else
//! 70); `oracle: true` replaces the quality choice with the exhaustive search on the judge
//! itself (every grid quality, whole-frame score), the lower bound no online policy reaches.

use crate::args::EvalArgs;
use crate::shard::Shard;
use crate::walk;
use crate::Exit;
use edgepix::pipeline::{render, Frame, Rendered};
use edgepix::quality::{self, metric};
use edgepix::{Limits, Options, Resolved};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

#[derive(Debug, Clone)]
pub struct PolicyFile {
    pub name: String,
    pub options: Options,
    pub target: u8,
    pub oracle: bool,
}

impl PolicyFile {
    fn load(path: &Path) -> Result<PolicyFile, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let v: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        let field = |k: &str| v.get(k);
        let name = field("name")
            .and_then(|n| n.as_str())
            .map(str::to_string)
            .unwrap_or_else(|| {
                path.file_stem()
                    .map(|s| s.to_string_lossy().into())
                    .unwrap_or_default()
            });
        let options_text = field("options").and_then(|o| o.as_str()).unwrap_or("");
        let options = Options::parse(options_text)
            .map_err(|e| format!("{}: options: {e}", path.display()))?;
        let target = match field("target") {
            Some(t) => t
                .as_u64()
                .filter(|t| (1..=100).contains(t))
                .ok_or_else(|| format!("{}: target must be 1..=100", path.display()))?
                as u8,
            None => options
                .auto_quality()
                .map_or(quality::DEFAULT_TARGET, |a| a.target),
        };
        let oracle = field("oracle").and_then(|o| o.as_bool()).unwrap_or(false);
        Ok(PolicyFile {
            name,
            options,
            target,
            oracle,
        })
    }
}

/// One image through one policy.
#[derive(Debug, Clone)]
pub struct Row {
    pub image: String,
    pub policy: usize,
    pub format: &'static str,
    pub width: u32,
    pub height: u32,
    pub bytes: usize,
    pub quality: u8,
    pub score: f64,
    pub target: u8,
    /// Choosing plus the final encode, ms (decode and resize excluded: the same for all).
    pub encode_ms: f64,
    pub checks: u32,
}

/// The images of the corpora, each named `CORPUS_DIR_NAME/relative/path`, sorted.
pub fn corpus_images(
    corpora: &[PathBuf],
    shard: Option<Shard>,
) -> Result<Vec<(String, PathBuf)>, String> {
    let mut out = Vec::new();
    for dir in corpora {
        let listing = walk::walk(dir, None).map_err(|e| format!("{}: {e}", dir.display()))?;
        let base = dir
            .file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        for e in listing.images {
            let name = format!("{base}/{}", e.rel);
            if shard.is_none_or(|s| s.contains(&name)) {
                out.push((name, e.path));
            }
        }
    }
    out.sort();
    out.dedup_by(|a, b| a.0 == b.0);
    Ok(out)
}

pub fn run(args: EvalArgs) -> Exit {
    let threads = args.spread.threads();
    let policies: Vec<PolicyFile> =
        match args.policies.iter().map(|p| PolicyFile::load(p)).collect() {
            Ok(p) => p,
            Err(e) => return Exit::Usage(e),
        };
    let images = match corpus_images(&args.corpora, args.spread.shard) {
        Ok(i) => i,
        Err(e) => return Exit::Usage(e),
    };
    errln!(
        "eval: {} images x {} policies on {} threads",
        images.len(),
        policies.len(),
        threads
    );
    let rows = Mutex::new(Vec::new());
    let failed = Mutex::new(Vec::new());
    let next = Mutex::new(0usize);
    std::thread::scope(|s| {
        for _ in 0..threads.min(images.len().max(1)) {
            s.spawn(|| loop {
                let i = {
                    let mut n = next.lock().unwrap_or_else(|e| e.into_inner());
                    *n += 1;
                    *n - 1
                };
                let Some((name, path)) = images.get(i) else {
                    break;
                };
                match eval_image(name, path, &policies) {
                    Ok(r) => rows.lock().unwrap_or_else(|e| e.into_inner()).extend(r),
                    Err(e) => failed
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push(format!("error: {}: {e}", path.display())),
                }
            });
        }
    });
    let mut rows = rows.into_inner().unwrap_or_default();
    rows.sort_by(|a, b| (a.policy, &a.image).cmp(&(b.policy, &b.image)));
    let failed = failed.into_inner().unwrap_or_default();
    for f in &failed {
        errln!("{f}");
    }
    outln!("{}", table(&policies, &rows));
    if let Some(csv) = &args.csv {
        let mut text = String::from("image,policy,format,width,height,bytes,quality,ssimulacra2,target,miss,encode_ms,checks\n");
        for r in &rows {
            text.push_str(&format!(
                "{},{},{},{},{},{},{},{:.3},{},{},{:.2},{}\n",
                r.image,
                policies[r.policy].name,
                r.format,
                r.width,
                r.height,
                r.bytes,
                r.quality,
                r.score,
                r.target,
                (r.score < r.target as f64) as u8,
                r.encode_ms,
                r.checks
            ));
        }
        if let Err(e) = std::fs::write(csv, text) {
            errln!("error: {}: {e}", csv.display());
            return Exit::SomeFailed;
        }
    }
    if failed.is_empty() {
        Exit::Ok
    } else {
        Exit::SomeFailed
    }
}

fn now_ms(start: Instant) -> impl Fn() -> f64 {
    move || start.elapsed().as_secs_f64() * 1000.0
}

/// Every policy on one image. The frame is rendered once per policy (options may differ in
/// size or format); the judge compares the decoded output with that frame.
pub fn eval_image(name: &str, path: &Path, policies: &[PolicyFile]) -> Result<Vec<Row>, String> {
    let limits = Limits::LOCAL;
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    let start = Instant::now();
    let clock = now_ms(start);
    let mut rows = Vec::new();
    for (k, p) in policies.iter().enumerate() {
        let resolved = Resolved::for_any_modern_client(&p.options);
        let frame = match render(&bytes, &resolved, &limits, &clock).map_err(|e| e.to_string())? {
            Rendered::Frame(f) => f,
            Rendered::Metadata(_) | Rendered::Animation(_) => {
                return Err("format=json and animations have no single frame to judge".into())
            }
        };
        let t = clock();
        let (out, checks) = if p.oracle {
            oracle(&frame, p.target, &clock)?
        } else {
            let out = quality::encode(&frame, &bytes, &clock).map_err(|e| e.to_string())?;
            let checks = out.quality_choice.map_or(0, |c| c.checks);
            (out, checks)
        };
        let encode_ms = clock() - t;
        let score = judge(&frame, &out.bytes)?;
        rows.push(Row {
            image: name.to_string(),
            policy: k,
            format: out.format.name(),
            width: out.width,
            height: out.height,
            bytes: out.bytes.len(),
            quality: out.quality_choice.map_or(frame.plan.quality, |c| c.quality),
            score,
            target: p.target,
            encode_ms,
            checks,
        });
    }
    Ok(rows)
}

/// The whole-frame SSIMULACRA2 of `encoded` against the frame it was made from.
pub fn judge(frame: &Frame, encoded: &[u8]) -> Result<f64, String> {
    let limits = Limits::LOCAL;
    let probe = edgepix::probe(encoded, &limits).map_err(|e| e.to_string())?;
    let decoded = edgepix::codecs::decode(encoded, &probe, (probe.width, probe.height), &limits)
        .map_err(|e| e.to_string())?
        .raster;
    let reference = if decoded.layout != frame.raster.layout {
        edgepix::pixels::compose::flatten(frame.raster.clone(), edgepix::options::Rgba::WHITE)
    } else {
        frame.raster.clone()
    };
    metric::score(&reference, &decoded).map_err(|e| e.to_string())
}

/// The smallest grid quality whose whole-frame score reaches `target` (offline only: it
/// encodes and judges every grid quality from the top down until one misses).
fn oracle(
    frame: &Frame,
    target: u8,
    clock: &dyn Fn() -> f64,
) -> Result<(edgepix::Output, u32), String> {
    let grid: Vec<u8> = (quality::MIN_Q..=quality::MAX_Q)
        .step_by(quality::policy::STEP as usize)
        .collect();
    let mut best = None;
    let mut checks = 0;
    for &q in grid.iter().rev() {
        let out = frame.encode(q, clock).map_err(|e| e.to_string())?;
        checks += 1;
        if judge(frame, &out.bytes)? < target as f64 {
            break;
        }
        best = Some((q, out));
    }
    let (q, mut out) = match best {
        Some(b) => b,
        None => (
            quality::MAX_Q,
            frame
                .encode(quality::MAX_Q, clock)
                .map_err(|e| e.to_string())?,
        ),
    };
    out.quality_choice = Some(quality::Choice {
        policy: "oracle",
        target,
        quality: q,
        predicted_quality: None,
        measured_score: None,
        checks,
        ms: 0.0,
    });
    Ok((out, checks))
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[rank]
}

/// The per-policy table: bytes, scores, misses, encode time; bytes saved against the first
/// policy with the same output format, over the images both have.
pub fn table(policies: &[PolicyFile], rows: &[Row]) -> String {
    let mut out = String::from(
        "| policy | format | n | bytes mean | bytes total | saved vs | SSIMULACRA2 mean | p5 | worst | misses (worst gap) | mean q | encode ms p50 / p95 | checks |\n|---|---|---:|---:|---:|---|---:|---:|---:|---|---:|---|---:|\n",
    );
    for (k, p) in policies.iter().enumerate() {
        let mine: Vec<&Row> = rows.iter().filter(|r| r.policy == k).collect();
        if mine.is_empty() {
            continue;
        }
        let n = mine.len();
        let total: usize = mine.iter().map(|r| r.bytes).sum();
        let mut scores: Vec<f64> = mine.iter().map(|r| r.score).collect();
        scores.sort_by(f64::total_cmp);
        let mut ms: Vec<f64> = mine.iter().map(|r| r.encode_ms).collect();
        ms.sort_by(f64::total_cmp);
        let misses: Vec<f64> = mine
            .iter()
            .filter(|r| r.score < r.target as f64)
            .map(|r| r.target as f64 - r.score)
            .collect();
        let worst_gap = misses.iter().copied().fold(0.0, f64::max);
        let format = mine[0].format;
        let baseline = (0..k).find(|&b| rows.iter().any(|r| r.policy == b && r.format == format));
        let saved = match baseline {
            Some(b) => {
                let theirs: usize = rows
                    .iter()
                    .filter(|r| r.policy == b && mine.iter().any(|m| m.image == r.image))
                    .map(|r| r.bytes)
                    .sum();
                format!(
                    "{:+.1} % vs {}",
                    100.0 * (theirs as f64 - total as f64) / theirs.max(1) as f64,
                    policies[b].name
                )
            }
            None => "(baseline)".into(),
        };
        out.push_str(&format!(
            "| {} | {} | {} | {:.0} | {} | {} | {:.2} | {:.2} | {:.2} | {} ({:.2}) | {:.1} | {:.1} / {:.1} | {:.1} |\n",
            p.name,
            format,
            n,
            total as f64 / n as f64,
            total,
            saved,
            scores.iter().sum::<f64>() / n as f64,
            percentile(&scores, 0.05),
            scores[0],
            misses.len(),
            worst_gap,
            mine.iter().map(|r| r.quality as f64).sum::<f64>() / n as f64,
            percentile(&ms, 0.5),
            percentile(&ms, 0.95),
            mine.iter().map(|r| r.checks as f64).sum::<f64>() / n as f64,
        ));
    }
    out
}
