//! CSS colours for `background`, `border.color` and `trim.border.color`: hex (3, 4, 6 and 8
//! digits), `rgb()`/`rgba()` in the comma, space and slash forms, `hsl()`/`hsla()`, `hwb()`, the
//! 148 named colours and `transparent` (CSS Color Module Level 4).

use super::named_colors::NAMED_COLORS;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgba {
    pub r: u8,
    pub g: u8,
    pub b: u8,
    pub a: u8,
}

impl Rgba {
    pub const WHITE: Rgba = Rgba {
        r: 255,
        g: 255,
        b: 255,
        a: 255,
    };
    pub const BLACK: Rgba = Rgba {
        r: 0,
        g: 0,
        b: 0,
        a: 255,
    };
    pub const TRANSPARENT: Rgba = Rgba {
        r: 0,
        g: 0,
        b: 0,
        a: 0,
    };

    /// Canonical form used in cache keys: `#rrggbb`, or `#rrggbbaa` when not opaque.
    pub fn to_hex(self) -> String {
        if self.a == 255 {
            format!("#{:02x}{:02x}{:02x}", self.r, self.g, self.b)
        } else {
            format!("#{:02x}{:02x}{:02x}{:02x}", self.r, self.g, self.b, self.a)
        }
    }

    pub fn parse_css(input: &str) -> Option<Rgba> {
        let s = input.trim().to_ascii_lowercase();
        if let Some(hex) = s.strip_prefix('#') {
            return parse_hex(hex);
        }
        if let Some((name, rest)) = s.split_once('(') {
            let args = Args::split(rest.strip_suffix(')')?)?;
            return match name.trim_end() {
                "rgb" | "rgba" => rgb_function(&args),
                "hsl" | "hsla" => hsl_function(&args),
                "hwb" => hwb_function(&args),
                _ => None,
            };
        }
        if s == "transparent" {
            return Some(Rgba::TRANSPARENT);
        }
        NAMED_COLORS
            .binary_search_by(|(name, _)| name.cmp(&s.as_str()))
            .ok()
            .map(|i| {
                let [r, g, b] = NAMED_COLORS[i].1;
                Rgba { r, g, b, a: 255 }
            })
    }
}

fn parse_hex(hex: &str) -> Option<Rgba> {
    if !hex.bytes().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let nibble = |i: usize| u8::from_str_radix(&hex[i..i + 1], 16).ok().map(|v| v * 17);
    let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
    match hex.len() {
        3 => Some(Rgba {
            r: nibble(0)?,
            g: nibble(1)?,
            b: nibble(2)?,
            a: 255,
        }),
        4 => Some(Rgba {
            r: nibble(0)?,
            g: nibble(1)?,
            b: nibble(2)?,
            a: nibble(3)?,
        }),
        6 => Some(Rgba {
            r: byte(0)?,
            g: byte(2)?,
            b: byte(4)?,
            a: 255,
        }),
        8 => Some(Rgba {
            r: byte(0)?,
            g: byte(2)?,
            b: byte(4)?,
            a: byte(6)?,
        }),
        _ => None,
    }
}

/// The three components and the optional alpha of a colour function, in either syntax:
/// legacy `a, b, c[, alpha]` or modern `a b c[ / alpha]` (never a mix of the two).
struct Args<'a> {
    parts: [&'a str; 3],
    alpha: Option<&'a str>,
}

