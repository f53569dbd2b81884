//! Command-line parsing shared by the subcommands: positional arguments plus the flags each
//! command accepts. Anything unexpected is a usage error (exit 2), never silently ignored.

use crate::shard::Shard;
use edgepix::Options;
use std::num::NonZeroUsize;

/// A flag a command may accept.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Flag {
    Options,
    Jobs,
    Shard,
}

impl Flag {
    fn long(self) -> &'static str {
        match self {
            Flag::Options => "--options",
            Flag::Jobs => "--jobs",
            Flag::Shard => "--shard",
        }
    }

    fn from_name(name: &str) -> Option<Flag> {
        match name {
            "--options" | "-o" => Some(Flag::Options),
            "--jobs" | "-j" => Some(Flag::Jobs),
            "--shard" => Some(Flag::Shard),
            _ => None,
        }
    }
}

#[derive(Debug, Default)]
pub struct Args {
    pub positional: Vec<String>,
    pub options: Options,
    /// `None`: one thread per available core.
    pub jobs: Option<NonZeroUsize>,
    pub shard: Option<Shard>,
    pub help: bool,
}

/// Parse `args` for a command that accepts only `allowed` flags. `--flag VALUE` and
/// `--flag=VALUE` are both accepted; `--` ends the flags (for file names that start with `-`).
pub fn parse(args: &[String], allowed: &[Flag]) -> Result<Args, String> {
    let mut out = Args::default();
    let mut seen: Vec<Flag> = Vec::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        if arg == "--" {
            out.positional.extend(it.by_ref().cloned());
            break;
        }
        if arg == "-h" || arg == "--help" {
            out.help = true;
            continue;
        }
        if !arg.starts_with('-') || arg == "-" {
            out.positional.push(arg.clone());
            continue;
        }
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v)),
            _ => (arg.as_str(), None),
        };
        let flag = Flag::from_name(name)
            .filter(|f| allowed.contains(f))
            .ok_or_else(|| format!("unknown flag '{name}' for this command"))?;
        if seen.contains(&flag) {
            return Err(format!("{} given twice", flag.long()));
        }
        seen.push(flag);
        let value = match inline {
            Some(v) => v,
            None => it
                .next()
                .ok_or_else(|| format!("{} needs a value", flag.long()))?,
        };
        match flag {
            Flag::Options => {
                out.options = Options::parse(value).map_err(|e| format!("--options: {e}"))?;
            }
            Flag::Jobs => out.jobs = Some(parse_jobs(value)?),
            Flag::Shard => out.shard = Some(Shard::parse(value)?),
        }
    }
    Ok(out)
}

fn parse_jobs(value: &str) -> Result<NonZeroUsize, String> {
    value
        .parse::<NonZeroUsize>()
        .map_err(|_| format!("--jobs takes a whole number of threads ≥ 1, not {value:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    const ALL: &[Flag] = &[Flag::Options, Flag::Jobs, Flag::Shard];

    #[test]
    fn flags_anywhere_and_inline_values() {
        let a = parse(
            &strings(&["in", "--jobs=3", "out", "--shard", "2/5", "-o", "width=10"]),
            ALL,
        )
        .unwrap();
        assert_eq!(a.positional, ["in", "out"]);
        assert_eq!(a.jobs.map(NonZeroUsize::get), Some(3));
        assert_eq!(a.shard, Some(Shard::parse("2/5").unwrap()));
        assert_eq!(a.options.width, Some(10));
    }

    #[test]
    fn double_dash_ends_flags() {
        let a = parse(&strings(&["--", "--jobs", "-x.png"]), ALL).unwrap();
        assert_eq!(a.positional, ["--jobs", "-x.png"]);
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
            assert!(parse(&strings(bad), ALL).is_err(), "{bad:?} was accepted");
        }
        // a flag another command takes is still unknown here
        assert!(parse(&strings(&["--jobs", "2"]), &[Flag::Options]).is_err());
    }
}
