//! Shared helpers for the engine-core integration tests: corpus access, decoding through the
//! engine, comparison metrics (max deviation, SSIM), FNV-1a and MD5 for the reference hashes.
#![allow(dead_code)]

pub mod counting;

use edgepix::pixels::{Layout, Raster};
use edgepix::{Accepts, Limits, Options, Output};
use std::path::{Path, PathBuf};

/// The shared corpus, relative to the repository root (never copied into the repo).
pub fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus")
}

pub fn path(rel: &str) -> PathBuf {
    corpus().join(rel)
}

pub fn read(rel: &str) -> Vec<u8> {
    let p = path(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
}

/// Every file under a corpus folder, sorted, as paths relative to the corpus.
pub fn files_under(rel: &str) -> Vec<String> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(&path(rel), &mut out);
    let root = corpus();
    let mut v: Vec<String> = out
        .iter()
        .map(|p| {
            p.strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    v.sort();
    v
}

/// `MANIFEST.tsv` rows as (path, class).
pub fn manifest() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(path("MANIFEST.tsv")).expect("MANIFEST.tsv");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    let pi = header.iter().position(|h| *h == "path").unwrap();
    let ci = header.iter().position(|h| *h == "class").unwrap();
    lines
        .filter(|l| !l.is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f[pi].to_string(), f[ci].to_string())
        })
        .collect()
}

/// Corpus paths whose MANIFEST.tsv class is `class` (valid, malformed or bomb).
pub fn files_of_class(class: &str) -> Vec<String> {
    manifest()
        .into_iter()
        .filter(|(_, c)| c == class)
        .map(|(p, _)| p)
        .collect()
}

fn clock() -> f64 {
    0.0
}

/// The full pipeline with default limits and a browser that accepts WebP.
pub fn transform(bytes: &[u8], opts: &str) -> edgepix::Result<Output> {
    let o = Options::parse(opts).expect("test options parse");
    edgepix::transform(bytes, &o, Accepts::default(), &Limits::default(), &clock)
}

pub fn transform_with(bytes: &[u8], o: &Options, limits: &Limits) -> edgepix::Result<Output> {
    edgepix::transform(bytes, o, Accepts::default(), limits, &clock)
}

/// Decode with the engine's decoders at full size (stored orientation, no colour management).
pub fn engine_decode(bytes: &[u8]) -> edgepix::Result<Raster> {
    let limits = Limits::default();
    let p = edgepix::probe(bytes, &limits)?;
    let d = edgepix::codecs::decode(bytes, &p, (p.width, p.height), &limits)?;
    Ok(d.raster)
}

/// Decode with the engine's decoders asking for at least `min` (JPEG shrink-on-load).
pub fn engine_decode_scaled(bytes: &[u8], min: (u32, u32)) -> edgepix::Result<Raster> {
    let limits = Limits::default();
    let p = edgepix::probe(bytes, &limits)?;
    let d = edgepix::codecs::decode(bytes, &p, min, &limits)?;
    Ok(d.raster)
}

/// Raster as RGBA8 (opaque alpha added for RGB).
pub fn to_rgba(r: &Raster) -> Vec<u8> {
    match r.layout {
        Layout::Rgba => r.data.clone(),
        Layout::Rgb => r
            .data
            .chunks_exact(3)
            .flat_map(|p| [p[0], p[1], p[2], 255])
            .collect(),
    }
}

pub fn to_rgb(r: &Raster) -> Vec<u8> {
    match r.layout {
        Layout::Rgb => r.data.clone(),
        Layout::Rgba => r
            .data
            .chunks_exact(4)
            .flat_map(|p| [p[0], p[1], p[2]])
            .collect(),
    }
}

/// Reference decode with the `image` crate (the reference decoder).
pub fn image_decode(bytes: &[u8]) -> image::DynamicImage {
    image::load_from_memory(bytes).expect("reference decode")
}

