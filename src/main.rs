//! The `pkglens` binary: parses the command line and hands over to the library.

#![forbid(unsafe_code)]

mod cli;

#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> std::process::ExitCode {
    cli::run()
}
