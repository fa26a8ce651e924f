//! `pkglens scan`: scan inputs and print ScanResult records.

use super::helm_args::HelmArgs;
use super::output_file::AtomicFile;
use anyhow::Context;
use clap::{Args, ValueEnum};
use pkglens::catalog::scan::scan_with_catalog;
use pkglens::catalog::Catalog;
use pkglens::helm::render::RenderOptions;
use pkglens::notice;
use pkglens::output::{Format, ImageSelection, ResultWriter};
use pkglens::records::{ScanResult, State};
use pkglens::scan::pool::{self, Isolation};
use pkglens::scan::{self, ScanOptions};
use pkglens::terminal;
use pkglens::unpack::Limits;
use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum OutputFormat {
    Json,
    Ndjson,
    Table,
    Astra,
    /// The image references a mirror needs, one a line, sorted.
    Images,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FailOn {
    /// Any ScanResult that is not `available`.
    Problems,
}

#[derive(Args, Debug)]
pub struct ScanArgs {
    /// Archives, directories, manifest files or chart repositories; `-` reads one archive or
    /// manifest stream from stdin.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    #[command(flatten)]
    pub helm: HelmArgs,
    /// Release name used when rendering charts.
    #[arg(long = "release-name", default_value = "release")]
    pub release_name: String,
    /// Output format.
    #[arg(long, value_enum, default_value = "json")]
    pub format: OutputFormat,
    /// With `--format images`: leave out the candidate images.
    #[arg(long)]
    pub no_candidates: bool,
    /// With `--format images`: list the images only Helm tests use too.
    #[arg(long)]
    pub include_tests: bool,
    /// Write the output to FILE (atomically: complete or not at all) instead of stdout.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Worker threads (default: one per core).
    #[arg(short = 'j', long)]
    pub jobs: Option<usize>,
    /// Exit with code 1 when a result is not `available`.
    #[arg(long = "fail-on", value_enum)]
    pub fail_on: Option<FailOn>,
    /// Report only the package root at this path inside each input.
    #[arg(long)]
    pub entry: Option<String>,
    /// Most entries one archive may hold.
    #[arg(long, default_value_t = Limits::default().max_entries)]
    pub max_entries: usize,
    /// Largest file inside a package, in bytes.
    #[arg(long, default_value_t = Limits::default().max_file_size)]
    pub max_file_size: u64,
    /// Largest package (all files, decompressed), in bytes.
    #[arg(long, default_value_t = Limits::default().max_total_size)]
    pub max_total_size: u64,
    /// Most bytes a compressed stream may expand to per compressed byte.
    #[arg(long, default_value_t = Limits::default().max_expansion_ratio)]
    pub max_expansion_ratio: u64,
    /// Deepest nesting of archives inside archives.
    #[arg(long, default_value_t = Limits::default().max_nesting)]
    pub max_nesting: usize,
    /// Wall-clock (and CPU) seconds one input may take before its worker is stopped.
    #[arg(long, default_value_t = 120)]
    pub max_seconds: u64,
    /// Address space of each scan worker process, in bytes.
    #[arg(long, default_value_t = 4 * 1024 * 1024 * 1024)]
    pub max_memory: u64,
    /// Scan in this process instead of in isolated worker processes (no per-input limits
    /// from the OS; a crash ends the whole batch).
    #[arg(long)]
    pub no_isolate: bool,
    /// Keep every result in this catalog (SQLite, made when missing); inputs whose sha256
    /// and flags are unchanged since it stored them are not scanned again.
    #[arg(long, value_name = "FILE")]
    pub catalog: Option<PathBuf>,
}

pub fn run(args: ScanArgs) -> ExitCode {
    match scan(args) {
        Ok(code) => code,
        Err(err) => {
            eprintln!(
                "pkglens scan: {}",
                terminal::escape_lines(&format!("{err:#}"))
            );
            ExitCode::from(2)
        }
    }
}

/// `SOURCE_DATE_EPOCH` as reproducible builds define it: whole seconds since the epoch.
fn source_date_epoch() -> anyhow::Result<Option<i64>> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(value) if !value.trim().is_empty() => value
            .trim()
            .parse()
            .map(Some)
            .with_context(|| format!("SOURCE_DATE_EPOCH={value:?} is not a number of seconds")),
        _ => Ok(None),
    }
}

