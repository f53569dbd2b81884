//! The per-response event: what an experiment report and the drift check read back.
//!
//! One schema, two sinks. With a Workers Analytics Engine binding the event becomes one data
//! point (`index` = experiment label, `blobs` and `doubles` in the fixed order of
//! [`Event::BLOBS`] and [`Event::DOUBLES`]); without one (local `wrangler dev`) it is one JSON
//! line prefixed by [`Event::LOG_PREFIX`]. `scripts/experiment-report.mjs` reads both exports.
//!
//! Nothing in an event identifies a person or leaks a URL: the unit is a salted SHA-256 prefix
//! of the source key (image unit) or of the cookie/header value (user unit), and the source's
//! query string never reaches it.
//!
//! Sampling is by unit, not by request ([`sampled`]): a sampled unit reports every request, so
//! bootstrapping over units stays valid, and each event carries its `sample_rate` so the
//! report weights it by `1 / sample_rate`.

use serde::Serialize;
use sha2::{Digest, Sha256};

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Event {
    /// Milliseconds since the epoch.
    pub ts: f64,
    /// `exp=arm;exp2=arm2`, or empty outside every experiment.
    pub arms: String,
    /// Hash of the unit of assignment (16 hex digits).
    pub unit: String,
    /// `image` or `user`: which unit `unit` is.
    pub unit_kind: &'static str,
    /// HTTP status answered.
    pub status: u16,
    /// HIT, MISS, STALE, or ERROR.
    pub cache: String,
    /// Error code for an error answer, else empty.
    pub error: String,
    /// Output format (`jpeg`, `webp`, ...), empty for errors.
    pub format: String,
    /// Source bytes (0 when the variant came from a cache).
    pub bytes_in: u64,
    pub bytes_out: u64,
    pub width: u32,
    pub height: u32,
    /// Stage times in ms; 0 when this request did not run the transform.
    pub decode_ms: f64,
    pub resize_ms: f64,
    pub encode_ms: f64,
    /// The encoder quality used, when known.
    pub quality: Option<f64>,
    /// The quality policy that chose it (`fixed`, `auto`, ...).
    pub policy: String,
    /// The policy's predicted perceptual score, and the measured one when it verified.
    pub predicted_score: Option<f64>,
    pub measured_score: Option<f64>,
    /// The probability this event's unit was sampled (weight = 1 / sample_rate).
    pub sample_rate: f64,
}

impl Event {
    /// Prefix of the JSON log line, so a log export can be filtered with grep.
    pub const LOG_PREFIX: &'static str = "edgepix_event ";
    /// Analytics Engine blob order.
    pub const BLOBS: [&'static str; 8] = [
        "arms",
        "unit",
        "unit_kind",
        "cache",
        "error",
        "format",
        "policy",
        "version",
    ];
    /// Analytics Engine double order (`null` scores are written as -1).
    pub const DOUBLES: [&'static str; 13] = [
        "status",
        "bytes_in",
        "bytes_out",
        "width",
        "height",
        "decode_ms",
        "resize_ms",
        "encode_ms",
        "quality",
        "predicted_score",
        "measured_score",
        "sample_rate",
        "ts",
    ];

    pub fn to_log_line(&self) -> String {
        let mut v = serde_json::to_value(self).unwrap_or_default();
        if let Some(o) = v.as_object_mut() {
            o.insert("version".into(), crate::ENGINE_VERSION.into());
        }
        format!("{}{}", Self::LOG_PREFIX, v)
    }

    /// Blobs in [`Event::BLOBS`] order.
    pub fn blobs(&self) -> [String; 8] {
        [
            self.arms.clone(),
            self.unit.clone(),
            self.unit_kind.to_string(),
            self.cache.clone(),
            self.error.clone(),
            self.format.clone(),
            self.policy.clone(),
            crate::ENGINE_VERSION.to_string(),
        ]
    }

    /// Doubles in [`Event::DOUBLES`] order.
    pub fn doubles(&self) -> [f64; 13] {
        let opt = |x: Option<f64>| x.unwrap_or(-1.0);
        [
            self.status as f64,
            self.bytes_in as f64,
            self.bytes_out as f64,
            self.width as f64,
            self.height as f64,
            self.decode_ms,
            self.resize_ms,
            self.encode_ms,
            opt(self.quality),
            opt(self.predicted_score),
            opt(self.measured_score),
            self.sample_rate,
            self.ts,
        ]
    }
}

/// The unit's identity as it appears in events: 16 hex digits of SHA-256(salt, value).
pub fn unit_hash(salt: &str, value: &str) -> String {
    let mut h = Sha256::new();
    h.update(salt.as_bytes());
    h.update([0]);
    h.update(value.as_bytes());
    h.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether events of this unit are kept at `rate` (0..=1): the same answer for every request
/// of the unit, in every isolate.
pub fn sampled(unit_hash: &str, rate: f64) -> bool {
    rate >= 1.0 || crate::experiments::position("sample", unit_hash) < rate
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_is_present_and_typed_in_the_log_line() {
        let e = Event {
            ts: 1.0,
            arms: "q=auto".into(),
            unit: unit_hash("s", "https://a/b.jpg"),
            unit_kind: "image",
            status: 200,
            cache: "MISS".into(),
            format: "webp".into(),
            bytes_in: 10,
            bytes_out: 5,
            width: 3,
            height: 2,
            quality: Some(80.0),
            policy: "fixed".into(),
            sample_rate: 1.0,
            ..Default::default()
        };
        let line = e.to_log_line();
        let json: serde_json::Value =
            serde_json::from_str(line.strip_prefix(Event::LOG_PREFIX).unwrap()).unwrap();
        let o = json.as_object().unwrap();
        // every blob is a string, every double a number (the scores may be null); together
        // they name every key of the line, once
        let nullable = ["quality", "predicted_score", "measured_score"];
        for k in Event::BLOBS {
            assert!(o[k].is_string(), "{k}");
        }
        for k in Event::DOUBLES {
            assert!(
                o[k].is_number() || (nullable.contains(&k) && o[k].is_null()),
                "{k}"
            );
        }
        let mut names: Vec<&str> = Event::BLOBS
            .iter()
            .chain(&Event::DOUBLES)
            .copied()
            .collect();
        names.sort();
        names.dedup();
        let mut keys: Vec<&str> = o.keys().map(String::as_str).collect();
        keys.sort();
        assert_eq!(names, keys);
        assert_eq!(names.len(), Event::BLOBS.len() + Event::DOUBLES.len());
        assert_eq!(e.unit.len(), 16);
        assert!(!line.contains("a/b.jpg"));
    }

    #[test]
    fn sampling_is_by_unit_and_near_its_rate() {
        let kept = (0..20_000)
            .filter(|i| sampled(&unit_hash("s", &i.to_string()), 0.1))
            .count();
        assert!((kept as f64 / 20_000.0 - 0.1).abs() < 0.01, "{kept}");
        let u = unit_hash("s", "x");
        assert_eq!(sampled(&u, 0.3), sampled(&u, 0.3));
        assert!(sampled(&u, 1.0));
    }
}
