//! The command line's grammar: every subcommand, flag, default and help text, declared once
//! with clap's derive API. The commands receive typed, validated values; anything unexpected
//! is a usage error (exit 2) that names the flag, never silently ignored.

use crate::shard::Shard;
use clap::{Args, CommandFactory, Parser, Subcommand, ValueHint};
use edgepix::Options;
use std::num::NonZeroUsize;
use std::path::PathBuf;

/// The top level's help starts with the synopsis under a lowercase `usage:` line, as the
/// hand-written help did; each command's help (below) has the same heading.
const TOP_HELP: &str = "\
usage:
  {usage}
  edgepix <COMMAND> --help   (a command's flags)

{about}

{all-args}{after-help}";

const COMMAND_HELP: &str = "\
{about-with-newline}
usage: {usage}

{all-args}{after-help}";

const EXIT_STATUS: &str = "Exit status: 0 all files done, 1 some files failed (one \
'error: PATH: CODE: MESSAGE' line each on stderr), 2 usage error.";

/// The same image core as the Worker and the npm package, over files: Cloudflare
/// Images-style transforms, quality evaluation and signed URLs.
#[derive(Parser, Debug)]
#[command(name = "edgepix", version, help_template = TOP_HELP, after_help = EXIT_STATUS)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Transform one image file
    Transform(TransformArgs),
    /// Print an image's format=json document, read from its header only
    Info(InfoArgs),
    /// Transform every image under a folder into a mirrored tree, on all cores
    ///
    /// Reads IN_DIR recursively (.jpg .jpeg .png .gif .webp .avif; directory symlinks are not
    /// followed) and mirrors the tree under OUT_DIR with each extension replaced by the output
    /// format's: photos/a.jpg -> OUT_DIR/photos/a.webp. Inputs in one folder that share a name
    /// (a.jpg, a.png) keep their extension: a.jpg.webp, a.png.webp. Per-file lines and the
    /// summary come in sorted order whatever the thread count.
    Batch(BatchArgs),
    /// Print a signed image URL or purge request for a Worker with SIGNING_KEYS
    ///
    /// Prints the path to request, /cdn-cgi/image/..., or for --purge the
    /// /cdn-cgi/edgepix/purge?... to POST (docs/CACHING.md). The key never needs to leave the
    /// machine that signs.
    Sign(SignArgs),
    /// Score quality policies on image corpora (bytes, SSIMULACRA2, target misses)
    ///
    /// Runs each policy file ({"name", "options", "target", "oracle"}) on every image of the
    /// corpora and prints per policy bytes, SSIMULACRA2 (mean, 5th percentile, worst), target
    /// misses and encode time, judged on the whole output frame (docs/QUALITY.md).
    Eval(EvalArgs),
    /// Measure the quality predictor's training data
    ///
    /// Renders each image at each width (never enlarging), in JPEG and WebP, and for every
    /// quality on the policies' grid writes the bytes, the whole-frame SSIMULACRA2, the score of
    /// each online crop and the frame's features; `edgepix train` fits the model from the file.
    Curves(CurvesArgs),
    /// Refit the quality model from a curves file
    Train(TrainArgs),
    /// Compare gravity=auto with the centre crop on annotated subject and face boxes
    CropEval(CropEvalArgs),
    /// Print a shell completion script to stdout
    ///
    /// For example: edgepix completions bash > ~/.local/share/bash-completion/completions/edgepix
    Completions(CompletionsArgs),
}

/// The grammar as clap runs it: the derived commands with the shared help layout.
pub fn command() -> clap::Command {
    Cli::command().mut_subcommands(|c| c.help_template(COMMAND_HELP))
}

/// `--options`: the Cloudflare Images option string, parsed, with the text as given (a signed
/// URL carries the options as written).
#[derive(Clone, Debug)]
pub struct OptionsArg {
    pub text: String,
    pub parsed: Options,
}

fn parse_options(text: &str) -> Result<OptionsArg, String> {
    let parsed = Options::parse(text).map_err(|e| e.to_string())?;
    Ok(OptionsArg {
        text: text.to_string(),
        parsed,
    })
}

fn parse_jobs(value: &str) -> Result<NonZeroUsize, String> {
    value
        .parse::<NonZeroUsize>()
        .map_err(|_| format!("a whole number of threads ≥ 1, not {value:?}"))
}

