//! The native command line: the same core as the Worker and the npm package, over files.
//! The grammar (every command, flag and default) is in `args`; `edgepix --help` and
//! `edgepix COMMAND --help` print it.
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

use args::{Cli, Command, CompletionsArgs, InfoArgs, TransformArgs};
use clap::FromArgMatches;
use edgepix::Limits;
use std::process::ExitCode;
use std::time::Instant;

/// How a command ended; `main` maps it to the exit status.
pub enum Exit {
    Ok,
    SomeFailed,
    /// A usage error found after parsing (a folder that cannot be read, a bad policy file):
    /// reported like clap's own, with the command's usage.
    Usage(String),
}

fn main() -> ExitCode {
    let mut grammar = args::command();
    // the top level takes no flag but --help and --version, so this is the command typed
    let typed = std::env::args().nth(1);
    let parsed = grammar
        .try_get_matches_from_mut(std::env::args_os())
        .and_then(|m| Cli::from_arg_matches(&m));
    let cli = match parsed {
        Ok(c) => c,
        Err(e) => return clap_exit(e, &mut grammar, typed.as_deref()),
    };
    let exit = match cli.command {
        Command::Transform(a) => transform_cmd(a),
        Command::Info(a) => info_cmd(a),
        Command::Batch(a) => batch::run(a),
        Command::Sign(a) => sign::run(a),
        Command::Eval(a) => eval::run(a),
        Command::Curves(a) => curves::curves_cmd(a),
        Command::Train(a) => curves::train_cmd(a),
        Command::CropEval(a) => crop_eval::run(a),
        Command::Completions(a) => completions_cmd(a, &mut grammar),
    };
    match exit {
        Exit::Ok => ExitCode::SUCCESS,
        Exit::SomeFailed => ExitCode::from(1),
        Exit::Usage(msg) => {
            let e = clap::Error::raw(clap::error::ErrorKind::ValueValidation, msg);
            clap_exit(e, &mut grammar, typed.as_deref())
        }
    }
}

/// Print a clap outcome: help and version to stdout (exit 0); a usage error to stderr (exit
/// 2) followed by the typed command's usage, which clap leaves out of bad-value errors, under
/// the lowercase `usage:` heading the CLI has always printed (scripts match it).
fn clap_exit(e: clap::Error, grammar: &mut clap::Command, typed: Option<&str>) -> ExitCode {
    if !e.use_stderr() {
        let _ = e.print();
        return ExitCode::from(e.exit_code().clamp(0, 255) as u8);
    }
    let mut text = e.render().to_string();
    let is_help = e.kind() == clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand;
    if !is_help && !text.contains("\nUsage: ") {
        grammar.build();
        let usage = match typed.and_then(|name| grammar.find_subcommand_mut(name)) {
            Some(sub) => sub.render_usage(),
            None => grammar.render_usage(),
        };
        let (message, more) = match text.split_once("\n\nFor more information") {
            Some((m, r)) => (m.to_string(), format!("\n\nFor more information{r}")),
            None => (text.clone(), String::new()),
        };
        text = format!("{}\n\n{usage}{more}", message.trim_end());
    }
    errln!("{}", text.replace("\nUsage: ", "\nusage: ").trim_end());
    ExitCode::from(2)
}

/// `edgepix completions SHELL`: the script goes through a buffer so that a closed stdout is
/// ignored like every other output, not a panic.
fn completions_cmd(a: CompletionsArgs, grammar: &mut clap::Command) -> Exit {
    let mut script = Vec::new();
    clap_complete::generate(a.shell, grammar, "edgepix", &mut script);
    use std::io::Write as _;
    let _ = std::io::stdout().write_all(&script);
    Exit::Ok
}

fn transform_cmd(args: TransformArgs) -> Exit {
    let (input, output) = (args.input.as_path(), args.output.as_path());
    let options = args.options.map(|o| o.parsed).unwrap_or_default();
    let limits = Limits::LOCAL;
    let start = Instant::now();
    let result = convert::read_input(input, &limits).and_then(|bytes| {
        let out = convert::transform(&bytes, &options, &limits)?;
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

fn info_cmd(args: InfoArgs) -> Exit {
    let input = args.input.as_path();
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
