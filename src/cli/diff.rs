//! `pkglens diff --catalog FILE` (what the catalog's latest scan changed) or
//! `pkglens diff OLD NEW` (two catalogs): packages added, removed and changed, and the images
//! a changed package gained and lost.

use clap::{Args, ValueEnum};
use pkglens::catalog::diff::{diff, CatalogDiff, State};
use pkglens::catalog::Catalog;
use pkglens::terminal;
use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DiffFormat {
    /// One line per package (`+` added, `-` removed, `~` changed), images indented below.
    Text,
    /// `{"added": [...], "removed": [...], "changed": [...]}`.
    Json,
}

#[derive(Args, Debug)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["catalog", "catalogs"])))]
pub struct DiffArgs {
    /// Compare this catalog before and after its latest scan.
    #[arg(long, value_name = "FILE")]
    pub catalog: Option<PathBuf>,
    /// Compare two catalogs: OLD then NEW.
    #[arg(num_args = 2, value_names = ["OLD", "NEW"], conflicts_with = "catalog")]
    pub catalogs: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "text")]
    pub format: DiffFormat,
}

fn compute(args: &DiffArgs) -> anyhow::Result<CatalogDiff> {
    match (&args.catalog, args.catalogs.as_slice()) {
        (Some(path), _) => {
            let catalog = Catalog::open(path)?;
            Ok(diff(
                &catalog.snapshot(State::BeforeLatestScan)?,
                &catalog.snapshot(State::Current)?,
            ))
        }
        (None, [old, new]) => Ok(diff(
            &Catalog::open(old)?.snapshot(State::Current)?,
            &Catalog::open(new)?.snapshot(State::Current)?,
        )),
        _ => anyhow::bail!("give --catalog FILE or two catalogs"),
    }
}

fn write_text(out: &mut impl Write, changes: &CatalogDiff) -> io::Result<()> {
    let escape = |text: &str| terminal::escape(text).into_owned();
    for (mark, packages) in [("+", &changes.added), ("-", &changes.removed)] {
        for package in packages {
            writeln!(
                out,
                "{mark} {} {} {} ({})",
                package.id,
                package.system,
                escape(&package.title),
                escape(&package.sources.join(", "))
            )?;
        }
    }
    for change in &changes.changed {
        writeln!(
            out,
            "~ {} {} {}",
            change.id,
            change.system,
            escape(&change.title)
        )?;
        for (mark, what, items) in [
            ("+", "source", &change.sources_added),
            ("-", "source", &change.sources_removed),
            ("+", "image", &change.images_added),
            ("-", "image", &change.images_removed),
        ] {
            for item in items {
                writeln!(out, "    {mark} {what} {}", escape(item))?;
            }
        }
    }
    Ok(())
}

pub fn run(args: DiffArgs) -> ExitCode {
    let changes = match compute(&args) {
        Ok(changes) => changes,
        Err(err) => {
            eprintln!(
                "pkglens diff: {}",
                terminal::escape_lines(&format!("{err:#}"))
            );
            return ExitCode::from(2);
        }
    };
    let mut out = io::stdout().lock();
    let written = match args.format {
        DiffFormat::Text => write_text(&mut out, &changes),
        DiffFormat::Json => serde_json::to_writer_pretty(&mut out, &changes)
            .map_err(io::Error::from)
            .and_then(|_| writeln!(out)),
    };
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("pkglens diff: cannot write the output: {err}");
            ExitCode::from(2)
        }
    }
}
