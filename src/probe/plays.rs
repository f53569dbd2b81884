//! How many times an animation plays, as its headers declare it.

use super::Probe;
use crate::format::ImageFormat;

/// How many times an animation plays, whatever the container.
///
/// GIF's NETSCAPE2.0 extension counts repetitions after the first play, and its absence means
/// one play; WebP's ANIM counts plays. Both use 0 for "for ever". Browsers read GIF this way,
/// and libwebp's gif2webp converts the same way (`loop_count += 1`, no extension -> 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plays {
    Forever,
    /// Plays in all, at least 1 (65536 is GIF's 65535 repetitions).
    Times(u32),
}

impl Plays {
    /// What the input declares (the probe read the extension or chunk from the headers).
    pub fn of_input(probe: &Probe) -> Plays {
        let stored = probe.animation.and_then(|a| a.loop_count);
        match (probe.format, stored) {
            (_, Some(0)) => Plays::Forever,
            (ImageFormat::Gif, Some(n)) => Plays::Times(n as u32 + 1),
            (_, Some(n)) => Plays::Times(n as u32),
            // GIF without the extension plays once; an animated WebP always has ANIM
            // (libwebp refuses one without it), and image-webp's default is once too.
            (_, None) => Plays::Times(1),
        }
    }

    /// WebP's ANIM loop count.
    pub fn webp_loop_count(self) -> u16 {
        match self {
            Plays::Forever => 0,
            Plays::Times(n) => n.clamp(1, 65535) as u16,
        }
    }

    /// GIF's NETSCAPE2.0 repetitions, `None` for no extension (one play).
    pub fn gif_repetitions(self) -> Option<u16> {
        match self {
            Plays::Forever => Some(0),
            Plays::Times(0 | 1) => None,
            Plays::Times(n) => Some((n - 1).min(65535) as u16),
        }
    }
}