fn scan(args: ScanArgs) -> anyhow::Result<ExitCode> {
    let options = ScanOptions {
        limits: Limits {
            max_entries: args.max_entries,
            max_file_size: args.max_file_size,
            max_total_size: args.max_total_size,
            max_expansion_ratio: args.max_expansion_ratio,
            max_nesting: args.max_nesting,
        },
        input_limits: Default::default(),
        source_date_epoch: source_date_epoch()?,
        entry: args.entry,
        jobs: args.jobs,
        helm: RenderOptions {
            release_name: args.release_name.clone(),
            namespace: args.helm.namespace.clone(),
            kube_version: args.helm.kube_version.clone(),
            api_versions: args.helm.api_versions.clone(),
            values: args.helm.merged_values().map_err(anyhow::Error::msg)?,
            ..RenderOptions::default()
        },
        isolation: if args.no_isolate {
            None
        } else {
            Some(
                Isolation::current_exe(args.max_seconds, args.max_memory)
                    .context("cannot find the pkglens executable to start scan workers")?,
            )
        },
    };
    let format = match args.format {
        OutputFormat::Json => Format::Json,
        OutputFormat::Ndjson => Format::Ndjson,
        OutputFormat::Table => Format::Table,
        OutputFormat::Astra => Format::Astra,
        OutputFormat::Images => Format::Images(ImageSelection {
            candidates: !args.no_candidates,
            tests: args.include_tests,
        }),
    };
    let mut catalog = args
        .catalog
        .as_deref()
        .map(Catalog::open_or_create)
        .transpose()?;
    let run = ScanRun {
        inputs: &args.inputs,
        options: &options,
        catalog: catalog.as_mut(),
    };
    let all_available = match args.output.as_deref() {
        Some(path) => {
            let mut file = AtomicFile::create(path)?;
            let all_available = write_results(run, format, &mut file)?;
            file.commit()?;
            all_available
        }
        None => write_results(run, format, io::stdout().lock())?,
    };
    let failed = args.fail_on.is_some() && !all_available;
    Ok(ExitCode::from(u8::from(failed)))
}

/// What to scan, and the catalog to keep the results in, if any.
struct ScanRun<'a> {
    inputs: &'a [PathBuf],
    options: &'a ScanOptions,
    catalog: Option<&'a mut Catalog>,
}

/// Scans and writes every result to `out`; returns whether all of them are `available`.
fn write_results(run: ScanRun<'_>, format: Format, out: impl Write) -> anyhow::Result<bool> {
    let mut writer = ResultWriter::new(format, out);
    let mut all_available = true;
    let mut write_error = None;
    let emit = |result: ScanResult| {
        all_available &= result.state == State::Available;
        if write_error.is_none() {
            write_error = writer.write(result).err();
        }
    };
    match run.catalog {
        None => scan::scan(run.inputs, run.options, emit)?,
        Some(catalog) => {
            let counts = scan_with_catalog(catalog, run.inputs, run.options, emit)?;
            notice::notice(&format!(
                "catalog {}: {} input(s) skipped (sha256 and flags unchanged), {} scanned, {} \
                 removed (no longer in the scanned folders)",
                catalog.path().display(),
                counts.skipped,
                counts.scanned,
                counts.removed
            ));
        }
    }
    let written = match write_error {
        Some(err) => Err(err),
        None => writer.finish(),
    };
    match written {
        // The reader went away (`pkglens scan ... | head`): nothing left to tell anyone.
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => {}
        other => other.context("cannot write the results")?,
    }
    Ok(all_available)
}

/// The hidden worker side of `scan` (see `pkglens::scan::pool`).
pub fn run_worker() -> ExitCode {
    match pool::serve_worker() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!(
                "pkglens scan worker: {}",
                terminal::escape_lines(&err.to_string())
            );
            ExitCode::from(2)
        }
    }
}
