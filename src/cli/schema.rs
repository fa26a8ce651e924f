//! `pkglens schema [NAME]`: print a record schema.

use clap::Args;
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct SchemaArgs {
    /// Schema name (e.g. Package, ScanResult, astra/Package).
    pub name: Option<String>,
}

pub fn run(args: SchemaArgs) -> ExitCode {
    eprintln!("pkglens schema: not implemented yet ({:?})", args.name);
    ExitCode::from(2)
}
