//! Events: one per answered image request, after the response is built, to the Analytics
//! Engine dataset `EDGEPIX_EVENTS` when bound, else as one log line (`wrangler dev`,
//! `wrangler tail`, Logpush). The schema lives in `crate::metrics`.

use super::config::{Config, EVENTS_BINDING};
use super::route::ImageRequest;
use crate::metrics::{self, Event};
use worker::{AnalyticsEngineDataPointBuilder, Env, Response};

/// What only the transform knows; a cached answer leaves it empty.
#[derive(Default)]
pub struct Outcome {
    pub bytes_in: u64,
    pub stages: Option<[f64; 3]>,
    pub width: u32,
    pub height: u32,
    pub quality: Option<f64>,
    pub policy: String,
    pub predicted_score: Option<f64>,
    pub measured_score: Option<f64>,
}

/// Builds the event of `resp` and writes it, if its unit is sampled.
pub fn emit(env: &Env, cfg: &Config, ir: &ImageRequest, resp: &Response, o: &Outcome) {
    let (kind, value) = &ir.unit;
    let unit = metrics::unit_hash(&cfg.metrics_salt, value);
    if !metrics::sampled(&unit, cfg.metrics_sample_rate) {
        return;
    }
    let h = resp.headers();
    let header = |n: &str| h.get(n).ok().flatten().unwrap_or_default();
    let status = resp.status_code();
    let resized = header("x-edgepix-resized");
    let error = resized
        .strip_prefix("err=")
        .map(str::to_string)
        .unwrap_or_default();
    let ct = header("content-type");
    let format = if error.is_empty() {
        ct.split(';')
            .next()
            .unwrap_or("")
            .rsplit('/')
            .next()
            .unwrap_or("")
            .to_string()
    } else {
        String::new()
    };
    let [decode_ms, resize_ms, encode_ms] = o.stages.unwrap_or_default();
    let e = Event {
        ts: js_sys::Date::now(),
        arms: ir.experiments.label(),
        unit,
        unit_kind: kind,
        status,
        cache: if error.is_empty() {
            header("x-edgepix-cache")
        } else {
            "ERROR".into()
        },
        error,
        format,
        bytes_in: o.bytes_in,
        bytes_out: header("content-length").parse().unwrap_or(0),
        width: o.width,
        height: o.height,
        decode_ms,
        resize_ms,
        encode_ms,
        quality: o.quality,
        policy: o.policy.clone(),
        predicted_score: o.predicted_score,
        measured_score: o.measured_score,
        sample_rate: cfg.metrics_sample_rate,
    };
    match env.analytics_engine(EVENTS_BINDING) {
        Ok(ds) if !ds.as_ref().is_undefined() => {
            let mut b = AnalyticsEngineDataPointBuilder::new().indexes([e.arms.as_str()]);
            for blob in e.blobs() {
                b = b.add_blob(blob.as_str());
            }
            let point = b.doubles(e.doubles().to_vec()).build();
            let _ = ds.write_data_point(&point);
        }
        _ => worker::console_log!("{}", e.to_log_line()),
    }
}
