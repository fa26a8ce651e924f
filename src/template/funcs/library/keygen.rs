//! RSA key generation for the key and certificate generators. Fresh keys by default; a scan,
//! which keeps only the images a chart renders and throws every key away, may draw them from
//! a pool made once per process ([`KeySource::Pooled`]), because a 2048-bit key costs more
//! than rendering most charts.

use super::random::{rng, seeded_generator};
use crate::go::rsa_keygen::generate_key;
use crate::poison::IgnorePoison;
use crate::template::KeySource;
use rand::RngCore;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// The RSA key for one `genPrivateKey "rsa"`, `genCA`, `genSelfSignedCert` or `genSignedCert`.
pub(super) fn rsa_key(bits: usize, source: KeySource) -> Option<rsa::RsaPrivateKey> {
    match source {
        KeySource::Fresh => generate_key(&mut SharedRng, bits, search_threads()).ok(),
        KeySource::Pooled => pooled_rsa_key(bits).map(|key| key.as_ref().clone()),
    }
}

/// Most threads a fresh key's prime search takes.
const MAX_SEARCH_THREADS: usize = 8;

/// Threads for a fresh key: as many as the cores, because `render` prints one chart and waits
/// for each key with the other cores idle.
fn search_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(MAX_SEARCH_THREADS))
}

/// Where a process takes its pooled keys from when another process makes them for it: a
/// scan worker asks its parent (`scan::pool`), so that a batch makes each size once whatever
/// the number of workers. When the supplier has none, the process makes the key itself.
static SUPPLIER: OnceLock<fn(usize) -> Option<rsa::RsaPrivateKey>> = OnceLock::new();

/// Makes this process take its pooled keys from `supplier` (the first call only counts).
pub(crate) fn supply_pooled_keys(supplier: fn(usize) -> Option<rsa::RsaPrivateKey>) {
    let _ = SUPPLIER.set(supplier);
}

/// One key per size for the whole process, made (or supplied) the first time that size is
/// asked for, on one thread: a scan's other workers keep the other cores busy meanwhile, and
/// `-j` stays the number of cores a scan takes. Each size draws from a generator of its own, so
/// under `SOURCE_DATE_EPOCH` a size's key is the same whatever the charts drew before and
/// whichever process makes it (the scan's parent, or the scan itself with `--no-isolate`).
pub(crate) fn pooled_rsa_key(bits: usize) -> Option<Arc<rsa::RsaPrivateKey>> {
    type Pool = Mutex<HashMap<usize, Arc<OnceLock<Option<Arc<rsa::RsaPrivateKey>>>>>>;
    static POOL: OnceLock<Pool> = OnceLock::new();
    let slot = POOL
        .get_or_init(Default::default)
        .lock()
        .ignore_poison()
        .entry(bits)
        .or_default()
        .clone();
    // Made outside the pool's lock, so other sizes are not held up; callers of this size wait.
    slot.get_or_init(|| {
        SUPPLIER
            .get()
            .and_then(|supply| supply(bits))
            .or_else(|| generate_key(&mut seeded_generator(bits as u64), bits, 1).ok())
            .map(Arc::new)
    })
    .clone()
}

/// The process's shared generator, locked for each draw only, so other threads' random
/// functions are not held up for a whole key.
struct SharedRng;

impl RngCore for SharedRng {
    fn next_u32(&mut self) -> u32 {
        rng().next_u32()
    }
    fn next_u64(&mut self) -> u64 {
        rng().next_u64()
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        rng().fill_bytes(dest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rsa::traits::PublicKeyParts;

    #[test]
    fn fresh_keys_differ_and_pooled_keys_repeat() {
        let a = rsa_key(1024, KeySource::Fresh).unwrap();
        let b = rsa_key(1024, KeySource::Fresh).unwrap();
        assert_ne!(a.n(), b.n());
        assert_eq!(a.size(), 128);
        let c = rsa_key(1024, KeySource::Pooled).unwrap();
        let d = rsa_key(1024, KeySource::Pooled).unwrap();
        assert_eq!(c.n(), d.n());
        assert!(c.validate().is_ok());
    }
}
