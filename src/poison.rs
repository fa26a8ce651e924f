//! Locks whose data outlives a panic. Every input's scan runs under `catch_unwind`, so one
//! render's panic must not leave the process-wide caches, pools and budgets unusable for the
//! rest of the batch. The locks that use this guard data that is whole at every point a panic
//! can reach (a lookup, an insert, a pop, a take), so a poisoned lock's data is taken as is.

use std::sync::{LockResult, PoisonError};

/// The guard of a lock, whether or not a panic poisoned it.
pub(crate) trait IgnorePoison<Guard> {
    /// The guard, poisoned or not.
    fn ignore_poison(self) -> Guard;
}

impl<Guard> IgnorePoison<Guard> for LockResult<Guard> {
    fn ignore_poison(self) -> Guard {
        self.unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::IgnorePoison;
    use std::sync::{Mutex, RwLock};

    #[test]
    fn a_lock_poisoned_by_a_panic_still_gives_its_data() {
        let mutex = Mutex::new(vec![1]);
        let rwlock = RwLock::new(7);
        let _ = std::thread::scope(|scope| {
            scope
                .spawn(|| {
                    let mut data = mutex.lock().ignore_poison();
                    let _number = rwlock.write().ignore_poison();
                    data.push(2);
                    panic!("a render failed");
                })
                .join()
        });
        assert!(mutex.is_poisoned() && rwlock.is_poisoned());
        assert_eq!(*mutex.lock().ignore_poison(), [1, 2]);
        assert_eq!(*rwlock.read().ignore_poison(), 7);
        assert_eq!(*rwlock.write().ignore_poison(), 7);
    }
}
