//! `wasm-bindgen` for edgepix's builds: the options the build scripts pass, nothing else.
//! The generation itself is the official library's (`wasm_bindgen_cli_support::Bindgen`),
//! so the output is the same as the official CLI's at the same version.
//!
//!   wasm-bindgen INPUT.wasm --out-dir DIR [--target web|nodejs|module|bundler]
//!       [--out-name NAME] [--no-typescript] [--experimental-reset-state-function]
//!       [--force-enable-abort-handler]
//!   wasm-bindgen --version

use std::path::PathBuf;
use std::process::ExitCode;
use wasm_bindgen_cli_support::Bindgen;

/// The version of the library, which is what must match the wasm-bindgen crate.
const VERSION: &str = "0.2.130";

#[derive(Default)]
struct Args {
    input: Option<PathBuf>,
    out_dir: Option<PathBuf>,
    target: Option<String>,
    out_name: Option<String>,
    no_typescript: bool,
    reset_state: bool,
    abort_handler: bool,
}

fn parse(mut it: impl Iterator<Item = String>) -> Result<Option<Args>, String> {
    let mut a = Args::default();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--version" | "-V" => return Ok(None),
            "--out-dir" => a.out_dir = Some(value("--out-dir")?.into()),
            "--target" => a.target = Some(value("--target")?),
            "--out-name" => a.out_name = Some(value("--out-name")?),
            "--no-typescript" => a.no_typescript = true,
            "--experimental-reset-state-function" => a.reset_state = true,
            "--force-enable-abort-handler" => a.abort_handler = true,
            s if s.starts_with('-') => return Err(format!("unknown option {s}")),
            s if a.input.is_none() => a.input = Some(s.into()),
            s => return Err(format!("a second input {s}")),
        }
    }
    Ok(Some(a))
}

fn run(a: Args) -> Result<(), String> {
    let input = a.input.ok_or("no input .wasm")?;
    let out_dir = a.out_dir.ok_or("no --out-dir")?;
    let mut b = Bindgen::new();
    let target = a.target.as_deref().unwrap_or("bundler");
    let set = match target {
        "web" => b.web(true),
        "nodejs" => b.nodejs(true),
        "module" => b.module(true),
        "bundler" => b.bundler(true),
        other => return Err(format!("unsupported --target {other}")),
    };
    set.map_err(|e| e.to_string())?;
    b.input_path(&input)
        .typescript(!a.no_typescript)
        .reset_state_function(a.reset_state)
        .force_enable_abort_handler(a.abort_handler);
    if let Some(name) = &a.out_name {
        b.out_name(name);
    }
    b.generate(&out_dir).map_err(|e| format!("{e:#}"))
}

fn main() -> ExitCode {
    match parse(std::env::args().skip(1)) {
        Ok(None) => {
            println!("wasm-bindgen {VERSION} (edgepix tools/wasm-bindgen)");
            ExitCode::SUCCESS
        }
        Ok(Some(args)) => match run(args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("wasm-bindgen: {e}");
                ExitCode::FAILURE
            }
        },
        Err(e) => {
            eprintln!("wasm-bindgen: {e}");
            ExitCode::from(2)
        }
    }
}
