//! The `pkglens` binary: parses the command line and hands over to the library.

#![forbid(unsafe_code)]

mod cli;

/// mimalloc over the system's (glibc) allocator and jemalloc: measured on the corpus scan
/// (120 charts, one worker, 3 runs each), it took the least CPU (1.55-1.65 s against 1.69-1.97 s
/// for glibc, 1.68-1.72 s for jemalloc).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::run()
}
