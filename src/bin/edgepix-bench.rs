//! Benchmark driver for scripts/bench.sh: runs one transform in-process and reports its time,
//! so the node harness can interleave this engine with its peers round by round.
//!
//!   edgepix-bench serve              lines "IN\tOPTIONS\tOUT" on stdin -> one JSON line each
//!   edgepix-bench once IN OPTIONS OUT [N]   N runs (default 1), then peak RSS (for memory)
//!
//! The input is read into memory before the clock starts; the output is written after it stops.

use edgepix::{Accepts, Limits, Options};
use std::io::{BufRead, Write};
use std::time::Instant;

fn run(input: &[u8], opts: &Options) -> Result<(f64, edgepix::Output), String> {
    let start = Instant::now();
    let clock = move || start.elapsed().as_secs_f64() * 1000.0;
    let accepts = Accepts {
        webp: true,
        avif: false,
    };
    let out = edgepix::transform(input, opts, accepts, &Limits::default(), &clock)
        .map_err(|e| e.to_string())?;
    Ok((clock(), out))
}

fn report(ms: f64, out: &edgepix::Output) -> String {
    let t = out.timings;
    format!(
        "{{\"ms\":{ms:.3},\"bytes\":{},\"width\":{},\"height\":{},\"decode\":{:.3},\"resize\":{:.3},\"encode\":{:.3}}}",
        out.bytes.len(),
        out.width,
        out.height,
        t.decode,
        t.resize,
        t.encode
    )
}

/// Peak resident set of this process in KiB (Linux), or 0 where /proc is missing.
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn one(line: &str) -> Result<String, String> {
    let mut parts = line.split('\t');
    let (Some(input), Some(opts), Some(out_path)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err("expected IN\\tOPTIONS\\tOUT".into());
    };
    let bytes = std::fs::read(input).map_err(|e| format!("{input}: {e}"))?;
    let opts = Options::parse(opts).map_err(|e| e.to_string())?;
    let (ms, out) = run(&bytes, &opts)?;
    if !out_path.is_empty() {
        std::fs::write(out_path, &out.bytes).map_err(|e| format!("{out_path}: {e}"))?;
    }
    Ok(report(ms, &out))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("serve") => {
            let stdin = std::io::stdin();
            let mut stdout = std::io::stdout();
            for line in stdin.lock().lines() {
                let Ok(line) = line else { break };
                let msg = one(&line)
                    .unwrap_or_else(|e| format!("{{\"error\":{}}}", serde_json::Value::String(e)));
                let _ = writeln!(stdout, "{msg}");
                let _ = stdout.flush();
            }
        }
        Some("once") if args.len() >= 4 => {
            let n: usize = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(1);
            let line = format!("{}\t{}\t{}", args[1], args[2], args[3]);
            let mut last = String::new();
            for _ in 0..n.max(1) {
                match one(&line) {
                    Ok(m) => last = m,
                    Err(e) => {
                        eprintln!("edgepix-bench: {e}");
                        std::process::exit(1);
                    }
                }
            }
            println!(
                "{},\"peak_rss_kib\":{}}}",
                last.trim_end_matches('}'),
                peak_rss_kib()
            );
        }
        _ => {
            eprintln!("usage: edgepix-bench serve | edgepix-bench once IN OPTIONS OUT [N]");
            std::process::exit(2);
        }
    }
}
