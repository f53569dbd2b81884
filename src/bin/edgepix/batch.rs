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

use crate::args::{self, Flag};
use crate::convert::{self, FileError};
use crate::naming;
use crate::walk::{self, Entry, SkipReason};
use crate::{Exit, USAGE};
use edgepix::{Limits, Options};
use std::collections::{BTreeMap, HashSet};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Instant;

const FLAGS: &[Flag] = &[Flag::Options, Flag::Jobs, Flag::Shard];

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

pub fn run(raw: &[String]) -> Exit {
    let args = match args::parse(raw, FLAGS) {
        Ok(a) => a,
        Err(e) => return Exit::Usage(e),
    };
    if args.help {
        outln!("{USAGE}");
        return Exit::Ok;
    }
    let [in_dir, out_dir] = args.positional.as_slice() else {
        return Exit::Usage("batch needs IN_DIR and OUT_DIR".into());
    };
    let (in_dir, out_dir) = (Path::new(in_dir), Path::new(out_dir));
    let in_canonical = match std::fs::canonicalize(in_dir) {
        Ok(p) if p.is_dir() => p,
        Ok(_) => return Exit::Usage(format!("{} is not a folder", in_dir.display())),
        Err(e) => return Exit::Usage(format!("cannot read {}: {e}", in_dir.display())),
    };
    // OUT_DIR inside IN_DIR is skipped while walking; OUT_DIR == IN_DIR would overwrite inputs.
    let out_canonical = std::fs::canonicalize(out_dir).ok();
    if out_canonical.as_deref() == Some(in_canonical.as_path()) {
        return Exit::Usage("OUT_DIR must differ from IN_DIR: outputs would replace inputs".into());
    }
    let exclude = out_canonical
        .as_deref()
        .and_then(|o| o.strip_prefix(&in_canonical).ok())
        .map(Path::to_path_buf);
    let listing = match walk::walk(in_dir, exclude.as_deref()) {
        Ok(l) => l,
        Err(e) => return Exit::Usage(format!("cannot list {}: {e}", in_dir.display())),
    };

    // Names are decided over the whole job, before sharding, so every shard agrees.
    let rels: Vec<String> = listing.images.iter().map(|e| e.rel.clone()).collect();
    let names = match naming::output_names(&rels) {
        Ok(n) => n,
        Err(e) => return Exit::Usage(e),
    };
    let mine = |rel: &str| args.shard.is_none_or(|s| s.contains(rel));
    let in_shard: Vec<bool> = rels.iter().map(|r| mine(r)).collect();
    let jobs: Vec<Job> = listing
        .images
        .iter()
        .zip(&names.bases)
        .zip(&in_shard)
        .filter(|(_, &m)| m)
        .map(|((input, base), _)| Job {
            input: input.clone(),
            out_base: base.clone(),
        })
        .collect();
    let skipped: Vec<&(Entry, SkipReason)> = listing
        .skipped
        .iter()
        .filter(|(e, _)| mine(&e.rel))
        .collect();

    if let Err(e) = std::fs::create_dir_all(out_dir) {
        return Exit::Usage(format!("cannot create {}: {e}", out_dir.display()));
    }
    // IN_DIR inside OUT_DIR: an output could land on an input; such a file fails instead.
    let inputs_to_protect: HashSet<PathBuf> = match std::fs::canonicalize(out_dir) {
        Ok(out) if in_canonical.starts_with(&out) => listing
            .images
            .iter()
            .filter_map(|e| std::fs::canonicalize(&e.path).ok())
            .collect(),
        _ => HashSet::new(),
    };

    let threads = args
        .jobs
        .map(|n| n.get())
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .min(jobs.len())
        .max(1);
    let shard_note = args
        .shard
        .map(|s| format!(", shard {s}: {} of {}", jobs.len(), rels.len()))
        .unwrap_or_default();
    outln!(
        "batch {} -> {}: {} images{shard_note}, {} skipped, {threads} thread{}",
        in_dir.display(),
        out_dir.display(),
        rels.len(),
        skipped.len(),
        if threads == 1 { "" } else { "s" }
    );
    for group in &names.kept_extension {
        if group.iter().any(|&i| in_shard[i]) {
            let members: Vec<&str> = group.iter().map(|&i| rels[i].as_str()).collect();
            outln!(
                "note: {} share a name: their outputs keep the source extension",
                members.join(", ")
            );
        }
    }
    let mut unreadable = 0usize;
    for (entry, reason) in &skipped {
        if reason.is_failure() {
            unreadable += 1;
            let e = FileError::new("unreadable", reason.to_string());
            errln!("{}", convert::error_line(&entry.path, &e));
        } else {
            outln!("skipped {}: {reason}", entry.path.display());
        }
    }

    let start = Instant::now();
    let totals = process(&jobs, out_dir, &args.options, threads, &inputs_to_protect);
    let secs = start.elapsed().as_secs_f64();

    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, reason) in &skipped {
        *counts.entry(reason.label()).or_default() += 1;
    }
    let skipped_text = if counts.is_empty() {
        "0 skipped".to_string()
    } else {
        let parts: Vec<String> = counts.iter().map(|(k, v)| format!("{v} {k}")).collect();
        format!("{} skipped ({})", skipped.len(), parts.join(", "))
    };
    outln!(
        "{} files: {} written, {} failed; {skipped_text}; {} bytes in, {} bytes out ({:.1} %); {threads} thread{}, {secs:.2} s",
        jobs.len(),
        totals.written,
        totals.failed,
        totals.bytes_in,
        totals.bytes_out,
        if totals.bytes_in > 0 {
            totals.bytes_out as f64 * 100.0 / totals.bytes_in as f64
        } else {
            0.0
        },
        if threads == 1 { "" } else { "s" }
    );
    if totals.failed > 0 || unreadable > 0 {
        Exit::SomeFailed
    } else {
        Exit::Ok
    }
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
    let limits = Limits::default();
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