fn parse_width(value: &str) -> Result<u32, String> {
    match value.parse::<u32>() {
        Ok(w) if w >= 16 => Ok(w),
        _ => Err(format!("pixels ≥ 16, not {value:?}")),
    }
}

const OPTIONS_SHORT: &str =
    "Transform options, Cloudflare Images syntax: \"width=800,format=webp\" \
(default: the image re-encoded in its own format)";

const OPTIONS_HELP: &str = "Transform options in the Cloudflare Images syntax \
(\"width=800,format=webp\"): width, height, dpr, fit, gravity, quality, format, background, \
metadata, anim, rotate, flip, trim, trim.*, border.*, blur, sharpen, brightness, contrast, gamma, \
saturation (docs/OPTIONS.md). Without it the image is re-encoded in its own format with \
orientation applied and metadata reduced to the copyright";

/// Threads and sharding, for the commands that walk many images.
#[derive(Args, Debug)]
pub struct Spread {
    /// Threads (default: one per core); each holds one image at a time
    #[arg(short, long, value_name = "N", value_parser = parse_jobs)]
    pub jobs: Option<NonZeroUsize>,
    /// Only the files of shard i of n (1 ≤ i ≤ n), chosen by a stable hash of the relative
    /// path: n runs with 1/n .. n/n together do every file exactly once
    #[arg(long, value_name = "i/n", value_parser = Shard::parse)]
    pub shard: Option<Shard>,
}

impl Spread {
    /// `--jobs`, or one thread per available core.
    pub fn threads(&self) -> usize {
        self.jobs
            .map(NonZeroUsize::get)
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
    }
}

#[derive(Args, Debug)]
pub struct TransformArgs {
    /// The image to read (its format is told by its bytes, not its name)
    #[arg(value_name = "IN", value_hint = ValueHint::FilePath)]
    pub input: PathBuf,
    /// Where to write the result (replaced atomically)
    #[arg(value_name = "OUT", value_hint = ValueHint::FilePath)]
    pub output: PathBuf,
    #[arg(short, long, value_name = "OPTIONS", value_parser = parse_options, help = OPTIONS_SHORT, long_help = OPTIONS_HELP)]
    pub options: Option<OptionsArg>,
}

#[derive(Args, Debug)]
pub struct InfoArgs {
    /// The image to describe
    #[arg(value_name = "IN", value_hint = ValueHint::FilePath)]
    pub input: PathBuf,
}

#[derive(Args, Debug)]
pub struct BatchArgs {
    /// The folder to read, recursively
    #[arg(value_name = "IN_DIR", value_hint = ValueHint::DirPath)]
    pub in_dir: PathBuf,
    /// The folder to write the mirrored tree to (created if missing; must differ from IN_DIR)
    #[arg(value_name = "OUT_DIR", value_hint = ValueHint::DirPath)]
    pub out_dir: PathBuf,
    #[arg(short, long, value_name = "OPTIONS", value_parser = parse_options, help = OPTIONS_SHORT, long_help = OPTIONS_HELP)]
    pub options: Option<OptionsArg>,
    #[command(flatten)]
    pub spread: Spread,
}

#[derive(Args, Debug)]
pub struct SignArgs {
    /// The source exactly as it will appear in the URL (https://img.example.com/a.jpg?v=2 or
    /// samples/hato.jpg)
    #[arg(long, value_name = "SRC")]
    pub source: String,
    /// The transform options to sign, in the Cloudflare Images syntax; the URL carries them
    /// as written (give this or --variant)
    #[arg(short, long, value_name = "OPTIONS", value_parser = parse_options, conflicts_with = "variant")]
    pub options: Option<OptionsArg>,
    /// A named variant to sign instead of options
    #[arg(long, value_name = "NAME")]
    pub variant: Option<String>,
    /// Seconds from now until the signature expires (purges: default 300; URLs: no expiry)
    #[arg(long, value_name = "SECONDS")]
    pub expires: Option<u64>,
    /// The signing key
    #[arg(
        long,
        value_name = "KEY",
        env = "EDGEPIX_SIGNING_KEY",
        hide_env_values = true
    )]
    pub key: Option<String>,
    /// Sign a purge request for SRC instead of an image URL
    #[arg(long)]
    pub purge: bool,
}

