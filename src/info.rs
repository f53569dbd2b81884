//! The metadata document behind `format=json`, `edgepix info` and the npm `inspect()`.
//! It keeps Cloudflare's top-level shape (`width`, `height`, `original`) and adds ours.

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
        "input": probe,
    });
    if let Some((plan, w, h)) = output {
        v["width"] = w.into();
        v["height"] = h.into();
        v["output"] = serde_json::json!({ "width": w, "height": h, "quality": plan.quality });
    }
    v.to_string()
}
