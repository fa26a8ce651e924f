//! `pkglens render [RELEASE] CHART`: print what `helm template` prints.

use super::helm_args::HelmArgs;
use clap::Args;
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct RenderArgs {
    /// `[RELEASE] CHART`: the release name (default `release`) and the chart.
    #[arg(required = true, num_args = 1..=2)]
    pub names: Vec<String>,
    #[command(flatten)]
    pub helm: HelmArgs,
}

pub fn run(args: RenderArgs) -> ExitCode {
    eprintln!("pkglens render: not implemented yet ({:?})", args.names);
    ExitCode::from(2)
}