#[derive(Args, Debug)]
pub struct EvalArgs {
    /// A folder of images, read recursively; its images are named DIR_NAME/relative/path
    /// (repeatable)
    #[arg(long = "corpus", value_name = "DIR", required = true, value_hint = ValueHint::DirPath)]
    pub corpora: Vec<PathBuf>,
    /// A policy file, JSON {"name", "options", "target", "oracle"} (repeatable)
    #[arg(long = "policy", value_name = "FILE.json", required = true, value_hint = ValueHint::FilePath)]
    pub policies: Vec<PathBuf>,
    #[command(flatten)]
    pub spread: Spread,
    /// Also write one row per image and policy to this CSV file
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub csv: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct CurvesArgs {
    /// A folder of images, read recursively (repeatable)
    #[arg(long = "corpus", value_name = "DIR", required = true, value_hint = ValueHint::DirPath)]
    pub corpora: Vec<PathBuf>,
    /// An output width in pixels, ≥ 16 (repeatable)
    #[arg(long = "width", value_name = "W", required = true, value_parser = parse_width)]
    pub widths: Vec<u32>,
    /// The CSV file to write
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub out: PathBuf,
    #[command(flatten)]
    pub spread: Spread,
}

#[derive(Args, Debug)]
pub struct TrainArgs {
    /// The curves file `edgepix curves` wrote
    #[arg(long, value_name = "FILE", default_value = "data/quality/curves.csv", value_hint = ValueHint::FilePath)]
    pub curves: PathBuf,
    /// The model file to write
    #[arg(long, value_name = "FILE", default_value = "data/quality/model.json", value_hint = ValueHint::FilePath)]
    pub out: PathBuf,
}

#[derive(Args, Debug)]
pub struct CropEvalArgs {
    /// The subject and face boxes, JSON {"images": {...}}
    #[arg(long, value_name = "FILE", default_value = "data/eval/annotations.json", value_hint = ValueHint::FilePath)]
    pub annotations: PathBuf,
    /// The folder the annotated image paths are relative to
    #[arg(long, value_name = "DIR", default_value = "../shared/corpus", value_hint = ValueHint::DirPath)]
    pub root: PathBuf,
    /// Also write one row per crop to this CSV file
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub csv: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::FromArgMatches;

    fn parse(argv: &[&str]) -> Result<Command, clap::Error> {
        let matches = command()
            .try_get_matches_from(std::iter::once("edgepix").chain(argv.iter().copied()))?;
        Cli::from_arg_matches(&matches).map(|c| c.command)
    }

    #[test]
    fn the_grammar_is_consistent() {
        command().debug_assert();
    }

    #[test]
    fn flags_anywhere_and_inline_values() {
        let Ok(Command::Batch(a)) = parse(&[
            "batch", "in", "--jobs=3", "out", "--shard", "2/5", "-o", "width=10",
        ]) else {
            panic!("batch did not parse");
        };
        assert_eq!(
            (a.in_dir.to_str(), a.out_dir.to_str()),
            (Some("in"), Some("out"))
        );
        assert_eq!(a.spread.jobs.map(NonZeroUsize::get), Some(3));
        assert_eq!(a.spread.shard, Some(Shard::parse("2/5").unwrap()));
        assert_eq!(a.options.map(|o| o.parsed.width), Some(Some(10)));
    }

    #[test]
    fn double_dash_ends_flags() {
        let Ok(Command::Transform(a)) = parse(&["transform", "--", "--jobs", "-x.png"]) else {
            panic!("transform did not parse");
        };
        assert_eq!(
            (a.input.to_str(), a.output.to_str()),
            (Some("--jobs"), Some("-x.png"))
        );
    }

    #[test]
    fn rejects_what_it_does_not_know() {
        for bad in [
            &["--jobs", "0"][..],
            &["--jobs", "two"],
            &["--jobs"],
            &["--frobnicate"],
            &["--jobs=1", "--jobs=2"],
            &["--options", "width=abc"],
            &["--options", "segment=foreground"],
        ] {
            let argv: Vec<&str> = ["batch", "in", "out"].iter().chain(bad).copied().collect();
            let e = parse(&argv).expect_err(&format!("{bad:?} was accepted"));
            assert_eq!(e.exit_code(), 2, "{bad:?}");
        }
        // a flag another command takes is still unknown here
        assert!(parse(&["transform", "a", "b", "--jobs", "2"]).is_err());
    }
}
