//! Stacks by need: recursion that inputs drive (template execution and parsing, values walked
//! by functions, YAML loading and writing, kustomize merges) calls [`deep`] at its recursive
//! entry points, which moves it onto a new stack segment (`stacker`, as rustc and minijinja
//! do) when the current one runs low. Threads then start with a small stack, and only an
//! input that nests deeply pays, in address space, for the depth it uses. How deep each
//! recursion may go is bounded by its own limit (in levels, or in stack bytes with
//! [`depth`]), so an input gets an error, never an overflow or a stack without end.

use std::cell::Cell;

/// Stack every thread that scans or renders starts with: room for everything that runs
/// without [`deep`] (recursion bounded to a few hundred levels), and for [`RED_ZONE`].
pub const THREAD_STACK: usize = 8 << 20;

/// Stack left below which [`deep`] starts a new segment: more than any one step between two
/// calls of [`deep`] takes (one template function over a value, one YAML node), unoptimised.
const RED_ZONE: usize = 1 << 20;

/// Size of each new segment. Large, so that recursion moving back and forth across a
/// segment's end (a loop calling in at that depth) seldom maps and unmaps one.
const SEGMENT: usize = 8 << 20;

/// What [`depth`] counts from on the thread's own stack: any stack is smaller.
const THREAD_TOP: usize = 1 << 40;

thread_local! {
    /// Stack used below the current segment, and the current segment's size: [`depth`]'s
    /// terms (the thread's own stack counts from [`THREAD_TOP`]).
    static BELOW: Cell<usize> = const { Cell::new(0) };
    static TOP: Cell<usize> = const { Cell::new(THREAD_TOP) };
}

/// Runs `work`, on a new stack segment when less than [`RED_ZONE`] is left of this one.
#[inline]
pub fn deep<T>(work: impl FnOnce() -> T) -> T {
    if stacker::remaining_stack().is_some_and(|left| left >= RED_ZONE) {
        return work();
    }
    let _segment = Segment::enter(depth());
    stacker::grow(SEGMENT, work)
}

/// How much stack this thread uses here, over every segment, in bytes: differences between
/// two calls measure the stack used in between (to within a red zone per segment).
pub fn depth() -> usize {
    let left = stacker::remaining_stack().unwrap_or(0);
    BELOW.get() + TOP.get().saturating_sub(left)
}

/// The bookkeeping of one segment: [`depth`] goes on from where the last one left off, and
/// returns to it when the segment ends (even by a panic).
struct Segment {
    below: usize,
    top: usize,
}

impl Segment {
    fn enter(depth: usize) -> Self {
        Segment {
            below: BELOW.replace(depth),
            top: TOP.replace(SEGMENT),
        }
    }
}

impl Drop for Segment {
    fn drop(&mut self) {
        BELOW.set(self.below);
        TOP.set(self.top);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Recursion `levels` deep with about 4 KiB of frame a level; returns the deepest depth.
    fn recurse(levels: usize) -> usize {
        let frame = std::hint::black_box([0u8; 4096]);
        if levels == 0 {
            return depth() + usize::from(frame[0]);
        }
        deep(|| recurse(levels - 1)) + usize::from(frame[1])
    }

    #[test]
    fn recursion_grows_the_stack_as_it_goes_and_depth_counts_every_segment() {
        // 32 MiB of frames (and more, unoptimised) on a 2 MiB test thread.
        let start = depth();
        let used = recurse(8 * 1024) - start;
        assert!(used >= 32 << 20, "{used}");
        assert!(used <= 128 << 20, "{used}");
        // Back on the thread's own stack, depth is what it was.
        assert_eq!(depth(), start);
    }

    #[test]
    fn a_panic_deep_down_unwinds_to_the_thread_stack() {
        fn panic_deep(levels: usize) {
            let _frame = std::hint::black_box([0u8; 4096]);
            if levels == 0 {
                panic!("deep");
            }
            deep(|| panic_deep(levels - 1));
        }
        let start = depth();
        assert!(std::panic::catch_unwind(|| panic_deep(8 * 1024)).is_err());
        assert_eq!(depth(), start);
    }
}
