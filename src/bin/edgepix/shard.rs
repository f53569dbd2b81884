//! `--shard i/n`: split one job over n machines or processes. A file belongs to shard
//! `hash(relative path) mod n`, so the shards are disjoint, their union is every file, and
//! adding or removing files never moves any other file to another shard (a sorted-list split
//! would reshuffle everything after the change).
//!
//! The hash is part of the CLI's contract: shards computed by different edgepix versions must
//! agree, so never change it.

use std::fmt;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Shard {
    /// 1-based, as in `--shard 1/3` … `--shard 3/3`.
    index: u64,
    count: u64,
}

impl Shard {
    /// `"i/n"` with 1 ≤ i ≤ n.
    pub fn parse(s: &str) -> Result<Shard, String> {
        let bad = || format!("--shard takes i/n with 1 ≤ i ≤ n (for example 1/4), not {s:?}");
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let index: u64 = i.trim().parse().map_err(|_| bad())?;
        let count: u64 = n.trim().parse().map_err(|_| bad())?;
        if index == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// Whether the file at `relative_path` (`/`-separated, relative to the job's root) is ours.
    pub fn contains(&self, relative_path: &str) -> bool {
        shard_hash(relative_path) % self.count == self.index - 1
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// FNV-1a 64 over the path's UTF-8 bytes, then MurmurHash3's 64-bit finaliser: FNV alone
/// leaves the low bits of similar names (`img001`, `img002`, …) correlated, and `mod n` reads
/// exactly those bits.
fn shard_hash(relative_path: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in relative_path.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_one_based_pairs_only() {
        assert_eq!(Shard::parse("1/1").unwrap().to_string(), "1/1");
        assert_eq!(Shard::parse("3/4").unwrap().to_string(), "3/4");
        for bad in ["0/4", "5/4", "1/0", "0/0", "1", "a/b", "-1/4", "1/4/2", ""] {
            assert!(Shard::parse(bad).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn every_path_in_exactly_one_shard() {
        let paths: Vec<String> = (0..500)
            .map(|i| format!("dir{}/img{i:04}.jpg", i % 7))
            .collect();
        for n in [1u64, 2, 3, 7] {
            let shards: Vec<Shard> = (1..=n)
                .map(|i| Shard::parse(&format!("{i}/{n}")).unwrap())
                .collect();
            let mut sizes = vec![0usize; n as usize];
            for p in &paths {
                let owners: Vec<usize> = (0..shards.len())
                    .filter(|&k| shards[k].contains(p))
                    .collect();
                assert_eq!(owners.len(), 1, "{p} in shards {owners:?} of {n}");
                sizes[owners[0]] += 1;
            }
            // sequential names spread over every shard, none starved (binomial bounds, loose)
            let mean = paths.len() / n as usize;
            assert!(
                sizes.iter().all(|&s| s * 2 > mean),
                "uneven split {sizes:?}"
            );
        }
    }

    #[test]
    fn hash_is_frozen() {
        // Computed outside Rust (a Python FNV-1a 64 + fmix64): a change here reshuffles every
        // user's shards between versions.
        assert_eq!(shard_hash(""), 0xefd0_1f60_ba99_2926);
        assert_eq!(shard_hash("a.jpg"), 0x57e4_5b66_c4c4_01a7);
        assert_eq!(shard_hash("kodak/kodim01.png"), 0xee94_f4ce_07b6_dab0);
    }
}
