//! `pkglens schema [NAME]`: print a record schema (the project's copies in `schema/`, see
//! [`pkglens::records::schemas`]).

use clap::Args;
use pkglens::records::schemas::SCHEMAS;
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct SchemaArgs {
    /// Schema name (e.g. Package, ScanResult, astra/Package; `.json` may be added).
    /// Without a name, lists the names.
    pub name: Option<String>,
}

pub fn run(args: SchemaArgs) -> ExitCode {
    let Some(name) = args.name else {
        for (name, _) in SCHEMAS {
            println!("{name}");
        }
        return ExitCode::SUCCESS;
    };
    let wanted = name.strip_suffix(".json").unwrap_or(&name);
    match SCHEMAS.iter().find(|(n, _)| *n == wanted) {
        Some((_, text)) => {
            print!("{text}");
            if !text.ends_with('\n') {
                println!();
            }
            ExitCode::SUCCESS
        }
        None => {
            let names: Vec<&str> = SCHEMAS.iter().map(|(n, _)| *n).collect();
            eprintln!(
                "pkglens schema: unknown schema {name:?} (known: {})",
                names.join(", ")
            );
            ExitCode::from(2)
        }
    }
}
