//! `pkglens scan`: scan inputs and print ScanResult records.

use super::helm_args::HelmArgs;
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct ScanArgs {
    /// Archives, directories, manifest files or chart repositories.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    #[command(flatten)]
    pub helm: HelmArgs,
    /// Release name used when rendering charts.
    #[arg(long = "release-name", default_value = "release")]
    pub release_name: String,
}

pub fn run(args: ScanArgs) -> ExitCode {
    eprintln!(
        "pkglens scan: not implemented yet ({} inputs)",
        args.inputs.len()
    );
    ExitCode::from(2)
}
