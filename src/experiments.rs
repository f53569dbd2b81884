//! A/B experiments: deterministic assignment of a unit (an image or a user) to an arm.
//!
//! Declared in configuration (the Worker's `EXPERIMENTS` var, JSON):
//!
//! ```json
//! [{"id": "q-auto", "share": 0.2, "unit": "image",
//!   "arms": [{"name": "control"}, {"name": "auto", "options": "quality=auto"}]}]
//! ```
//!
//! A unit is in the experiment when `hash(id, unit) < share`, and then in the arm its position
//! within the share falls on (arms split the share by `weight`, equal by default). The hash is
//! FNV-1a 64 of `id ":" unit` finished with splitmix64's mixer, so assignment needs no state,
//! is the same in every isolate and location, and two experiments are independent.
//!
//! The unit decides what an experiment can measure (docs/QUALITY.md, "Experiments"):
//! * `image` (the source's identity): every viewer of one image gets the same arm, so the
//!   cache stays shared per arm; it measures bytes, CPU and quality per image;
//! * `user` (a cookie or a header the site sets): needed for page-level outcomes (a user sees
//!   one arm everywhere); responses then vary by that cookie or header, so shared caches keep
//!   arms apart, at the cost of cache efficiency.

use crate::error::{Error, ErrorCode, Result};
use crate::options::Options;
use serde::Deserialize;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UnitKind {
    Image,
    User,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Arm {
    pub name: String,
    pub weight: f64,
    /// Option overrides in the URL form (`quality=auto`), applied over the request's options.
    pub options: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Experiment {
    pub id: String,
    /// Fraction of units in the experiment, 0..=1.
    pub share: f64,
    pub unit: UnitKind,
    /// For `user`: `cookie:<name>` or `header:<name>`.
    pub user_key: Option<String>,
    pub arms: Vec<Arm>,
}

#[derive(Deserialize)]
struct RawArm {
    name: String,
    #[serde(default)]
    weight: Option<f64>,
    #[serde(default)]
    options: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct RawExperiment {
    id: String,
    share: f64,
    unit: UnitKind,
    #[serde(default)]
    user_key: Option<String>,
    arms: Vec<RawArm>,
}

/// Parses and checks the configuration: ids and arm names, shares, overrides that parse.
pub fn parse(json: &str) -> Result<Vec<Experiment>> {
    let bad = |m: String| Error::new(ErrorCode::BadOption, format!("EXPERIMENTS: {m}"));
    let raw: Vec<RawExperiment> = serde_json::from_str(json).map_err(|e| bad(e.to_string()))?;
    let mut out = Vec::new();
    for e in raw {
        if !is_name(&e.id) || e.arms.is_empty() || !(0.0..=1.0).contains(&e.share) {
            return Err(bad(format!(
                "{:?}: needs an id of letters, digits, '-', '_' or '.', arms and a share in 0..1",
                e.id
            )));
        }
        if e.unit == UnitKind::User
            && !e
                .user_key
                .as_deref()
                .is_some_and(|k| k.starts_with("cookie:") || k.starts_with("header:"))
        {
            return Err(bad(format!(
                "{}: a user unit needs user_key \"cookie:<name>\" or \"header:<name>\"",
                e.id
            )));
        }
        let mut arms = Vec::new();
        for a in e.arms {
            let options = match a.options {
                None => String::new(),
                Some(serde_json::Value::String(s)) => s,
                Some(v) => Options::from_json(&v)
                    .map_err(|x| bad(format!("{}/{}: {}", e.id, a.name, x.message)))?
                    .canonical(),
            };
            // the overrides must parse on their own
            Options::parse(&options)
                .map_err(|x| bad(format!("{}/{}: {}", e.id, a.name, x.message)))?;
            let weight = a.weight.unwrap_or(1.0);
            if !weight.is_finite() || weight <= 0.0 || !is_name(&a.name) {
                return Err(bad(format!(
                    "{}: every arm needs a name of letters, digits, '-', '_' or '.' and a positive weight",
                    e.id
                )));
            }
            arms.push(Arm {
                name: a.name,
                weight,
                options,
            });
        }
        out.push(Experiment {
            id: e.id,
            share: e.share,
            unit: e.unit,
            user_key: e.user_key,
            arms,
        });
    }
    Ok(out)
}

/// Ids and arm names travel in a header, a cache key and events: keep them plain.
fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// A position in [0, 1) for `unit` in experiment `id`.
pub fn position(id: &str, unit: &str) -> f64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.bytes().chain([b':']).chain(unit.bytes()) {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    // splitmix64's finaliser: FNV alone is weak in its high bits for short keys
    h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^= h >> 31;
    (h >> 11) as f64 / (1u64 << 53) as f64
}

impl Experiment {
    /// The arm `unit` falls in, or None when it is outside the experiment's share.
    pub fn arm_for(&self, unit: &str) -> Option<&Arm> {
        let p = position(&self.id, unit);
        if p >= self.share {
            return None;
        }
        let total: f64 = self.arms.iter().map(|a| a.weight).sum();
        let mut at = p / self.share * total;
        for a in &self.arms {
            if at < a.weight {
                return Some(a);
            }
            at -= a.weight;
        }
        self.arms.last()
    }
}

/// What the experiments decided for one request.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Assignment {
    /// `(experiment id, arm name)` for every experiment the request is in.
    pub arms: Vec<(String, String)>,
    /// The request's options with every arm's overrides applied, in configuration order (a
    /// later experiment's override of the same option wins).
    pub options: Options,
    /// Request headers a per-user arm was read from (`Cookie`, or the configured header):
    /// the answer must vary on them and stay out of shared caches.
    pub vary: Vec<String>,
}

impl Assignment {
    /// `exp=arm;exp2=arm2`: the `x-edgepix-arm` header, the cache-key part and the event field.
    pub fn label(&self) -> String {
        self.arms
            .iter()
            .map(|(e, a)| format!("{e}={a}"))
            .collect::<Vec<_>>()
            .join(";")
    }
}

/// Places a request in its experiments. `image_unit` is the source's identity; `lookup` reads
/// a user key (`cookie:<name>` or `header:<name>`) from the request. A request without the
/// user key is outside that experiment (it is served as if no experiment ran).
pub fn assign(
    experiments: &[Experiment],
    options: &Options,
    image_unit: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<Assignment> {
    let mut out = Assignment {
        options: options.clone(),
        ..Default::default()
    };
    for e in experiments {
        let unit = match e.unit {
            UnitKind::Image => Some(image_unit.to_string()),
            UnitKind::User => e.user_key.as_deref().and_then(lookup),
        };
        let Some(unit) = unit.filter(|u| !u.is_empty()) else {
            continue;
        };
        let Some(arm) = e.arm_for(&unit) else {
            continue;
        };
        out.options = out.options.with_overrides(&arm.options)?;
        out.arms.push((e.id.clone(), arm.name.clone()));
        if let Some(key) = e.user_key.as_deref().filter(|_| e.unit == UnitKind::User) {
            let header = match key.split_once(':') {
                Some(("cookie", _)) => "Cookie".to_string(),
                Some((_, name)) => name.to_string(),
                None => continue,
            };
            if !out.vary.contains(&header) {
                out.vary.push(header);
            }
        }
    }
    Ok(out)
}

/// The value of `cookie:<name>` or `header:<name>` given a header getter.
pub fn read_user_key(key: &str, header: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    match key.split_once(':')? {
        ("cookie", name) => header("cookie")?.split(';').find_map(|c| {
            let (k, v) = c.trim().split_once('=')?;
            (k == name).then(|| v.to_string())
        }),
        ("header", name) => header(name),
        _ => None,
    }
}

impl Options {
    /// These options with `overrides` (URL form) applied: an override replaces the option of
    /// the same name, the others are kept.
    pub fn with_overrides(&self, overrides: &str) -> Result<Options> {
        if overrides.trim().is_empty() {
            return Ok(self.clone());
        }
        let over = Options::parse(overrides)?.canonical();
        let names: Vec<&str> = over
            .split(',')
            .filter_map(|kv| kv.split_once('=').map(|(k, _)| k))
            .collect();
        let base = self.canonical();
        let mut parts: Vec<&str> = split_pairs(&base)
            .into_iter()
            .filter(|kv| kv.split_once('=').is_none_or(|(k, _)| !names.contains(&k)))
            .collect();
        parts.extend(split_pairs(&over));
        Options::parse(&parts.join(","))
    }
}

/// Canonical `k=v` pairs; values such as `rgb(1,2,3)` keep their commas.
fn split_pairs(s: &str) -> Vec<&str> {
    let (mut out, mut depth, mut start) = (Vec::new(), 0usize, 0);
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if start < s.len() {
        out.push(&s[start..]);
    }
    out.retain(|p| !p.is_empty());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exp(share: f64, weights: &[f64]) -> Experiment {
        Experiment {
            id: "exp-1".into(),
            share,
            unit: UnitKind::Image,
            user_key: None,
            arms: weights
                .iter()
                .enumerate()
                .map(|(i, &w)| Arm {
                    name: format!("arm{i}"),
                    weight: w,
                    options: String::new(),
                })
                .collect(),
        }
    }

    #[test]
    fn assignment_splits_100000_keys_within_one_point_of_each_share() {
        for (share, weights) in [
            (1.0, vec![1.0, 1.0]),
            (0.2, vec![1.0, 3.0]),
            (0.5, vec![1.0, 1.0, 2.0]),
        ] {
            let e = exp(share, &weights);
            let total: f64 = weights.iter().sum();
            let mut counts = vec![0usize; weights.len()];
            let mut outside = 0usize;
            for i in 0..100_000 {
                let key = format!("https://img.example.com/photos/{i}.jpg");
                match e.arm_for(&key) {
                    Some(a) => counts[a.name[3..].parse::<usize>().unwrap()] += 1,
                    None => outside += 1,
                }
            }
            let frac = |n: usize| n as f64 / 100_000.0;
            assert!(
                (frac(outside) - (1.0 - share)).abs() < 0.01,
                "outside {}",
                frac(outside)
            );
            for (i, w) in weights.iter().enumerate() {
                let want = share * w / total;
                assert!(
                    (frac(counts[i]) - want).abs() < 0.01,
                    "{share} {weights:?} arm {i}: {} vs {want}",
                    frac(counts[i])
                );
            }
        }
    }

    #[test]
    fn assignment_is_deterministic_and_independent_between_experiments() {
        let a = exp(0.5, &[1.0, 1.0]);
        let mut b = a.clone();
        b.id = "exp-2".into();
        let k = "https://img.example.com/a.jpg";
        assert_eq!(a.arm_for(k), a.arm_for(k));
        // independence: over many keys, being in arm0 of a says nothing about b
        let (mut both, mut in_a) = (0, 0);
        for i in 0..20_000 {
            let key = format!("k{i}");
            if a.arm_for(&key).is_some_and(|x| x.name == "arm0") {
                in_a += 1;
                if b.arm_for(&key).is_some_and(|x| x.name == "arm0") {
                    both += 1;
                }
            }
        }
        let p = both as f64 / in_a as f64;
        assert!((p - 0.25).abs() < 0.03, "{p}");
    }

    #[test]
    fn overrides_replace_options_of_the_same_name() {
        let o = Options::parse("width=640,quality=85,format=auto").unwrap();
        let m = o.with_overrides("q=60").unwrap();
        assert_eq!(
            m.canonical(),
            Options::parse("width=640,quality=60,format=auto")
                .unwrap()
                .canonical()
        );
        let bg = Options::parse("background=rgb(1,2,3),width=5").unwrap();
        assert_eq!(bg.with_overrides("width=6").unwrap().width, Some(6));
        let parsed = parse(r#"[{"id":"x","share":0.5,"unit":"image","arms":[{"name":"a"},{"name":"b","options":{"quality":60}}]}]"#).unwrap();
        assert_eq!(parsed[0].arms[1].options, "quality=60");
        assert!(parse(r#"[{"id":"x","share":0.5,"unit":"user","arms":[{"name":"a"}]}]"#).is_err());
    }

    #[test]
    fn assign_applies_overrides_and_names_the_headers_a_user_arm_varies_on() {
        let exps = parse(
            r#"[{"id":"q","share":1,"unit":"image","arms":[{"name":"auto","options":"quality=low"}]},
                {"id":"u","share":1,"unit":"user","user_key":"cookie:uid","arms":[{"name":"lo","options":"quality=40"}]}]"#,
        )
        .unwrap();
        let o = Options::parse("width=300").unwrap();
        let cookie = |h: &str| (h == "cookie").then(|| "a=1; uid=42".to_string());
        let lookup = |k: &str| read_user_key(k, &cookie);
        let a = assign(&exps, &o, "https://x/y.jpg", &lookup).unwrap();
        assert_eq!(a.label(), "q=auto;u=lo");
        assert_eq!(a.vary, vec!["Cookie".to_string()]);
        // the later experiment's override wins
        assert_eq!(
            a.options.canonical(),
            Options::parse("width=300,quality=40").unwrap().canonical()
        );
        // without the cookie the user experiment does not apply
        let none = |_: &str| None;
        let b = assign(&exps, &o, "https://x/y.jpg", &none).unwrap();
        assert_eq!(b.label(), "q=auto");
        assert!(b.vary.is_empty());
    }
}
