//! `edgepix batch IN_DIR OUT_DIR`: every image under IN_DIR (recursively) to OUT_DIR, the tree
//! mirrored, on all cores.
//!
//! Determinism: the file list is sorted, names come from `naming`, shards from `shard`, and the
//! per-file lines are printed in list order whatever order the threads finish in (a small
//! reorder buffer), so two runs print the same lines and write the same bytes with any
//! `--jobs`.
//!
//! Memory: each worker holds one file at a time (its bytes, the decode and the encoded
//! output), so the peak is about `jobs` times the largest single transform; the main thread
//! keeps only the short result of each finished file.

use crate::args::BatchArgs;
use crate::convert::{self, FileError};
use crate::naming;
use crate::shard::Shard;
use crate::walk::{self, Entry, SkipReason};
use crate::Exit;
use edgepix::{Limits, Options};
use std::collections::{BTreeMap, HashSet};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Instant;

/// One unit of work: an input and where its output goes (OUT_DIR-relative, no extension yet).
struct Job {
    input: Entry,
    out_base: String,
}

struct Written {
    out_path: PathBuf,
    width: u32,
    height: u32,
    format: &'static str,
    bytes_in: u64,
    bytes_out: u64,
    notes: Vec<&'static str>,
}

/// What this run will do, decided before any image is read.
struct Prepared {
    jobs: Vec<Job>,
    /// Skipped entries of this shard, sorted.
    skipped: Vec<(Entry, SkipReason)>,
    /// Groups of this shard's inputs that keep their source extension, as relative paths.
    kept_extension: Vec<Vec<String>>,
    /// Images in the whole job (all shards).
    total: usize,
    /// Canonical input paths no output may replace (only filled when IN_DIR is in OUT_DIR).
    protect: HashSet<PathBuf>,
}

pub fn run(args: BatchArgs) -> Exit {
    let (in_dir, out_dir) = (args.in_dir.as_path(), args.out_dir.as_path());
    let shard = args.spread.shard;
    let options = args.options.map(|o| o.parsed).unwrap_or_default();
    let prepared = match prepare(in_dir, out_dir, shard) {
        Ok(p) => p,
        Err(e) => return Exit::Usage(e),
    };
    let threads = args.spread.threads().min(prepared.jobs.len()).max(1);
    let unreadable = announce(&prepared, in_dir, out_dir, shard, threads);

    let start = Instant::now();
    let totals = process(
        &prepared.jobs,
        out_dir,
        &options,
        threads,
        &prepared.protect,
    );
    summarise(&prepared, &totals, threads, start.elapsed().as_secs_f64());
    if totals.failed > 0 || unreadable > 0 {
        Exit::SomeFailed
    } else {
        Exit::Ok
    }
}

