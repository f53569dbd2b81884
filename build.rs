//! Derives the engine version from the checked-in golden output hashes, so that a change of
//! output bytes changes every cache key without anyone editing a version by hand:
//! `tests/golden/check.mjs` fails when the wasm32 build's bytes differ from the table, and
//! updating the table changes the version.

use std::fs;

fn main() {
    let table = "tests/golden/engine.tsv";
    println!("cargo:rerun-if-changed={table}");
    let text = fs::read_to_string(table).unwrap_or_default();
    // FNV-1a 64 over the rows, line endings normalised so a checkout's settings do not matter.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        for b in line.trim_end().bytes().chain([b'\n']) {
            h ^= b as u64;
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    println!("cargo:rustc-env=EDGEPIX_GOLDEN={:012x}", h >> 16);
}
