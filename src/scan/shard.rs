//! `scan --shard K/N`: one of N deterministic slices of a run's inputs, so that N machines (or
//! the pods of a Kubernetes Indexed Job) share a repository. The slices are contiguous runs
//! of the inputs in discovery order, as even as can be, so the shards' outputs, joined in
//! shard order (`pkglens merge`), are what one run over all inputs prints.

use std::fmt;
use std::str::FromStr;
use thiserror::Error;

/// Slice `index` (0-based, as `JOB_COMPLETION_INDEX` counts) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    index: usize,
    count: usize,
}

/// Why a `--shard` value is refused.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum ShardError {
    /// Not `K/N`.
    #[error("{0:?} is not K/N (two whole numbers, such as 0/4)")]
    Syntax(String),
    /// `N` is 0.
    #[error("shard count 0: N must be at least 1")]
    NoShards,
    /// `K` is not below `N`.
    #[error("shard {index} of {count}: K counts from 0 to N-1")]
    OutOfRange {
        /// `K`.
        index: usize,
        /// `N`.
        count: usize,
    },
}

impl Shard {
    /// Shard `index` of `count`; `index` must be below `count`.
    pub fn new(index: usize, count: usize) -> Result<Self, ShardError> {
        if count == 0 {
            return Err(ShardError::NoShards);
        }
        if index >= count {
            return Err(ShardError::OutOfRange { index, count });
        }
        Ok(Self { index, count })
    }

    /// This shard's part of `items`: the items from `K·len/N` up to `(K+1)·len/N`, so every
    /// item is in exactly one shard and the shards' sizes differ by at most one.
    pub fn slice<'a, T>(&self, items: &'a [T]) -> &'a [T] {
        let bound = |k: usize| k * items.len() / self.count;
        &items[bound(self.index)..bound(self.index + 1)]
    }
}

impl FromStr for Shard {
    type Err = ShardError;

    fn from_str(text: &str) -> Result<Self, ShardError> {
        let syntax = || ShardError::Syntax(text.to_string());
        let (index, count) = text.split_once('/').ok_or_else(syntax)?;
        let number = |part: &str| {
            // Digits only: no sign, no space (`usize::from_str` takes a leading `+`).
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(syntax());
            }
            part.parse::<usize>().map_err(|_| syntax())
        };
        Self::new(number(index)?, number(count)?)
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
    fn shards_cover_every_input_once_in_order() {
        for len in 0..25 {
            let items: Vec<usize> = (0..len).collect();
            for count in 1..8 {
                let joined: Vec<usize> = (0..count)
                    .flat_map(|k| Shard::new(k, count).unwrap().slice(&items).to_vec())
                    .collect();
                assert_eq!(joined, items, "{len} items in {count} shards");
                let sizes: Vec<usize> = (0..count)
                    .map(|k| Shard::new(k, count).unwrap().slice(&items).len())
                    .collect();
                let (min, max) = (sizes.iter().min(), sizes.iter().max());
                assert!(max.unwrap() - min.unwrap() <= 1, "{sizes:?}");
            }
        }
        let items: Vec<u8> = (0..10).collect();
        assert_eq!(Shard::new(1, 3).unwrap().slice(&items), &[3, 4, 5]);
        assert_eq!(Shard::new(2, 3).unwrap().slice(&items), &[6, 7, 8, 9]);
    }

    #[test]
    fn k_of_n_is_parsed_strictly() {
        assert_eq!("0/4".parse(), Ok(Shard::new(0, 4).unwrap()));
        assert_eq!("3/4".parse::<Shard>().unwrap().to_string(), "3/4");
        assert_eq!(
            "4/4".parse::<Shard>(),
            Err(ShardError::OutOfRange { index: 4, count: 4 })
        );
        assert_eq!("0/0".parse::<Shard>(), Err(ShardError::NoShards));
        for bad in ["", "1", "1/", "/2", "+1/2", "1/ 2", "a/b", "1/2/3", "-1/2"] {
            assert_eq!(
                bad.parse::<Shard>(),
                Err(ShardError::Syntax(bad.into())),
                "{bad}"
            );
        }
    }
}