/// Walk IN_DIR, name every output, keep this shard's files, create OUT_DIR. An error here
/// is a usage error: nothing has been written except, at most, an empty OUT_DIR.
fn prepare(in_dir: &Path, out_dir: &Path, shard: Option<Shard>) -> Result<Prepared, String> {
    let in_canonical = match std::fs::canonicalize(in_dir) {
        Ok(p) if p.is_dir() => p,
        Ok(_) => return Err(format!("{} is not a folder", in_dir.display())),
        Err(e) => return Err(format!("cannot read {}: {e}", in_dir.display())),
    };
    // OUT_DIR inside IN_DIR is skipped while walking; OUT_DIR == IN_DIR would overwrite inputs.
    let out_canonical = std::fs::canonicalize(out_dir).ok();
    if out_canonical.as_deref() == Some(in_canonical.as_path()) {
        return Err("OUT_DIR must differ from IN_DIR: outputs would replace inputs".into());
    }
    let exclude = out_canonical
        .as_deref()
        .and_then(|o| o.strip_prefix(&in_canonical).ok())
        .map(Path::to_path_buf);
    let listing = walk::walk(in_dir, exclude.as_deref())
        .map_err(|e| format!("cannot list {}: {e}", in_dir.display()))?;

    // Names are decided over the whole job, before sharding, so every shard agrees.
    let rels: Vec<String> = listing.images.iter().map(|e| e.rel.clone()).collect();
    let names = naming::output_names(&rels)?;
    let mine = |rel: &str| shard.is_none_or(|s| s.contains(rel));
    let in_shard: Vec<bool> = rels.iter().map(|r| mine(r)).collect();
    let kept_extension = names
        .kept_extension
        .iter()
        .filter(|group| group.iter().any(|&i| in_shard[i]))
        .map(|group| group.iter().map(|&i| rels[i].clone()).collect())
        .collect();

    std::fs::create_dir_all(out_dir)
        .map_err(|e| format!("cannot create {}: {e}", out_dir.display()))?;
    // IN_DIR inside OUT_DIR: an output could land on an input; such a file fails instead.
    let protect = match std::fs::canonicalize(out_dir) {
        Ok(out) if in_canonical.starts_with(&out) => listing
            .images
            .iter()
            .filter_map(|e| std::fs::canonicalize(&e.path).ok())
            .collect(),
        _ => HashSet::new(),
    };

    let total = listing.images.len();
    let jobs = listing
        .images
        .into_iter()
        .zip(names.bases)
        .zip(&in_shard)
        .filter(|(_, &m)| m)
        .map(|((input, out_base), _)| Job { input, out_base })
        .collect();
    let skipped = listing
        .skipped
        .into_iter()
        .filter(|(e, _)| mine(&e.rel))
        .collect();
    Ok(Prepared {
        jobs,
        skipped,
        kept_extension,
        total,
        protect,
    })
}

/// Say what will happen: the counts, the names that keep their extension, each skipped
/// entry. Returns how many entries were unreadable (failures).
fn announce(
    p: &Prepared,
    in_dir: &Path,
    out_dir: &Path,
    shard: Option<Shard>,
    threads: usize,
) -> usize {
    let shard_note = shard
        .map(|s| format!(", shard {s}: {} of {}", p.jobs.len(), p.total))
        .unwrap_or_default();
    outln!(
        "batch {} -> {}: {} images{shard_note}, {} skipped, {threads} thread{}",
        in_dir.display(),
        out_dir.display(),
        p.total,
        p.skipped.len(),
        if threads == 1 { "" } else { "s" }
    );
    for group in &p.kept_extension {
        outln!(
            "note: {} share a name: their outputs keep the source extension",
            group.join(", ")
        );
    }
    let mut unreadable = 0usize;
    for (entry, reason) in &p.skipped {
        if reason.is_failure() {
            unreadable += 1;
            let e = FileError::new("unreadable", reason.to_string());
            errln!("{}", convert::error_line(&entry.path, &e));
        } else {
            outln!("skipped {}: {reason}", entry.path.display());
        }
    }
    unreadable
}

fn summarise(p: &Prepared, totals: &Totals, threads: usize, secs: f64) {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, reason) in &p.skipped {
        *counts.entry(reason.label()).or_default() += 1;
    }
    let skipped = if counts.is_empty() {
        "0 skipped".to_string()
    } else {
        let parts: Vec<String> = counts.iter().map(|(k, v)| format!("{v} {k}")).collect();
        format!("{} skipped ({})", p.skipped.len(), parts.join(", "))
    };
    let ratio = if totals.bytes_in > 0 {
        totals.bytes_out as f64 * 100.0 / totals.bytes_in as f64
    } else {
        0.0
    };
    outln!(
        "{} files: {} written, {} failed; {skipped}; {} bytes in, {} bytes out ({ratio:.1} %); {threads} thread{}, {secs:.2} s",
        p.jobs.len(),
        totals.written,
        totals.failed,
        totals.bytes_in,
        totals.bytes_out,
        if threads == 1 { "" } else { "s" }
    );
}

#[derive(Default)]
struct Totals {
    written: usize,
    failed: usize,
    bytes_in: u64,
    bytes_out: u64,
}