/// Largest absolute per-sample difference of two equally long buffers.
pub fn max_diff(a: &[u8], b: &[u8]) -> u8 {
    assert_eq!(a.len(), b.len(), "buffer lengths differ");
    a.iter()
        .zip(b)
        .map(|(x, y)| x.abs_diff(*y))
        .max()
        .unwrap_or(0)
}

pub fn mean_abs_diff(a: &[u8], b: &[u8]) -> f64 {
    assert_eq!(a.len(), b.len(), "buffer lengths differ");
    a.iter()
        .zip(b)
        .map(|(x, y)| x.abs_diff(*y) as u64)
        .sum::<u64>() as f64
        / a.len().max(1) as f64
}

/// Luma (BT.601) of interleaved RGB(A) with `c` channels.
pub fn luma(data: &[u8], c: usize) -> Vec<f64> {
    data.chunks_exact(c)
        .map(|p| 0.299 * p[0] as f64 + 0.587 * p[1] as f64 + 0.114 * p[2] as f64)
        .collect()
}

/// Mean SSIM over 8x8 windows with stride 4 on grey images of equal size (Wang et al. 2004,
/// constants K1 = 0.01, K2 = 0.03, L = 255).
pub fn ssim(a: &[f64], b: &[f64], w: usize, h: usize) -> f64 {
    assert_eq!(a.len(), w * h);
    assert_eq!(b.len(), w * h);
    const WIN: usize = 8;
    const STEP: usize = 4;
    let c1 = (0.01 * 255.0f64).powi(2);
    let c2 = (0.03 * 255.0f64).powi(2);
    let (mut total, mut n) = (0.0, 0usize);
    let mut y = 0;
    while y + WIN <= h {
        let mut x = 0;
        while x + WIN <= w {
            let (mut sa, mut sb, mut saa, mut sbb, mut sab) = (0.0, 0.0, 0.0, 0.0, 0.0);
            for yy in y..y + WIN {
                for xx in x..x + WIN {
                    let (va, vb) = (a[yy * w + xx], b[yy * w + xx]);
                    sa += va;
                    sb += vb;
                    saa += va * va;
                    sbb += vb * vb;
                    sab += va * vb;
                }
            }
            let k = (WIN * WIN) as f64;
            let (ma, mb) = (sa / k, sb / k);
            let va = saa / k - ma * ma;
            let vb = sbb / k - mb * mb;
            let cov = sab / k - ma * mb;
            total += ((2.0 * ma * mb + c1) * (2.0 * cov + c2))
                / ((ma * ma + mb * mb + c1) * (va + vb + c2));
            n += 1;
            x += STEP;
        }
        y += STEP;
    }
    assert!(n > 0, "image smaller than one SSIM window");
    total / n as f64
}

/// FNV-1a 32-bit.
pub fn fnv1a(data: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for &b in data {
        h ^= b as u32;
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// MD5 (RFC 1321) as lowercase hex; small enough to keep the dev-dependencies unchanged.
pub fn md5_hex(data: &[u8]) -> String {
    const S: [u32; 64] = [
        7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5,
        9, 14, 20, 5, 9, 14, 20, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10,
        15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
    ];
    const K: [u32; 64] = [
        0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613,
        0xfd469501, 0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193,
        0xa679438e, 0x49b40821, 0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d,
        0x02441453, 0xd8a1e681, 0xe7d3fbc8, 0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed,
        0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a, 0xfffa3942, 0x8771f681, 0x6d9d6122,
        0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70, 0x289b7ec6, 0xeaa127fa,
        0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665, 0xf4292244,
        0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
        0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb,
        0xeb86d391,
    ];
    let mut msg = data.to_vec();
    let bit_len = (data.len() as u64).wrapping_mul(8);
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&bit_len.to_le_bytes());
    let (mut a0, mut b0, mut c0, mut d0) =
        (0x67452301u32, 0xefcdab89u32, 0x98badcfeu32, 0x10325476u32);
    for chunk in msg.chunks_exact(64) {
        let m: Vec<u32> = chunk
            .chunks_exact(4)
            .map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]))
            .collect();
        let (mut a, mut b, mut c, mut d) = (a0, b0, c0, d0);
        for i in 0..64 {
            let (f, g) = match i / 16 {
                0 => ((b & c) | (!b & d), i),
                1 => ((d & b) | (!d & c), (5 * i + 1) % 16),
                2 => (b ^ c ^ d, (3 * i + 5) % 16),
                _ => (c ^ (b | !d), (7 * i) % 16),
            };
            let f2 = f.wrapping_add(a).wrapping_add(K[i]).wrapping_add(m[g]);
            a = d;
            d = c;
            c = b;
            b = b.wrapping_add(f2.rotate_left(S[i]));
        }
        a0 = a0.wrapping_add(a);
        b0 = b0.wrapping_add(b);
        c0 = c0.wrapping_add(c);
        d0 = d0.wrapping_add(d);
    }
    [a0, b0, c0, d0]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Independent resampling reference: separable Lanczos3 in f64 over interleaved 8-bit samples