impl<'a> Args<'a> {
    fn split(body: &'a str) -> Option<Args<'a>> {
        let (parts, alpha): (Vec<&str>, Option<&str>) = if body.contains(',') {
            if body.contains('/') {
                return None;
            }
            let v: Vec<&str> = body.split(',').map(str::trim).collect();
            match v.len() {
                3 => (v, None),
                4 => (v[..3].to_vec(), Some(v[3])),
                _ => return None,
            }
        } else {
            let (main, alpha) = match body.split_once('/') {
                Some((m, a)) => (m, Some(a.trim())),
                None => (body, None),
            };
            (main.split_whitespace().collect(), alpha)
        };
        let parts: [&str; 3] = parts.try_into().ok()?;
        if parts.iter().chain(alpha.iter()).any(|p| p.is_empty()) {
            return None;
        }
        Some(Args { parts, alpha })
    }

    fn alpha(&self) -> Option<u8> {
        match self.alpha {
            None => Some(255),
            Some(a) => {
                let v = match a.strip_suffix('%') {
                    Some(pct) => number(pct)? / 100.0,
                    None => number(a)?,
                };
                (0.0..=1.0).contains(&v).then(|| (v * 255.0).round() as u8)
            }
        }
    }
}

/// A finite CSS number (`parse` alone would take `inf` and `NaN`).
fn number(s: &str) -> Option<f64> {
    s.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// A percentage (`50%`) or, in the modern syntax, the bare number it stands for, as 0..=1.
fn unit_fraction(s: &str) -> Option<f64> {
    let v = number(s.strip_suffix('%').unwrap_or(s))? / 100.0;
    (0.0..=1.0).contains(&v).then_some(v)
}

/// A hue in degrees: a number or an angle with a unit.
fn hue(s: &str) -> Option<f64> {
    let (v, per_turn) = if let Some(v) = s.strip_suffix("deg") {
        (v, 360.0)
    } else if let Some(v) = s.strip_suffix("grad") {
        (v, 400.0)
    } else if let Some(v) = s.strip_suffix("rad") {
        (v, std::f64::consts::TAU)
    } else if let Some(v) = s.strip_suffix("turn") {
        (v, 1.0)
    } else {
        (s, 360.0)
    };
    Some((number(v)? / per_turn * 360.0).rem_euclid(360.0))
}

fn to_byte(v: f64) -> u8 {
    (v.clamp(0.0, 1.0) * 255.0).round() as u8
}

fn rgb_function(args: &Args) -> Option<Rgba> {
    let channel = |p: &str| -> Option<u8> {
        match p.strip_suffix('%') {
            Some(pct) => {
                let v = number(pct)?;
                (0.0..=100.0).contains(&v).then(|| to_byte(v / 100.0))
            }
            None => {
                let v = number(p)?;
                (0.0..=255.0).contains(&v).then(|| v.round() as u8)
            }
        }
    };
    let [r, g, b] = args.parts;
    Some(Rgba {
        r: channel(r)?,
        g: channel(g)?,
        b: channel(b)?,
        a: args.alpha()?,
    })
}

/// CSS Color 4 `hsl()` to sRGB, as the specification's sample code computes it.
fn hsl_to_rgb(h: f64, s: f64, l: f64) -> [f64; 3] {
    let f = |n: f64| {
        let k = (n + h / 30.0) % 12.0;
        let a = s * l.min(1.0 - l);
        l - a * (k - 3.0).min(9.0 - k).clamp(-1.0, 1.0)
    };
    [f(0.0), f(8.0), f(4.0)]
}

fn hsl_function(args: &Args) -> Option<Rgba> {
    let [h, s, l] = args.parts;
    let rgb = hsl_to_rgb(hue(h)?, unit_fraction(s)?, unit_fraction(l)?);
    Some(Rgba {
        r: to_byte(rgb[0]),
        g: to_byte(rgb[1]),
        b: to_byte(rgb[2]),
        a: args.alpha()?,
    })
}

fn hwb_function(args: &Args) -> Option<Rgba> {
    let [h, w, b] = args.parts;
    let (h, w, b) = (hue(h)?, unit_fraction(w)?, unit_fraction(b)?);
    let rgb = if w + b >= 1.0 {
        let grey = w / (w + b);
        [grey; 3]
    } else {
        hsl_to_rgb(h, 1.0, 0.5).map(|c| c * (1.0 - w - b) + w)
    };
    Some(Rgba {
        r: to_byte(rgb[0]),
        g: to_byte(rgb[1]),
        b: to_byte(rgb[2]),
        a: args.alpha()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rgba(r: u8, g: u8, b: u8, a: u8) -> Option<Rgba> {
        Some(Rgba { r, g, b, a })
    }

    #[test]
    fn css_forms() {
        let red = rgba(255, 0, 0, 255);
        for s in [
            "#f00",
            "#F00F",
            "#FF0000",
            "#ff0000ff",
            "red",
            "RED",
            "rgb(255, 0, 0)",
            "rgb(255 0 0)",
            "rgb(255 0 0 / 1)",
            "rgb(255 0 0 / 100%)",
            "rgba(255,0,0,1)",
            "rgb(100% 0% 0%)",
            "hsl(0, 100%, 50%)",
            "hsl(0 100% 50%)",
            "hsl(360deg 100 50)",
            "hsl(1turn 100% 50% / 1)",
            "hsla(0rad, 100%, 50%, 1)",
            "hsl(400grad 100% 50%)",
            "hwb(0 0% 0%)",
            "hwb(0 0 0 / 1)",
        ] {
            assert_eq!(Rgba::parse_css(s), red, "{s}");
        }
        assert_eq!(Rgba::parse_css("rgba(255,0,0,0.5)").unwrap().a, 128);
        assert_eq!(Rgba::parse_css("rgb(255 0 0 / 50%)").unwrap().a, 128);
        assert_eq!(Rgba::parse_css("#ff000080").unwrap().a, 128);
        // Cloudflare's own border example: four comma arguments in rgb()
        assert_eq!(Rgba::parse_css("rgb(0,0,0,0)"), rgba(0, 0, 0, 0));
        assert_eq!(Rgba::parse_css("transparent"), rgba(0, 0, 0, 0));
        assert_eq!(Rgba::parse_css("rebeccapurple"), rgba(102, 51, 153, 255));
        assert_eq!(
            Rgba::parse_css("lightgoldenrodyellow").map(|c| c.b),
            Some(210)
        );
        // values from the CSS Color 4 specification's examples
        assert_eq!(Rgba::parse_css("hsl(120 100% 25%)"), rgba(0, 128, 0, 255));
        assert_eq!(Rgba::parse_css("hsl(240, 100%, 50%)"), rgba(0, 0, 255, 255));
        assert_eq!(Rgba::parse_css("hsl(30 100% 50%)"), rgba(255, 128, 0, 255));
        assert_eq!(Rgba::parse_css("hwb(120 0% 50%)"), rgba(0, 128, 0, 255));
        assert_eq!(Rgba::parse_css("hwb(0 60% 60%)"), rgba(128, 128, 128, 255));
        assert_eq!(
            Rgba::parse_css("hwb(200 100% 0%)"),
            rgba(255, 255, 255, 255)
        );
    }

    #[test]
    fn malformed_colours_are_refused() {
        for s in [
            "#ggg",
            "#12345",
            "rgb(300,0,0)",
            "rgb(1,2)",
            "rgb(1 2 3 4)",
            "rgb(1, 2, 3 / 1)",
            "rgb(1,,2,3)",
            "rgb(1 2 3 / )",
            "rgb(1 2 3",
            "rgba(1,2,3,2)",
            "hsl(0, 120%, 50%)",
            "hsl(x 1 1)",
            "hsl(0 50% 50% / 2)",
            "hwb(0 -1% 0%)",
            "lab(50 0 0)",
            "rgb(inf 0 0)",
            "rgb(NaN 0 0)",
            "notacolor",
            "",
        ] {
            assert_eq!(Rgba::parse_css(s), None, "{s}");
        }
    }
}
