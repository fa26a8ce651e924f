//! `pkglens get ID --catalog FILE`: one package from a catalog, as `GET /packages/{id}/` (or,
//! with `--format astra`, the Astra endpoint) answers it. An id the catalog does not hold
//! prints the error body (`application/problem+json`) on stdout and exits 1; an id that is
//! neither `pkg_<uuid>` nor a UUID exits 2 the same way.

use clap::{Args, ValueEnum};
use pkglens::catalog::lookup::PackageRef;
use pkglens::catalog::Catalog;
use pkglens::serve::problems::{AstraProblem, ErrorModel};
use pkglens::terminal;
use serde::Serialize;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum GetFormat {
    /// The Package record (Chkk API).
    Json,
    /// The Astra Control package.
    Astra,
}

#[derive(Args, Debug)]
pub struct GetArgs {
    /// A package id (`pkg_<uuid>`) or an Astra package id (a UUID).
    pub id: String,
    /// The catalog `scan --catalog` wrote.
    #[arg(long, value_name = "FILE")]
    pub catalog: PathBuf,
    #[arg(long, value_enum, default_value = "json")]
    pub format: GetFormat,
}

/// Pretty-prints a record stored as compact JSON.
fn print_record(text: &str) -> ExitCode {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(value) => print_json(&value, ExitCode::SUCCESS),
        Err(err) => fail(&format!("a stored record does not parse: {err}")),
    }
}

fn print_json(value: &impl Serialize, code: ExitCode) -> ExitCode {
    match serde_json::to_string_pretty(value) {
        Ok(text) => {
            println!("{text}");
            code
        }
        Err(err) => fail(&err.to_string()),
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("pkglens get: {}", terminal::escape_lines(message));
    ExitCode::from(2)
}

pub fn run(args: GetArgs) -> ExitCode {
    let catalog = match Catalog::open(&args.catalog) {
        Ok(catalog) => catalog,
        Err(err) => return fail(&err.to_string()),
    };
    let Some(wanted) = PackageRef::parse(&args.id) else {
        return match args.format {
            GetFormat::Json => print_json(
                &ErrorModel::bad_parameter("id", &args.id, "must be pkg_<uuid> or a UUID"),
                ExitCode::from(2),
            ),
            GetFormat::Astra => print_json(
                &AstraProblem::invalid_parameter("package_id", "must be pkg_<uuid> or a UUID"),
                ExitCode::from(2),
            ),
        };
    };
    let found = match (&wanted, args.format) {
        (PackageRef::Package(id), GetFormat::Json) => catalog
            .package(id)
            .map(|p| p.and_then(|p| serde_json::to_string(&p).ok())),
        (PackageRef::Package(id), GetFormat::Astra) => catalog.astra_json_of_package(id),
        (PackageRef::Astra(uuid), GetFormat::Astra) => catalog.astra_json(uuid),
        (PackageRef::Astra(uuid), GetFormat::Json) => {
            catalog.package_id_of_astra(uuid).and_then(|id| match id {
                Some(id) => catalog
                    .package(&id)
                    .map(|p| p.and_then(|p| serde_json::to_string(&p).ok())),
                None => Ok(None),
            })
        }
    };
    match found {
        Ok(Some(text)) => print_record(&text),
        Ok(None) => match args.format {
            GetFormat::Json => print_json(
                &ErrorModel::new(404, format!("the catalog holds no package {}", args.id)),
                ExitCode::from(1),
            ),
            GetFormat::Astra => {
                print_json(&AstraProblem::collection_not_found(), ExitCode::from(1))
            }
        },
        Err(err) => fail(&err.to_string()),
    }
}
