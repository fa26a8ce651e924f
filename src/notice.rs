//! Notices on stderr: what a scan skipped or did, for the person at the terminal. stdout
//! holds only the requested output; `-q` silences notices, `-v` adds details.

use std::sync::atomic::{AtomicU8, Ordering};

/// How much goes to stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    /// Nothing but errors (`-q`).
    Quiet = 0,
    /// Notices of what was skipped.
    Normal = 1,
    /// Details too (`-v`).
    Verbose = 2,
}

/// Not set yet: taken from [`VERBOSITY_ENV`] (scan workers inherit it from their parent).
const UNSET: u8 = u8::MAX;
static VERBOSITY: AtomicU8 = AtomicU8::new(UNSET);
/// Carries the verbosity to the worker processes a scan starts.
const VERBOSITY_ENV: &str = "PKGLENS_VERBOSITY";

/// Sets the verbosity for this process and the workers it starts (the command line does, once).
pub fn set_verbosity(verbosity: Verbosity) {
    VERBOSITY.store(verbosity as u8, Ordering::Relaxed);
    std::env::set_var(VERBOSITY_ENV, (verbosity as u8).to_string());
}

/// The verbosity in force.
pub fn verbosity() -> Verbosity {
    let mut level = VERBOSITY.load(Ordering::Relaxed);
    if level == UNSET {
        level = std::env::var(VERBOSITY_ENV)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(Verbosity::Normal as u8);
        VERBOSITY.store(level, Ordering::Relaxed);
    }
    match level {
        0 => Verbosity::Quiet,
        1 => Verbosity::Normal,
        _ => Verbosity::Verbose,
    }
}

/// Prints a notice unless `-q`; control characters (from file names) are escaped.
pub fn notice(message: &str) {
    if verbosity() >= Verbosity::Normal {
        eprintln!("pkglens: {}", message.escape_debug());
    }
}

/// Prints a detail only with `-v`.
pub fn detail(message: &str) {
    if verbosity() >= Verbosity::Verbose {
        eprintln!("pkglens: {}", message.escape_debug());
    }
}

/// `names` for a notice: all of them with `-v`, otherwise the first few.
pub(crate) fn list(names: &[String]) -> String {
    const SHOWN: usize = 3;
    if verbosity() >= Verbosity::Verbose || names.len() <= SHOWN {
        return names.join(", ");
    }
    format!(
        "{} and {} more (-v lists them)",
        names[..SHOWN].join(", "),
        names.len() - SHOWN
    )
}
