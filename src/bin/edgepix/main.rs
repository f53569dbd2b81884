//! The native command line: the same core as the Worker and the npm package, over files.
//!
//!   edgepix transform IN OUT [--options "width=800,format=webp"]
//!   edgepix info IN
//!   edgepix batch IN_DIR OUT_DIR [--options ...] [--jobs N] [--shard i/n]
//!   edgepix sign --source SRC --options ... | --purge   (signed URLs, docs/CACHING.md)
//!
//! Exit codes: 0 everything succeeded, 1 at least one file failed (each failure is one line
//! on stderr: `error: PATH: CODE: MESSAGE`), 2 the command could not start (usage).

/// `println!` that ignores a closed stdout (`edgepix batch … | head`): the files still get
/// done, and the exit status still tells what happened.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// `eprintln!` that ignores a closed stderr, as `outln!`.
macro_rules! errln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

mod args;
mod batch;
mod convert;
mod crop_eval;
mod curves;
mod eval;
mod naming;
mod shard;
mod sign;
mod walk;

use args::Flag;
use edgepix::Limits;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

pub const USAGE: &str = "usage:
  edgepix transform IN OUT [--options \"width=800,format=webp\"]
  edgepix info IN
  edgepix batch IN_DIR OUT_DIR [--options \"...\"] [--jobs N] [--shard i/n]
  edgepix sign --source SRC (--options \"...\" | --variant NAME) [--expires SECONDS] [--key KEY]
  edgepix sign --purge --source SRC [--expires SECONDS] [--key KEY]
  edgepix eval --corpus DIR [--corpus DIR ...] --policy FILE.json [--policy ...]
               [--shard i/n] [--jobs N] [--csv out.csv]
  edgepix curves --corpus DIR [...] --width W [...] --out FILE [--shard i/n] [--jobs N]
  edgepix train [--curves data/quality/curves.csv] [--out data/quality/model.json]
  edgepix crop-eval [--annotations data/eval/annotations.json] [--root ../shared/corpus] [--csv F]

Options use the Cloudflare Images syntax (width, height, dpr, fit, gravity, quality, format,
background, metadata, anim, rotate, flip, trim, trim.*, border.*, blur, sharpen, brightness,
contrast, gamma, saturation; docs/OPTIONS.md). Without --options the image is re-encoded in
its own format with orientation applied and metadata reduced to the copyright.

batch reads IN_DIR recursively (.jpg .jpeg .png .gif .webp .avif; directory symlinks are not
followed) and mirrors the tree under OUT_DIR with each extension replaced by the output
format's: photos/a.jpg -> OUT_DIR/photos/a.webp. Inputs in one folder that share a name
(a.jpg, a.png) keep their extension: a.jpg.webp, a.png.webp.
  --jobs N      threads (default: one per core); each holds one image at a time
  --shard i/n   only the files of shard i of n (1 <= i <= n), chosen by a stable hash of the
                relative path: n runs with 1/n .. n/n together do every file exactly once

eval runs each policy file ({\"name\", \"options\", \"target\", \"oracle\"}) on every image of the
corpora and prints per policy bytes, SSIMULACRA2 (mean, 5th percentile, worst), target misses
and encode time, judged on the whole output frame (docs/QUALITY.md). curves measures
the predictor's training data; train refits data/quality/model.json from it. crop-eval
compares gravity=auto with the centre crop on the annotated subject and face boxes.

Exit status: 0 all files done, 1 some files failed (one 'error: PATH: CODE: MESSAGE' line
each on stderr), 2 usage error.";

/// How a command ended; `main` maps it to the exit status.
pub enum Exit {
    Ok,
    SomeFailed,
    Usage(String),
}

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let exit = match argv.first().map(String::as_str) {
        Some("transform") => transform_cmd(&argv[1..]),
        Some("info") => info_cmd(&argv[1..]),
        Some("batch") => batch::run(&argv[1..]),
        Some("sign") => sign::run(&argv[1..]),
        Some("eval") => eval::run(&argv[1..]),
        Some("curves") => curves::curves_cmd(&argv[1..]),
        Some("train") => curves::train_cmd(&argv[1..]),
        Some("crop-eval") => crop_eval::run(&argv[1..]),
        Some("-h") | Some("--help") | Some("help") => {
            outln!("{USAGE}");
            Exit::Ok
        }
        None => Exit::Usage("no command given".into()),
        Some(other) => Exit::Usage(format!("unknown command '{other}'")),
    };
    match exit {
        Exit::Ok => ExitCode::SUCCESS,
        Exit::SomeFailed => ExitCode::from(1),
        Exit::Usage(msg) => {
            errln!("edgepix: {msg}\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn transform_cmd(raw: &[String]) -> Exit {
    let args = match args::parse(raw, &[Flag::Options]) {
        Ok(a) => a,
        Err(e) => return Exit::Usage(e),
    };
    if args.help {
        outln!("{USAGE}");
        return Exit::Ok;
    }
    let [input, output] = args.positional.as_slice() else {
        return Exit::Usage("transform needs IN and OUT".into());
    };
    let (input, output) = (Path::new(input), Path::new(output));
    let limits = Limits::LOCAL;
    let start = Instant::now();
    let result = convert::read_input(input, &limits).and_then(|bytes| {
        let out = convert::transform(&bytes, &args.options, &limits)?;
        convert::write_atomically(output, &out.bytes)?;
        Ok((bytes.len(), out))
    });
    match result {
        Ok((bytes_in, out)) => {
            outln!(
                "{} ({bytes_in} bytes) -> {}: {}x{} {} {} bytes in {:.1} ms (decode {:.1}, resize {:.1}, encode {:.1})",
                input.display(),
                output.display(),
                out.width,
                out.height,
                out.format.name(),
                out.bytes.len(),
                start.elapsed().as_secs_f64() * 1000.0,
                out.timings.decode,
                out.timings.resize,
                out.timings.encode
            );
            for n in out.notes {
                outln!("note: {n}");
            }
            Exit::Ok
        }
        Err(e) => {
            errln!("{}", convert::error_line(input, &e));
            Exit::SomeFailed
        }
    }
}

fn info_cmd(raw: &[String]) -> Exit {
    let args = match args::parse(raw, &[]) {
        Ok(a) => a,
        Err(e) => return Exit::Usage(e),
    };
    if args.help {
        outln!("{USAGE}");
        return Exit::Ok;
    }
    let [input] = args.positional.as_slice() else {
        return Exit::Usage("info needs one file".into());
    };
    let input = Path::new(input);
    let limits = Limits::LOCAL;
    let result = convert::read_input(input, &limits)
        .and_then(|bytes| Ok(edgepix::inspect(&bytes, &limits)?));
    match result {
        Ok(json) => {
            outln!("{json}");
            Exit::Ok
        }
        Err(e) => {
            errln!("{}", convert::error_line(input, &e));
            Exit::SomeFailed
        }
    }
}
