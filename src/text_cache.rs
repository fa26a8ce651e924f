//! A process-wide cache of what is made from a text (a parsed template, a compiled
//! values.schema.json), keyed by the text itself and bounded by the bytes its entries hold:
//! library charts put the same texts in hundreds of archives.
//!
//! A lookup hashes the text once, outside the lock, with std's SipHash under this process's
//! random keys (the texts come from the input: without the keys no one can make texts
//! collide); each entry keeps its hash, so growing the table never hashes a text again; a hit
//! is confirmed by comparing the texts, so no collision, chance or crafted, returns another
//! text's value. Making a value runs outside the lock, and a failure is not kept.
//!
//! When a new entry would pass the budget, entries go least recently used first, in two
//! segments (a segmented LRU): entries never found again since they came in (one-off texts of
//! distinct charts) go first while they hold more than a fifth of the budget
//! ([`FRESH_SHARE_DIVISOR`]), so they cannot push out the texts many charts share; below that
//! share, entries found again go first, so that the texts of the chart in progress stay.

use crate::poison::IgnorePoison;
use hashbrown::HashTable;
use std::hash::{BuildHasher, RandomState};
use std::sync::Mutex;

/// What a [`TextCache`] keeps: a value made from a text, which holds that text (its key).
pub(crate) trait Cached: Clone {
    /// The text the value was made from.
    fn text(&self) -> &[u8];
    /// The bytes the value holds, its text included, as the budget counts them.
    fn bytes(&self) -> usize;
}

/// The part of the budget kept for entries not found again yet, when entries must go: a
/// fifth, the rest for those found again.
const FRESH_SHARE_DIVISOR: usize = 5;

/// Values made from texts, by their text, within a byte budget.
pub(crate) struct TextCache<V> {
    hasher: RandomState,
    entries: Mutex<Entries<V>>,
}

impl<V: Cached> TextCache<V> {
    /// An empty cache whose entries may hold `budget` bytes together.
    pub(crate) fn new(budget: usize) -> Self {
        TextCache {
            hasher: RandomState::new(),
            entries: Mutex::new(Entries::new(budget)),
        }
    }

    /// The value made from `text`: the cached one, or else what `make` makes, kept unless it
    /// fails.
    pub(crate) fn get_or_make<E>(
        &self,
        text: &[u8],
        make: impl FnOnce() -> Result<V, E>,
    ) -> Result<V, E> {
        let hash = self.hasher.hash_one(text);
        if let Some(hit) = self.entries.lock().ignore_poison().get(hash, text) {
            return Ok(hit);
        }
        let value = make()?;
        self.entries
            .lock()
            .ignore_poison()
            .insert(hash, value.clone());
        Ok(value)
    }
}

/// The table of a [`TextCache`], under its lock.
struct Entries<V> {
    table: HashTable<Entry<V>>,
    /// Sum of the entries' `bytes`.
    bytes: usize,
    /// What the entries may hold together.
    budget: usize,
    /// Counts lookups: an entry's `last_used` is the count at its last hit.
    clock: u64,
}

struct Entry<V> {
    /// The hash of the value's text.
    hash: u64,
    value: V,
    /// [`Cached::bytes`], taken when it came in.
    bytes: usize,
    last_used: u64,
    /// Whether it was found again after it came in.
    reused: bool,
}

/// An entry as eviction sees it: its hash and text find it again.
struct AgedEntry<V> {
    hash: u64,
    value: V,
    bytes: usize,
    reused: bool,
}

impl<V: Cached> Entries<V> {
    fn new(budget: usize) -> Self {
        Entries {
            table: HashTable::new(),
            bytes: 0,
            budget,
            clock: 0,
        }
    }

    fn get(&mut self, hash: u64, text: &[u8]) -> Option<V> {
        self.clock += 1;
        let entry = self
            .table
            .find_mut(hash, |entry| entry.value.text() == text)?;
        entry.last_used = self.clock;
        entry.reused = true;
        Some(entry.value.clone())
    }

    /// Keeps `value` (its text hashing to `hash`) unless it alone passes the budget, evicting
    /// down to three quarters of the budget when it would not fit: evictions then come seldom,
    /// each sorting the entries once.
    fn insert(&mut self, hash: u64, value: V) {
        let bytes = value.bytes();
        let text = value.text();
        if bytes > self.budget
            || self
                .table
                .find(hash, |entry| entry.value.text() == text)
                .is_some()
        {
            return;
        }
        if self.bytes + bytes > self.budget {
            self.evict_down_to((self.budget / 4 * 3).saturating_sub(bytes));
        }
        self.bytes += bytes;
        self.clock += 1;
        let last_used = self.clock;
        self.table.insert_unique(
            hash,
            Entry {
                hash,
                value,
                bytes,
                last_used,
                reused: false,
            },
            |entry| entry.hash,
        );
    }

    /// Evicts down to `target` bytes, least recently used first: from the entries never
    /// found again while they hold more than their share, else from those found again.
    fn evict_down_to(&mut self, target: usize) {
        let (reused, fresh): (Vec<_>, Vec<_>) = self.entries_by_age().partition(|e| e.reused);
        let mut fresh_bytes: usize = fresh.iter().map(|e| e.bytes).sum();
        let fresh_share = self.budget / FRESH_SHARE_DIVISOR;
        let (mut reused, mut fresh) = (reused.into_iter(), fresh.into_iter());
        while self.bytes > target {
            let next = if fresh_bytes > fresh_share {
                fresh.next().or_else(|| reused.next())
            } else {
                reused.next().or_else(|| fresh.next())
            };
            let Some(aged) = next else {
                break;
            };
            if !aged.reused {
                fresh_bytes -= aged.bytes;
            }
            self.remove(aged.hash, aged.value.text());
        }
    }

