//! The budget's memory estimate of every corpus file under a fixed set of option sets, and of
//! every golden case (tests/golden/engine.tsv), against the committed table
//! tests/golden/memory.tsv. A refactor of the plan, the budget or the steps must leave every
//! byte of it equal: the table is the before/after proof that only the shape changed.
//! `EDGEPIX_UPDATE_MEMORY=1 cargo test --features cli --test memory_table` rewrites it after an
//! intended change of the model.
//!
//! Headers only: nothing is decoded, so the whole corpus takes seconds. The AVIF build decides
//! AVIF outputs differently (it can encode them), so the table is the default build's.
#![cfg(not(feature = "avif"))]

mod common;
use common::*;
use edgepix::{Accepts, Client, Limits, Options};
use std::fmt::Write as _;

/// Representative option sets: each reaches a different part of the model (resize, cover,
/// each encoder, pad canvas, orientation and effects, border, quality=auto, gravity=auto,
/// animation on and off, JSON, a large dpr). `mem=N` runs the set under a budget of N MiB, to
/// reach JPEG streaming, the AVIF fallback and an animation's capped output.
const SETS: &[&str] = &[
    "",
    "width=800",
    "width=300,height=300,fit=cover,format=webp",
    "width=640,format=baseline-jpeg",
    "width=400,format=png",
    "width=600,format=avif",
    "width=500,height=500,fit=pad,background=red,format=jpeg",
    "width=1000,rotate=90,blur=5,sharpen=2",
    "width=700,border.width=10,border.color=blue,format=png",
    "width=500,quality=auto,format=jpeg",
    "width=200,height=200,fit=cover,gravity=auto",
    "width=120,anim=false",
    "format=json",
    "width=2000,dpr=2,format=webp,brightness=1.2,saturation=0.5",
    "mem=16;width=3000,format=jpeg",
    "mem=24;width=1000,format=webp",
    "mem=4;width=400",
    "width=300,trim=10;20;10;20,flip=h,format=webp,quality=auto",
    "width=900,height=400,fit=crop,gravity=left,contrast=1.5,gamma=2",
];

fn row(bytes: &[u8], set: &str) -> String {
    let (limits, opts) = match set.strip_prefix("mem=") {
        Some(rest) => {
            let (mb, opts) = rest.split_once(';').unwrap_or((rest, ""));
            let limits = Limits {
                max_memory_bytes: mb.parse::<usize>().unwrap() << 20,
                ..Limits::default()
            };
            (limits, opts)
        }
        None => (Limits::default(), set),
    };
    let o = match Options::parse(opts) {
        Ok(o) => o,
        Err(e) => panic!("option set {set:?}: {}", e.message),
    };
    let client = Client::new(Accepts {
        webp: true,
        avif: true,
    });
    let resolved = o.resolve(&client);
    let probe = match edgepix::probe(bytes, &limits) {
        Ok(p) => p,
        Err(e) => return format!("probe:{:?}", e.code),
    };
    match edgepix::budget::plan(&probe, &resolved, &limits) {
        Ok(p) => {
            let m = p.memory;
            format!(
                "{} input={} decode={} resize={} finish={} encode={} peak={} allowance={}{}",
                p.output.name(),
                m.input,
                m.decode,
                m.resize,
                m.finish,
                m.encode,
                m.peak,
                p.output_allowance,
                if p.jpeg_streaming { " streaming" } else { "" }
            )
        }
        Err(e) => format!("plan:{:?}", e.code),
    }
}

fn golden_cases() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/engine.tsv"),
    )
    .unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let mut f = l.split('\t');
            let input = f.next().unwrap().to_string();
            // the golden check's options are URL-encoded (`%23` for `#`)
            let opts = f.next().unwrap_or("").replace("%23", "#");
            (input, opts)
        })
        .collect()
}

#[test]
fn the_memory_estimate_of_every_corpus_file_is_the_committed_one() {
    let mut out = String::from(
        "# The budget's estimate (bytes) per corpus file and option set; written by tests/memory_table.rs.\n",
    );
    for (input, opts) in golden_cases() {
        let _ = writeln!(out, "{input}\tgolden;{opts}\t{}", row(&read(&input), &opts));
    }
    let mut files = files_under("");
    files.retain(|f| !f.ends_with(".tsv") && !f.ends_with(".md") && !f.starts_with("LICENSES"));
    for f in &files {
        let bytes = read(f);
        if let Err(e) = edgepix::probe(&bytes, &Limits::default()) {
            // refused from its header: no option set gets further
            let _ = writeln!(out, "{f}\t*\tprobe:{:?}", e.code);
            continue;
        }
        for set in SETS {
            let _ = writeln!(out, "{f}\t{set}\t{}", row(&bytes, set));
        }
    }
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/memory.tsv");
    if std::env::var_os("EDGEPIX_UPDATE_MEMORY").is_some() {
        std::fs::write(&path, &out).unwrap();
        eprintln!("memory table: wrote {} rows", out.lines().count() - 1);
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    let differ: Vec<String> = committed
        .lines()
        .zip(out.lines())
        .filter(|(a, b)| a != b)
        .take(20)
        .map(|(a, b)| format!("table: {a}\nnow:   {b}"))
        .collect();
    assert!(
        differ.is_empty() && committed.lines().count() == out.lines().count(),
        "the memory estimate changed ({} rows committed, {} now):\n{}",
        committed.lines().count(),
        out.lines().count(),
        differ.join("\n")
    );
}