/// with `c` channels, the kernel stretched by the scale factor when shrinking (as ImageMagick
/// and libvips do), weights renormalised where the support leaves the image. Written here so
/// quality measurements never use the resizer under test as their own yardstick.
pub fn lanczos3(src: &[u8], w: usize, h: usize, c: usize, tw: usize, th: usize) -> Vec<f64> {
    fn sinc(x: f64) -> f64 {
        if x.abs() < 1e-12 {
            1.0
        } else {
            let p = std::f64::consts::PI * x;
            p.sin() / p
        }
    }
    // for each output index: (first source index, weights)
    fn taps(n: usize, tn: usize) -> Vec<(usize, Vec<f64>)> {
        let scale = n as f64 / tn as f64;
        let stretch = scale.max(1.0);
        let support = 3.0 * stretch;
        (0..tn)
            .map(|o| {
                let centre = (o as f64 + 0.5) * scale - 0.5;
                let lo = ((centre - support).ceil().max(0.0)) as usize;
                let hi = ((centre + support).floor() as usize).min(n - 1);
                let mut ws: Vec<f64> = (lo..=hi)
                    .map(|i| {
                        let x = (i as f64 - centre) / stretch;
                        if x.abs() < 3.0 {
                            sinc(x) * sinc(x / 3.0)
                        } else {
                            0.0
                        }
                    })
                    .collect();
                let sum: f64 = ws.iter().sum();
                ws.iter_mut().for_each(|v| *v /= sum);
                (lo, ws)
            })
            .collect()
    }
    let (hx, vy) = (taps(w, tw), taps(h, th));
    let mut mid = vec![0.0f64; tw * h * c];
    for y in 0..h {
        let row = &src[y * w * c..(y + 1) * w * c];
        for (x, (lo, ws)) in hx.iter().enumerate() {
            for ch in 0..c {
                let mut s = 0.0;
                for (k, wgt) in ws.iter().enumerate() {
                    s += wgt * row[(lo + k) * c + ch] as f64;
                }
                mid[(y * tw + x) * c + ch] = s;
            }
        }
    }
    let mut out = vec![0.0f64; tw * th * c];
    for (y, (lo, ws)) in vy.iter().enumerate() {
        for x in 0..tw * c {
            let mut s = 0.0;
            for (k, wgt) in ws.iter().enumerate() {
                s += wgt * mid[(lo + k) * tw * c + x];
            }
            out[y * tw * c + x] = s.clamp(0.0, 255.0);
        }
    }
    out
}

/// Luma (BT.601) of interleaved f64 samples with `c` channels.
pub fn luma_f64(data: &[f64], c: usize) -> Vec<f64> {
    data.chunks_exact(c)
        .map(|p| 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2])
        .collect()
}

/// One RIFF (WebP) chunk: fourcc, little-endian size, payload, pad byte.
pub fn riff_chunk(kind: &[u8; 4], payload: &[u8]) -> Vec<u8> {
    let mut c = kind.to_vec();
    c.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    c.extend_from_slice(payload);
    if payload.len() & 1 == 1 {
        c.push(0);
    }
    c
}
