//! The option types of `quality=auto` (`auto`, `auto:TARGET`, `auto:POLICY`, the named
//! levels): parsed and written here with the other options; the policies that act on them are
//! `crate::quality`'s.

use crate::error::{Error, Result};

/// The score `quality=auto` aims at when no target is given: SSIMULACRA2 70, "high quality" on
/// the metric's published scale (90 visually lossless, 70 high, 50 medium), fixed before any
/// measurement (docs/QUALITY.md).
pub const DEFAULT_TARGET: u8 = 70;

/// Cloudflare's named levels as targets on the same SSIMULACRA2 scale, one step of 10 per level
/// from the metric's "very high" (80) down to its "medium" (50). `medium-high` is the default.
pub const NAMED_TARGETS: [(&str, u8); 4] = [
    ("high", 80),
    ("medium-high", 70),
    ("medium-low", 60),
    ("low", 50),
];

/// The lowest and highest encoder quality a policy may choose. Below 30 JPEG and WebP fall
/// apart on any photograph; above 95 bytes grow steeply for scores no viewer can tell apart.
pub const MIN_Q: u8 = 30;
pub const MAX_Q: u8 = 95;

/// How the setting is chosen. Every policy is bounded in encodes, so any of them may be named
/// in a URL; the offline-only exhaustive search lives in the eval command, not here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Policy {
    /// Binary search over the quality grid, judging each step with SSIMULACRA2 on crops; one
    /// check halfway refines the step.
    Search,
    /// The learned predictor alone: features of the frame -> quality, one encode.
    Predict,
    /// The predictor, then a check on crops: a pass tries one step lower, a failure searches
    /// the steps above the prediction; one check halfway refines the step.
    Verify,
}

/// The policy `quality=auto` uses when none is named (chosen from the table in docs/QUALITY.md).
pub const DEFAULT_POLICY: Policy = Policy::Verify;

impl Policy {
    pub const ALL: [Policy; 3] = [Policy::Search, Policy::Predict, Policy::Verify];

    pub fn name(self) -> &'static str {
        match self {
            Policy::Search => "search",
            Policy::Predict => "predict",
            Policy::Verify => "verify",
        }
    }

    pub fn from_name(s: &str) -> Option<Policy> {
        Policy::ALL.into_iter().find(|p| p.name() == s)
    }
}

/// `quality=auto[:target][:policy]`, resolved: the target on the SSIMULACRA2 scale and the
/// policy that reaches it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Auto {
    pub target: u8,
    pub policy: Policy,
}

impl Default for Auto {
    fn default() -> Self {
        Auto {
            target: DEFAULT_TARGET,
            policy: DEFAULT_POLICY,
        }
    }
}

impl Auto {
    /// Parses what follows `auto` in `quality=auto:...`: up to one target (a score 1..=100 or a
    /// level name) and up to one policy name, in that order, each after a colon.
    pub fn parse(rest: &str) -> Result<Auto> {
        let bad = || {
            Error::bad_option(
                "quality",
                &format!("auto{rest}"),
                "auto, auto:TARGET, auto:POLICY or auto:TARGET:POLICY, with TARGET a SSIMULACRA2 score 1-100 or high, medium-high, medium-low, low and POLICY one of search, predict, verify",
            )
        };
        let mut auto = Auto::default();
        if rest.is_empty() {
            return Ok(auto);
        }
        let parts: Vec<&str> = rest.strip_prefix(':').ok_or_else(bad)?.split(':').collect();
        let (target, policy) = match parts.as_slice() {
            [one] if Policy::from_name(one).is_some() => (None, Some(*one)),
            [one] => (Some(*one), None),
            [t, p] => (Some(*t), Some(*p)),
            _ => return Err(bad()),
        };
        if let Some(t) = target {
            auto.target = NAMED_TARGETS
                .iter()
                .find(|(n, _)| *n == t)
                .map(|&(_, v)| v)
                .or_else(|| t.parse::<u8>().ok().filter(|v| (1..=100).contains(v)))
                .ok_or_else(bad)?;
        }
        if let Some(p) = policy {
            auto.policy = Policy::from_name(p).ok_or_else(bad)?;
        }
        Ok(auto)
    }

    /// Cloudflare's named level `name` (`high`, ...) as a target with the default policy.
    pub fn level(name: &str) -> Option<Auto> {
        NAMED_TARGETS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|&(_, target)| Auto {
                target,
                policy: DEFAULT_POLICY,
            })
    }

    /// The fixed encoder setting that stands for this target where no policy runs (outputs
    /// other than JPEG and WebP): the settings the named levels had before they became targets
    /// (high 90, medium-high 82, medium-low 70, low 55), linear between them.
    pub fn fixed_fallback(&self) -> u8 {
        const AT: [(f64, f64); 4] = [(50.0, 55.0), (60.0, 70.0), (70.0, 82.0), (80.0, 90.0)];
        let t = self.target as f64;
        let q = match AT.iter().position(|&(at, _)| t <= at) {
            Some(0) => AT[0].1 * t / AT[0].0,
            Some(i) => {
                let ((t0, q0), (t1, q1)) = (AT[i - 1], AT[i]);
                q0 + (t - t0) / (t1 - t0) * (q1 - q0)
            }
            None => 90.0 + (t - 80.0) / 20.0 * 10.0,
        };
        q.round().clamp(1.0, 100.0) as u8
    }

    /// The canonical value: `auto`, then the target and the policy where they differ from the
    /// defaults. Level names become numbers, so each meaning has one spelling (one cache key).
    pub fn canonical(&self) -> String {
        let mut s = String::from("auto");
        if self.target != DEFAULT_TARGET {
            s.push_str(&format!(":{}", self.target));
        }
        if self.policy != DEFAULT_POLICY {
            s.push(':');
            s.push_str(self.policy.name());
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_canonical_round_trip() {
        for (s, target, policy, canon) in [
            ("", 70, DEFAULT_POLICY, "auto"),
            (":70", 70, DEFAULT_POLICY, "auto"),
            (":medium-high", 70, DEFAULT_POLICY, "auto"),
            (":high", 80, DEFAULT_POLICY, "auto:80"),
            (":low:search", 50, Policy::Search, "auto:50:search"),
            (":predict", 70, Policy::Predict, "auto:predict"),
            (":85:verify", 85, Policy::Verify, "auto:85"),
        ] {
            let a = Auto::parse(s).unwrap();
            assert_eq!((a.target, a.policy), (target, policy), "{s}");
            assert_eq!(a.canonical(), canon, "{s}");
            let again = Auto::parse(canon.strip_prefix("auto").unwrap()).unwrap();
            assert_eq!(again, a);
        }
        for bad in [
            ":",
            ":0",
            ":101",
            ":best",
            ":70:fast",
            ":search:70",
            "x",
            ":70:search:1",
        ] {
            assert!(Auto::parse(bad).is_err(), "{bad}");
        }
    }
}