/// Run `jobs` on `threads` workers that take the next index from a shared counter, and print
/// each result in list order as soon as every earlier one is known.
fn process(
    jobs: &[Job],
    out_dir: &Path,
    opts: &Options,
    threads: usize,
    protect: &HashSet<PathBuf>,
) -> Totals {
    let next = AtomicUsize::new(0);
    let limits = Limits::LOCAL;
    let bar = indicatif::ProgressBar::new(jobs.len() as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} {elapsed}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let mut totals = Totals::default();
    std::thread::scope(|scope| {
        let (tx, rx) = mpsc::channel::<(usize, Result<Written, FileError>)>();
        for _ in 0..threads {
            let tx = tx.clone();
            let (next, limits) = (&next, &limits);
            scope.spawn(move || loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(job) = jobs.get(i) else { break };
                // a bug in the engine fails one file, not the whole batch
                let result = catch_unwind(AssertUnwindSafe(|| {
                    run_one(job, out_dir, opts, limits, protect)
                }))
                .unwrap_or_else(|_| {
                    Err(FileError::new(
                        edgepix::ErrorCode::Internal.as_str(),
                        "the engine panicked on this file",
                    ))
                });
                if tx.send((i, result)).is_err() {
                    break;
                }
            });
        }
        drop(tx);

        let mut pending: BTreeMap<usize, Result<Written, FileError>> = BTreeMap::new();
        let mut printed = 0usize;
        for (i, result) in rx {
            pending.insert(i, result);
            while let Some(result) = pending.remove(&printed) {
                bar.suspend(|| report(&jobs[printed], &result, &mut totals));
                printed += 1;
                bar.inc(1);
            }
        }
        // only reachable if a worker died outside catch_unwind: still account for every file
        for (i, job) in jobs.iter().enumerate().skip(printed) {
            let result = pending.remove(&i).unwrap_or_else(|| {
                Err(FileError::new(
                    edgepix::ErrorCode::Internal.as_str(),
                    "the worker thread stopped before this file",
                ))
            });
            bar.suspend(|| report(job, &result, &mut totals));
        }
    });
    bar.finish_and_clear();
    totals
}

fn report(job: &Job, result: &Result<Written, FileError>, totals: &mut Totals) {
    match result {
        Ok(w) => {
            totals.written += 1;
            totals.bytes_in += w.bytes_in;
            totals.bytes_out += w.bytes_out;
            let notes: String = w.notes.iter().map(|n| format!(" (note: {n})")).collect();
            outln!(
                "{} -> {}: {}x{} {}, {} bytes{notes}",
                job.input.path.display(),
                w.out_path.display(),
                w.width,
                w.height,
                w.format,
                w.bytes_out
            );
        }
        Err(e) => {
            totals.failed += 1;
            errln!("{}", convert::error_line(&job.input.path, e));
        }
    }
}

fn run_one(
    job: &Job,
    out_dir: &Path,
    opts: &Options,
    limits: &Limits,
    protect: &HashSet<PathBuf>,
) -> Result<Written, FileError> {
    let bytes = convert::read_input(&job.input.path, limits)?;
    let out = convert::transform(&bytes, opts, limits)?;
    let out_path = out_dir.join(format!("{}.{}", job.out_base, out.format.extension()));
    if let Some(parent) = out_path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| FileError::new("write_failed", format!("{}: {e}", parent.display())))?;
    }
    if !protect.is_empty() && std::fs::canonicalize(&out_path).is_ok_and(|p| protect.contains(&p)) {
        return Err(FileError::new(
            "would_overwrite_input",
            format!("{} is an input of this batch", out_path.display()),
        ));
    }
    convert::write_atomically(&out_path, &out.bytes)?;
    Ok(Written {
        out_path,
        width: out.width,
        height: out.height,
        format: out.format.name(),
        bytes_in: bytes.len() as u64,
        bytes_out: out.bytes.len() as u64,
        notes: out.notes,
    })
}
