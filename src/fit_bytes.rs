//! `maxBytes`: transform so that the encoded output fits a byte budget.
//!
//! The search keeps the caller's geometry as long as it can and trades quality first:
//! 1. the requested options as given;
//! 2. for lossy outputs (JPEG, WebP), the highest quality in `MIN_QUALITY..requested` that fits;
//! 3. if even `MIN_QUALITY` is too big (or the output is lossless PNG), the largest output size
//!    that fits, at the lowest quality tried.
//!
//! When the output format is the input's format, the budget is also capped at the input's size:
//! a "make it fit" request never returns something larger than what it was given.
//! Both the npm package and the Worker can use this; it only calls [`crate::transform`].

use crate::error::{Error, ErrorCode, Result};
use crate::format::Accepts;
use crate::format::OutputFormat;
use crate::limits::Limits;
use crate::options::{Options, Quality};
use crate::pipeline::{guard, render, Clock, Output, Rendered, Timings};
use crate::resolve::Client;
use crate::steps::allowance::{self, Allowance};

/// Lowest quality the search goes to before it starts shrinking the image.
pub const MIN_QUALITY: u8 = 40;

// The search's attempts are bounded by `allowance::PER_FIT` encodes in all (quality=auto's
// checks inside an attempt included). Quality attempts only re-encode one rendered frame; size
// attempts decode and resize again (shrink-on-load makes the smaller ones cheap).

/// The effective budget for an output: `max_bytes`, capped at the input size when the format
/// does not change.
pub fn budget(max_bytes: usize, out: &Output) -> usize {
    if out.format.name() == out.input.format.name() {
        max_bytes.min(out.input.bytes)
    } else {
        max_bytes
    }
}

/// [`crate::transform`] with a byte budget. `max_bytes` must be at least 1.
pub fn transform_max_bytes(
    bytes: &[u8],
    opts: &Options,
    accepts: Accepts,
    limits: &Limits,
    clock: Clock,
    max_bytes: usize,
) -> Result<Output> {
    if max_bytes == 0 {
        return Err(Error::bad_option(
            "maxBytes",
            "0",
            "a positive number of bytes",
        ));
    }
    guard(|| search(bytes, opts, accepts, limits, clock, max_bytes))
}

