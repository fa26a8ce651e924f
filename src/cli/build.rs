//! `pkglens build DIR_OR_ARCHIVE`: print what `kustomize build` prints.

use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct BuildArgs {
    /// A kustomization directory or an archive holding one.
    pub input: PathBuf,
    /// The kustomization root inside the input.
    #[arg(long)]
    pub entry: Option<String>,
}

pub fn run(args: BuildArgs) -> ExitCode {
    eprintln!(
        "pkglens build: not implemented yet ({})",
        args.input.display()
    );
    ExitCode::from(2)
}
