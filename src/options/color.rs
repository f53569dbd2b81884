//! CSS colours for `background`: hex forms, rgb()/rgba(), and the named colours.

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
        if let Some(args) = s.strip_prefix("rgba(").or_else(|| s.strip_prefix("rgb(")) {
            return parse_rgb_function(args.strip_suffix(')')?);
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

fn parse_rgb_function(args: &str) -> Option<Rgba> {
    // Both the legacy comma syntax and the modern space/slash syntax.
    let normalized = args.replace(['/', ','], " ");
    let parts: Vec<&str> = normalized.split_whitespace().collect();
    if parts.len() != 3 && parts.len() != 4 {
        return None;
    }
    let channel = |p: &str| -> Option<u8> {
        if let Some(pct) = p.strip_suffix('%') {
            let v: f32 = pct.parse().ok()?;
            (0.0..=100.0).contains(&v).then(|| (v * 2.55).round() as u8)
        } else {
            let v: f32 = p.parse().ok()?;
            (0.0..=255.0).contains(&v).then(|| v.round() as u8)
        }
    };
    let alpha = |p: &str| -> Option<u8> {
        let v: f32 = match p.strip_suffix('%') {
            Some(pct) => pct.parse::<f32>().ok()? / 100.0,
            None => p.parse().ok()?,
        };
        (0.0..=1.0).contains(&v).then(|| (v * 255.0).round() as u8)
    };
    Some(Rgba {
        r: channel(parts[0])?,
        g: channel(parts[1])?,
        b: channel(parts[2])?,
        a: match parts.get(3) {
            Some(a) => alpha(a)?,
            None => 255,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn css_forms() {
        let red = Rgba {
            r: 255,
            g: 0,
            b: 0,
            a: 255,
        };
        assert_eq!(Rgba::parse_css("#f00"), Some(red));
        assert_eq!(Rgba::parse_css("#FF0000"), Some(red));
        assert_eq!(Rgba::parse_css("red"), Some(red));
        assert_eq!(Rgba::parse_css("rgb(255, 0, 0)"), Some(red));
        assert_eq!(Rgba::parse_css("rgb(100% 0% 0%)"), Some(red));
        assert_eq!(Rgba::parse_css("rgba(255,0,0,0.5)").unwrap().a, 128);
        assert_eq!(Rgba::parse_css("#ff000080").unwrap().a, 128);
        assert_eq!(
            Rgba::parse_css("rebeccapurple"),
            Some(Rgba {
                r: 102,
                g: 51,
                b: 153,
                a: 255
            })
        );
        assert_eq!(
            Rgba::parse_css("lightgoldenrodyellow").map(|c| c.b),
            Some(210)
        );
        assert_eq!(Rgba::parse_css("#ggg"), None);
        assert_eq!(Rgba::parse_css("rgb(300,0,0)"), None);
        assert_eq!(Rgba::parse_css("notacolor"), None);
    }
}