fn search(
    bytes: &[u8],
    opts: &Options,
    accepts: Accepts,
    limits: &Limits,
    clock: Clock,
    max_bytes: usize,
) -> Result<Output> {
    let allowance = Allowance::new(allowance::PER_FIT);
    // The returned timings are the sum over all attempts: what the search really cost.
    let spent = std::cell::Cell::new(Timings::default());
    let add = |t: Timings| {
        let s = spent.get();
        spent.set(Timings {
            decode: s.decode + t.decode,
            resize: s.resize + t.resize,
            encode: s.encode + t.encode,
        });
    };
    // Render (decode + resize) and encode at the options' own quality.
    let run = |o: &Options| match render(bytes, &o.resolve(&Client::new(accepts)), limits, clock)? {
        Rendered::Metadata(out) | Rendered::Animation(out) => {
            allowance.take();
            Ok::<_, Error>((None, out))
        }
        Rendered::Frame(frame) => {
            let out = crate::quality::encode_within(&frame, bytes, clock, &allowance)?;
            add(out.timings);
            Ok((Some(frame), out))
        }
    };
    let done = |mut out: Output, note: Option<&'static str>| {
        out.timings = spent.get();
        out.encodes = allowance.spent();
        out.notes.extend(note);
        Ok(out)
    };
    let (frame, first) = run(opts)?;
    if first.format == OutputFormat::Json {
        return Ok(first);
    }
    let limit = budget(max_bytes, &first);
    if first.bytes.len() <= limit {
        return done(first, None);
    }

    let lossy = first.format.quality_search();
    let requested_q = opts.effective_quality();
    let mut base = opts.clone();
    match frame {
        Some(frame) if lossy && requested_q > MIN_QUALITY => {
            // Highest quality in [MIN_QUALITY, requested_q) that fits: binary search, since size
            // grows with quality.
            let (mut lo, mut hi) = (MIN_QUALITY, requested_q - 1);
            let mut best: Option<Output> = None;
            while lo <= hi && allowance.take() {
                let mid = lo + (hi - lo) / 2;
                let out = frame.encode(mid, clock)?;
                add(Timings {
                    encode: out.timings.encode,
                    ..Timings::default()
                });
                if out.bytes.len() <= limit {
                    best = Some(out);
                    lo = mid + 1;
                } else if mid == MIN_QUALITY {
                    break;
                } else {
                    hi = mid - 1;
                }
            }
            if let Some(out) = best {
                return done(out, Some("maxBytes: quality lowered to fit"));
            }
            base.quality = Some(Quality::Value(MIN_QUALITY));
        }
        // An animation: each quality tried would encode every frame again, so it goes straight
        // to the lowest quality and the size search.
        None if lossy => base.quality = Some(Quality::Value(MIN_QUALITY)),
        // The frame was rendered at the requested size; smaller ones are rendered anew.
        _ => {}
    }

    // Shrink: the largest width (height follows the output's aspect) that fits.
    let (w0, h0) = (first.width, first.height);
    let sized = |w: u32| {
        let mut o = base.clone();
        o.dpr = None;
        let h = ((h0 as f64) * (w as f64) / (w0 as f64)).round().max(1.0) as u32;
        o.width = Some(w);
        o.height = Some(h);
        o
    };
    let mut smallest = first;
    // Bytes scale roughly with the pixel count; start from that estimate.
    let mut lo = 1u32;
    let mut hi = w0.saturating_sub(1);
    let mut best: Option<Output> = None;
    let mut guess = {
        let ratio = limit as f64 / smallest.bytes.len().max(1) as f64;
        ((w0 as f64) * ratio.sqrt() * 0.95).floor() as u32
    };
    while lo <= hi && allowance.left() > 0 {
        let w = guess.clamp(lo, hi);
        let (_, out) = run(&sized(w))?;
        if out.bytes.len() <= limit {
            lo = w + 1;
            best = Some(out);
            // Close in from below: the next try is midway to the upper bound.
            guess = lo + (hi.saturating_sub(lo)) / 2;
        } else {
            hi = w - 1;
            if out.bytes.len() < smallest.bytes.len() {
                smallest = out;
            }
            guess = lo + (hi.saturating_sub(lo)) / 2;
        }
        if hi < lo || (best.is_some() && hi - lo < w0 / 100) {
            break;
        }
    }
    let Some(best) = best else {
        return Err(Error::new(
            ErrorCode::OutputTooLarge,
            format!(
                "cannot fit the image in maxBytes={max_bytes} (effective limit {limit} bytes); the smallest output tried was {} bytes",
                smallest.bytes.len()
            ),
        ));
    };
    done(best, Some("maxBytes: size reduced to fit"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::transform;

    fn clock() -> f64 {
        0.0
    }

    /// A noisy RGB PNG, so encoded sizes depend on quality and size.
    fn noisy_png(w: u32, h: u32) -> Vec<u8> {
        let mut data = Vec::with_capacity((w * h * 3) as usize);
        let mut s: u32 = 12345;
        for y in 0..h {
            for x in 0..w {
                s = s.wrapping_mul(1_103_515_245).wrapping_add(12345);
                let n = (s >> 24) as u8 / 4;
                data.push(((x * 255 / w) as u8).wrapping_add(n));
                data.push(((y * 255 / h) as u8).wrapping_add(n));
                data.push(n.wrapping_mul(3));
            }
        }
        let mut out = Vec::new();
        {
            let mut enc = png::Encoder::new(&mut out, w, h);
            enc.set_color(png::ColorType::Rgb);
            enc.set_depth(png::BitDepth::Eight);
            let mut wr = enc.write_header().unwrap();
            wr.write_image_data(&data).unwrap();
        }
        out
    }

    fn run(input: &[u8], opts: &str, max: usize) -> Result<Output> {
        let o = Options::parse(opts).unwrap();
        transform_max_bytes(
            input,
            &o,
            Accepts::default(),
            &Limits::default(),
            &clock,
            max,
        )
    }

    #[test]
    fn fits_without_changes_when_small_enough() {
        let png = noisy_png(64, 48);
        let plain = transform(
            &png,
            &Options::parse("format=jpeg").unwrap(),
            Accepts::default(),
            &Limits::default(),
            &clock,
        )
        .unwrap();
        let out = run(&png, "format=jpeg", 10_000_000).unwrap();
        assert_eq!(out.bytes, plain.bytes);
        assert_eq!((out.width, out.height), (64, 48));
    }

    #[test]
    fn lowers_quality_before_size() {
        let png = noisy_png(256, 192);
        let full = run(&png, "format=jpeg,quality=95", usize::MAX).unwrap();
        let low = run(&png, "format=jpeg,quality=40", usize::MAX).unwrap();
        assert!(low.bytes.len() < full.bytes.len());
        let max = (full.bytes.len() + low.bytes.len()) / 2;
        let out = run(&png, "format=jpeg,quality=95", max).unwrap();
        assert!(out.bytes.len() <= max);
        assert_eq!((out.width, out.height), (256, 192), "size kept");
        assert!(out.notes.contains(&"maxBytes: quality lowered to fit"));
    }

    #[test]
    fn shrinks_when_quality_is_not_enough() {
        let png = noisy_png(256, 192);
        let low = run(&png, "format=jpeg,quality=40", usize::MAX).unwrap();
        let max = low.bytes.len() / 3;
        let out = run(&png, "format=jpeg", max).unwrap();
        assert!(out.bytes.len() <= max, "{} > {max}", out.bytes.len());
        assert!(out.width < 256 && out.width > 32, "width {}", out.width);
        assert!(out.notes.contains(&"maxBytes: size reduced to fit"));
        // aspect kept
        let aspect = out.width as f64 / out.height as f64;
        assert!((aspect - 256.0 / 192.0).abs() < 0.05, "aspect {aspect}");
    }

    #[test]
    fn lossless_png_shrinks() {
        let png = noisy_png(200, 100);
        let max = png.len() / 2;
        let out = run(&png, "", max).unwrap();
        assert_eq!(out.format, OutputFormat::Png);
        assert!(out.bytes.len() <= max);
        assert!(out.width < 200);
    }

    #[test]
    fn never_larger_than_input_for_same_format() {
        // A small JPEG re-encoded at quality 100 grows; the budget is capped at the input size.
        let png = noisy_png(128, 96);
        let jpeg = run(&png, "format=jpeg,quality=50", usize::MAX)
            .unwrap()
            .bytes;
        let out = run(&jpeg, "quality=100", usize::MAX - 1).unwrap();
        assert!(
            out.bytes.len() <= jpeg.len(),
            "{} > {}",
            out.bytes.len(),
            jpeg.len()
        );
    }

    #[test]
    fn impossible_budget_is_an_error() {
        let png = noisy_png(64, 64);
        let err = run(&png, "format=jpeg", 10).unwrap_err();
        assert_eq!(err.code, ErrorCode::OutputTooLarge);
        assert!(err.message.contains("maxBytes"));
        assert_eq!(run(&png, "", 0).unwrap_err().code, ErrorCode::BadOption);
    }
}
