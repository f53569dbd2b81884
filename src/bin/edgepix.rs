//! The native command line: the same core as the Worker and the npm package, over files.
//!
//!   edgepix transform IN OUT [--options "width=800,format=webp"]
//!   edgepix info IN
//!   edgepix batch IN_DIR OUT_DIR [--options ...]

use edgepix::{Accepts, Limits, Options};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

const USAGE: &str = "usage:
  edgepix transform IN OUT [--options \"width=800,format=webp\"]
  edgepix info IN
  edgepix batch IN_DIR OUT_DIR [--options \"width=800,format=webp\"]

Options use the Cloudflare Images syntax (width, height, dpr, fit, gravity, quality, format,
background, metadata, anim, rotate, flip, trim). Without --options the image is re-encoded in
its own format with orientation applied and metadata reduced to the copyright.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("transform") => transform_cmd(&args[1..]),
        Some("info") => info_cmd(&args[1..]),
        Some("batch") => batch_cmd(&args[1..]),
        Some("-h") | Some("--help") | None => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Some(other) => Err(format!("unknown command '{other}'\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("edgepix: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Positional arguments and the value of `--options` (or `-o`).
fn split_args(args: &[String]) -> Result<(Vec<&str>, Options), String> {
    let mut positional = Vec::new();
    let mut opts = Options::default();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "--options" || a == "-o" {
            let v = it.next().ok_or("--options needs a value")?;
            opts = Options::parse(v).map_err(|e| e.to_string())?;
        } else if let Some(v) = a.strip_prefix("--options=") {
            opts = Options::parse(v).map_err(|e| e.to_string())?;
        } else {
            positional.push(a.as_str());
        }
    }
    Ok((positional, opts))
}

fn clock() -> impl Fn() -> f64 {
    let start = Instant::now();
    move || start.elapsed().as_secs_f64() * 1000.0
}

fn read(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn transform_file(
    input: &Path,
    output: &Path,
    opts: &Options,
) -> Result<(usize, usize, edgepix::Output), String> {
    let bytes = read(input)?;
    let now = clock();
    // A batch tool has no Accept header: format=auto means the modern default, WebP.
    let accepts = Accepts {
        webp: true,
        avif: false,
    };
    let out = edgepix::transform(&bytes, opts, accepts, &Limits::default(), &now)
        .map_err(|e| format!("{}: {e}", input.display()))?;
    std::fs::write(output, &out.bytes)
        .map_err(|e| format!("cannot write {}: {e}", output.display()))?;
    Ok((bytes.len(), out.bytes.len(), out))
}

fn transform_cmd(args: &[String]) -> Result<(), String> {
    let (pos, opts) = split_args(args)?;
    let [input, output] = pos.as_slice() else {
        return Err(format!("transform needs IN and OUT\n\n{USAGE}"));
    };
    let t = Instant::now();
    let (bin, bout, out) = transform_file(Path::new(input), Path::new(output), &opts)?;
    println!(
        "{input} ({bin} bytes) -> {output}: {}x{} {} {bout} bytes in {:.1} ms (decode {:.1}, resize {:.1}, encode {:.1})",
        out.width,
        out.height,
        out.format.name(),
        t.elapsed().as_secs_f64() * 1000.0,
        out.timings.decode,
        out.timings.resize,
        out.timings.encode
    );
    for n in out.notes {
        println!("note: {n}");
    }
    Ok(())
}

fn info_cmd(args: &[String]) -> Result<(), String> {
    let [input] = args else {
        return Err(format!("info needs one file\n\n{USAGE}"));
    };
    let bytes = read(Path::new(input))?;
    let json = edgepix::inspect(&bytes, &Limits::default()).map_err(|e| e.to_string())?;
    println!("{json}");
    Ok(())
}

fn is_image_name(p: &Path) -> bool {
    matches!(
        p.extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("jpg" | "jpeg" | "png" | "gif" | "webp" | "avif")
    )
}

fn batch_cmd(args: &[String]) -> Result<(), String> {
    let (pos, opts) = split_args(args)?;
    let [in_dir, out_dir] = pos.as_slice() else {
        return Err(format!("batch needs IN_DIR and OUT_DIR\n\n{USAGE}"));
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(in_dir)
        .map_err(|e| format!("cannot list {in_dir}: {e}"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && is_image_name(p))
        .collect();
    files.sort();
    std::fs::create_dir_all(out_dir).map_err(|e| format!("cannot create {out_dir}: {e}"))?;
    let bar = indicatif::ProgressBar::new(files.len() as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let start = Instant::now();
    let (mut ok, mut failed, mut bytes_in, mut bytes_out) = (0usize, 0usize, 0usize, 0usize);
    for f in &files {
        bar.set_message(
            f.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
        );
        let stem = f
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        // the extension is only known after planning, so write to a temporary name first
        let tmp = Path::new(out_dir).join(format!(".{stem}.partial"));
        match transform_file(f, &tmp, &opts) {
            Ok((bin, bout, out)) => {
                let dest = Path::new(out_dir).join(format!("{stem}.{}", out.format.extension()));
                std::fs::rename(&tmp, &dest)
                    .map_err(|e| format!("cannot write {}: {e}", dest.display()))?;
                ok += 1;
                bytes_in += bin;
                bytes_out += bout;
            }
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                failed += 1;
                bar.println(format!("error: {e}"));
            }
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{} files: {ok} written, {failed} failed; {bytes_in} bytes in, {bytes_out} bytes out ({:.1} %); {secs:.2} s ({:.1} ms/file)",
        files.len(),
        if bytes_in > 0 { bytes_out as f64 * 100.0 / bytes_in as f64 } else { 0.0 },
        if files.is_empty() { 0.0 } else { secs * 1000.0 / files.len() as f64 }
    );
    if failed > 0 {
        return Err(format!("{failed} of {} files failed", files.len()));
    }
    Ok(())
}
