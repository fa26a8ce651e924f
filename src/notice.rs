//! Notices on stderr: what a scan skipped or did, for the person at the terminal. stdout
//! holds only the requested output; `-q` silences notices, `-v` adds details.

use std::sync::atomic::{AtomicU8, Ordering};

/// How much goes to stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    Quiet = 0,
    Normal = 1,
    Verbose = 2,
}

static VERBOSITY: AtomicU8 = AtomicU8::new(Verbosity::Normal as u8);

/// Sets the verbosity for the whole process (the command line does, once).
pub fn set_verbosity(verbosity: Verbosity) {
    VERBOSITY.store(verbosity as u8, Ordering::Relaxed);
}

/// The verbosity in force.
pub fn verbosity() -> Verbosity {
    match VERBOSITY.load(Ordering::Relaxed) {
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
pub fn list(names: &[String]) -> String {
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
