//! Command-line edge: argument parsing and dispatch. Each subcommand lives in its own file.

mod build;
mod diff;
mod get;
mod helm_args;
mod install_flags;
mod merge;
mod output_file;
mod render;
mod scan;
mod schema;
mod serve;
mod shell;

use clap::{Parser, Subcommand};
use pkglens::notice::Verbosity;
use std::process::ExitCode;

/// What `--version` prints after the name: pkglens' version and the versions it renders as
/// (helm's default capabilities report Kubernetes v1.35.0, helm v4.1.4's client version).
const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (renders as helm v4.1.4, kustomize v5.6.0, Kubernetes v1.35.0)"
);

#[derive(Parser)]
#[command(
    name = "pkglens",
    version = VERSION,
    about = "Offline inspector and scanner for Kubernetes package archives"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Print nothing on stderr but errors (no notices).
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    quiet: bool,
    /// Print more on stderr: every skipped file, every input found.
    #[arg(short, long, global = true)]
    verbose: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Scan archives, directories and chart repositories and print ScanResult records.
    Scan(Box<scan::ScanArgs>),
    /// Join the ndjson outputs of `scan --shard K/N` into what one scan would print.
    Merge(merge::MergeArgs),
    /// Print what `helm template` prints for a chart, offline.
    Render(Box<render::RenderArgs>),
    /// Print what `kustomize build` prints for a kustomization.
    Build(build::BuildArgs),
    /// Print one package from a catalog (`scan --catalog`) by its id.
    Get(get::GetArgs),
    /// Answer the Get Package endpoints (Chkk and Astra) from a catalog over HTTP.
    Serve(serve::ServeArgs),
    /// List the packages added, removed and changed (with their images) between catalogs.
    Diff(diff::DiffArgs),
    /// Print a record schema (all names when none is given).
    Schema(schema::SchemaArgs),
    /// Print a shell completion script (`pkglens completions bash > /etc/bash_completion.d/pkglens`).
    Completions(shell::CompletionsArgs),
    /// Print the man page (`pkglens man > pkglens.1`).
    Man,
    /// A scan worker process (started by `scan` itself, never by hand).
    #[command(name = "__scan-worker", hide = true)]
    ScanWorker,
}

/// Parses the command line and runs the chosen subcommand; returns the process exit code.
pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let code = if err.use_stderr() { 2 } else { 0 };
            let _ = err.print();
            return ExitCode::from(code);
        }
    };
    // Without -q/-v the verbosity is left as inherited (a scan worker gets its parent's).
    if cli.quiet {
        pkglens::notice::set_verbosity(Verbosity::Quiet);
    } else if cli.verbose {
        pkglens::notice::set_verbosity(Verbosity::Verbose);
    }
    match cli.command {
        Command::Scan(args) => scan::run(*args),
        Command::Merge(args) => merge::run(args),
        Command::Render(args) => render::run(*args),
        Command::Build(args) => build::run(args),
        Command::Get(args) => get::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Schema(args) => schema::run(args),
        Command::Completions(args) => shell::completions(args),
        Command::Man => shell::man(),
        Command::ScanWorker => scan::run_worker(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn version_names_the_kubernetes_version_charts_render_against() {
        let kube = pkglens::helm::DEFAULT_KUBE_VERSION;
        assert!(super::VERSION.contains(&format!("Kubernetes {kube})")));
    }
}
