//! Every input a fuzz target crashed on (tests/data/fuzz-regressions/<target>/<name>, see the
//! README there) replayed through the very call that target makes (fuzz/src/lib.rs, included
//! below): no panic, no `internal` error, and the target's properties hold. Run it on a 32-bit
//! target too (`cargo test --target i686-unknown-linux-gnu --test fuzz_regressions`): inputs
//! that make length arithmetic wrap only crash where usize is 32 bits, as on wasm32.
#![cfg(not(target_arch = "wasm32"))]

#[path = "../fuzz/src/lib.rs"]
mod fuzz_calls;

use std::path::{Path, PathBuf};

/// A fuzz target's call on one input; it panics on a finding.
type Call = fn(&[u8]);

const TARGETS: [(&str, Call); 3] = [
    ("options", fuzz_calls::options),
    ("probe", fuzz_calls::probe),
    ("transform", fuzz_calls::transform),
];

#[test]
fn fuzz_crash_inputs_stay_fixed() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/fuzz-regressions");
    // every folder is a target's, so a misplaced file cannot be skipped unnoticed
    for e in std::fs::read_dir(&dir).unwrap().flatten() {
        let name = e.file_name().into_string().unwrap();
        assert!(
            name == "README.md" || TARGETS.iter().any(|(t, _)| *t == name),
            "{}: not a fuzz target's folder",
            e.path().display()
        );
    }
    let (mut ran, mut failures) = (0, Vec::new());
    for (target, call) in TARGETS {
        let Ok(entries) = std::fs::read_dir(dir.join(target)) else {
            continue;
        };
        let mut files: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        files.sort();
        for file in files {
            let bytes = std::fs::read(&file).unwrap();
            ran += 1;
            if let Err(p) = std::panic::catch_unwind(|| call(&bytes)) {
                let why = p
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                failures.push(format!("{}: {why}", file.display()));
            }
        }
    }
    assert!(ran > 0, "no regression inputs under {}", dir.display());
    assert!(
        failures.is_empty(),
        "{} of {ran} inputs fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
