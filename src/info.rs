//! The metadata document behind `format=json`, `edgepix info` and the npm `inspect()`.
//! The top level is exactly Cloudflare's documented shape (`width`, `height` of the output,
//! `original` with `file_size`, `width`, `height`, `format`), so code written against Cloudflare
//! reads it unchanged; edgepix's own facts (the probed input as stored, the output's quality)
//! live under the one key `edgepix`, which Cloudflare's document does not use.

use crate::plan::Plan;
use crate::probe::Probe;

pub fn json(probe: &Probe, output: Option<(&Plan, u32, u32)>) -> String {
    let (dw, dh) = probe.display_size();
    let mut v = serde_json::json!({
        "width": dw,
        "height": dh,
        "original": {
            "file_size": probe.bytes,
            "width": dw,
            "height": dh,
            "format": probe.format.mime(),
        },
        "edgepix": { "input": probe },
    });
    if let Some((plan, w, h)) = output {
        v["width"] = w.into();
        v["height"] = h.into();
        v["edgepix"]["output"] =
            serde_json::json!({ "width": w, "height": h, "quality": plan.quality });
    }
    v.to_string()
}