    /// Every entry as eviction sees it, least recently used first.
    fn entries_by_age(&self) -> impl Iterator<Item = AgedEntry<V>> {
        let mut by_age: Vec<_> = self
            .table
            .iter()
            .map(|entry| {
                (
                    entry.last_used,
                    AgedEntry {
                        hash: entry.hash,
                        value: entry.value.clone(),
                        bytes: entry.bytes,
                        reused: entry.reused,
                    },
                )
            })
            .collect();
        by_age.sort_unstable_by_key(|(last_used, _)| *last_used);
        by_age.into_iter().map(|(_, aged)| aged)
    }

    fn remove(&mut self, hash: u64, text: &[u8]) {
        if let Ok(found) = self
            .table
            .find_entry(hash, |entry| entry.value.text() == text)
        {
            let (entry, _) = found.remove();
            self.bytes -= entry.bytes;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    /// A value that is its text, counted at its length.
    #[derive(Clone, Debug, PartialEq)]
    struct Text(Arc<[u8]>);

    impl Cached for Text {
        fn text(&self) -> &[u8] {
            &self.0
        }
        fn bytes(&self) -> usize {
            self.0.len()
        }
    }

    /// `n` distinct texts of 1,000 bytes each.
    fn texts(n: usize) -> Vec<Text> {
        (0..n)
            .map(|i| Text(format!("{i:04}{}", "x".repeat(996)).into_bytes().into()))
            .collect()
    }

    fn put(cache: &mut Entries<Text>, value: &Text) {
        cache.insert(hash_of(value.text()), value.clone());
    }

    fn lookup(cache: &mut Entries<Text>, value: &Text) -> Option<Text> {
        cache.get(hash_of(value.text()), value.text())
    }

    /// The hash tests file texts under (fixed keys: any one hasher will do).
    fn hash_of(text: &[u8]) -> u64 {
        std::hash::BuildHasherDefault::<std::hash::DefaultHasher>::default().hash_one(text)
    }

    /// Past its byte budget the cache lets the least recently used entries go, never holds
    /// more than the budget, and keeps no entry larger than the budget at all.
    #[test]
    fn the_byte_budget_evicts_the_least_recently_used() {
        let texts = texts(4);
        // Room for three entries, not four.
        let mut cache = Entries::new(3_500);
        for text in &texts[..3] {
            put(&mut cache, text);
        }
        assert!(lookup(&mut cache, &texts[0]).is_some());
        put(&mut cache, &texts[3]);
        assert!(cache.bytes <= cache.budget);
        // The first was used last but one; the second, never since its insertion, went.
        assert!(lookup(&mut cache, &texts[1]).is_none());
        assert!(lookup(&mut cache, &texts[0]).is_some());
        assert!(lookup(&mut cache, &texts[3]).is_some());

        let mut small = Entries::new(500);
        put(&mut small, &texts[0]);
        assert!(lookup(&mut small, &texts[0]).is_none());
        assert_eq!(small.bytes, 0);
    }

    /// An entry found again (a library chart's) outlives newer one-off entries while those
    /// hold more than their share, where plain LRU would let it go first; below that share,
    /// the one-off entries (the chart in progress) stay and reused ones go.
    #[test]
    fn a_segmented_lru_keeps_reused_entries_and_the_chart_in_progress() {
        let texts = texts(6);

        // Room for three and a half entries, a fifth of it for one-off entries.
        let mut cache = Entries::new(3_500);
        put(&mut cache, &texts[0]);
        assert!(lookup(&mut cache, &texts[0]).is_some());
        for text in &texts[1..4] {
            put(&mut cache, text);
        }
        assert!(cache.bytes <= cache.budget);
        assert!(
            lookup(&mut cache, &texts[0]).is_some(),
            "the reused entry stays"
        );
        assert!(
            lookup(&mut cache, &texts[1]).is_none(),
            "the oldest one-off goes"
        );
        assert!(lookup(&mut cache, &texts[3]).is_some());

        // Room for five and a half: one older one-off entry, within its share, stays while
        // the least recently used reused entries go.
        let mut cache = Entries::new(5_500);
        put(&mut cache, &texts[4]);
        for text in &texts[..4] {
            put(&mut cache, text);
            assert!(lookup(&mut cache, text).is_some());
        }
        put(&mut cache, &texts[5]);
        assert!(cache.bytes <= cache.budget);
        assert!(
            lookup(&mut cache, &texts[4]).is_some(),
            "the one-off entry stays"
        );
        assert!(lookup(&mut cache, &texts[0]).is_none());
        assert!(lookup(&mut cache, &texts[5]).is_some());
        assert!(lookup(&mut cache, &texts[3]).is_some());
    }

    /// A value is made once per text; a failure is not kept, and the next lookup makes again.
    #[test]
    fn a_value_is_made_once_and_a_failure_not_kept() {
        let cache = TextCache::new(10_000);
        let text = texts(1).remove(0);
        let mut made = 0;
        let mut make = |fail: bool| {
            made += 1;
            if fail {
                Err("no")
            } else {
                Ok(text.clone())
            }
        };
        assert_eq!(cache.get_or_make(text.text(), || make(true)), Err("no"));
        assert_eq!(
            cache.get_or_make(text.text(), || make(false)),
            Ok(text.clone())
        );
        assert_eq!(
            cache.get_or_make(text.text(), || make(false)),
            Ok(text.clone())
        );
        assert_eq!(made, 2);
    }
}
