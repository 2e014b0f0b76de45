//! `--shard K/N`: a deterministic partition of the repository list. A
//! repository belongs to shard `fnv1a64(key) % N + 1` (`hash.rs`), where
//! the key is its lexically normalised path, so the partition depends
//! neither on the order of the list nor on the machine, and a repository
//! keeps its shard when others are added to or removed from the list.

use std::fmt;
use std::str::FromStr;

/// One shard of N (1-based `index`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl Shard {
    /// Whether the repository with normalised path `key` belongs to this shard.
    pub fn contains(&self, key: &str) -> bool {
        shard_of(key, self.count) == self.index
    }
}

/// The 1-based shard of N that `key` belongs to.
fn shard_of(key: &str, count: u64) -> u64 {
    crate::hash::fnv1a64(key.as_bytes()) % count.max(1) + 1
}

impl FromStr for Shard {
    type Err = String;

    /// Parses `K/N` with `1 ≤ K ≤ N`.
    fn from_str(s: &str) -> Result<Shard, String> {
        let bad = || format!("{s:?} is not a shard like 2/8 (K of N, 1 ≤ K ≤ N)");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let index: u64 = k.trim().parse().map_err(|_| bad())?;
        let count: u64 = n.trim().parse().map_err(|_| bad())?;
        if index == 0 || count == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects() {
        assert_eq!("2/8".parse::<Shard>(), Ok(Shard { index: 2, count: 8 }));
        for bad in ["0/3", "4/3", "1/0", "x/2", "2", "1/-1", ""] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }

    #[test]
    fn every_key_is_in_exactly_one_shard() {
        let keys: Vec<String> = (0..500).map(|i| format!("org/repo-{i}")).collect();
        for n in 1..=7u64 {
            let shards: Vec<Shard> = (1..=n).map(|index| Shard { index, count: n }).collect();
            let mut sizes = vec![0usize; n as usize];
            for key in &keys {
                let owners: Vec<_> = shards.iter().filter(|s| s.contains(key)).collect();
                assert_eq!(owners.len(), 1, "{key} in {n} shards");
                sizes[owners[0].index as usize - 1] += 1;
            }
            // Roughly balanced: no shard under half or over twice its share.
            let share = keys.len() / n as usize;
            assert!(
                sizes.iter().all(|&s| s * 2 >= share && s <= share * 2),
                "n={n}: {sizes:?}"
            );
        }
    }
}
