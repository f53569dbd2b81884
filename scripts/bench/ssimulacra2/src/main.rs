//! `ssimulacra2 REF.ppm DIST.ppm [DIST.ppm ...]`: one SSIMULACRA2 score per distorted frame,
//! one line each, against the reference frame; 8-bit binary PPM (P6) in, so any decoder can
//! feed it and the metric never depends on a peer's codec.

use edgepix::pixels::{Layout, Raster};
use edgepix::quality::metric;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 2 {
        eprintln!("usage: ssimulacra2 REF.ppm DIST.ppm [DIST.ppm ...]");
        return ExitCode::from(2);
    }
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ssimulacra2: {e}");
            ExitCode::from(1)
        }
    }
}

fn run(args: &[String]) -> Result<(), String> {
    let reference = read_ppm(&args[0])?;
    for path in &args[1..] {
        let distorted = read_ppm(path)?;
        let s = metric::score(&reference, &distorted).map_err(|e| format!("{path}: {e}"))?;
        println!("{s:.6}");
    }
    Ok(())
}

/// An 8-bit binary PPM (P6, maxval 255, `#` comments allowed in the header).
fn read_ppm(path: &str) -> Result<Raster, String> {
    let buf = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
    let mut fields = Vec::with_capacity(4);
    let mut i = 0;
    while fields.len() < 4 {
        while buf.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        if buf.get(i) == Some(&b'#') {
            while buf.get(i).is_some_and(|&c| c != b'\n') {
                i += 1;
            }
            continue;
        }
        let start = i;
        while buf.get(i).is_some_and(|c| !c.is_ascii_whitespace()) {
            i += 1;
        }
        if start == i {
            return Err(format!("{path}: truncated PPM header"));
        }
        fields.push(String::from_utf8_lossy(&buf[start..i]).into_owned());
    }
    let num = |s: &str| {
        s.parse::<u32>()
            .map_err(|_| format!("{path}: bad PPM field {s:?}"))
    };
    if fields[0] != "P6" || fields[3] != "255" {
        return Err(format!("{path}: not an 8-bit binary PPM"));
    }
    let (w, h) = (num(&fields[1])?, num(&fields[2])?);
    let len = (w as usize)
        .checked_mul(h as usize)
        .and_then(|n| n.checked_mul(3))
        .ok_or_else(|| format!("{path}: PPM too large"))?;
    let data = buf
        .get(i + 1..i + 1 + len)
        .ok_or_else(|| format!("{path}: PPM shorter than {w}x{h}"))?;
    Ok(Raster::new(w, h, Layout::Rgb, data.to_vec()))
}
