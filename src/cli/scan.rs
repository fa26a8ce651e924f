//! `pkglens scan`: scan inputs and print ScanResult records.

use super::helm_args::HelmArgs;
use super::output_file::write_output;
use anyhow::Context;
use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use pkglens::catalog::scan::scan_with_catalog;
use pkglens::catalog::Catalog;
use pkglens::gate::{input_unreadable, sarif, Failure, Gate, Policy, Rule, GATE_NAMES};
use pkglens::helm::render::RenderOptions;
use pkglens::notice;
use pkglens::notice::Verbosity;
use pkglens::output::{Format, ImageSelection, ResultWriter};
use pkglens::records::ScanResult;
use pkglens::scan::pool::{self, Isolation};
use pkglens::scan::shard::Shard;
use pkglens::scan::{self, ScanOptions};
use pkglens::terminal;
use pkglens::unpack::Limits;
use pkglens::verify::Verifier;
use std::io::{self, IsTerminal, Write};
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
    /// SARIF 2.1.0 of the gate failures (the `--fail-on` rules; `problems` without it).
    Sarif,
}

impl OutputFormat {
    /// How the records are printed in this format; `None` for SARIF, which prints the gate
    /// failures instead.
    pub fn records(self, images: ImageSelection) -> Option<Format> {
        match self {
            OutputFormat::Json => Some(Format::Json),
            OutputFormat::Ndjson => Some(Format::Ndjson),
            OutputFormat::Table => Some(Format::Table),
            OutputFormat::Astra => Some(Format::Astra),
            OutputFormat::Images => Some(Format::Images(images)),
            OutputFormat::Sarif => None,
        }
    }
}

/// How and where the records are printed (`scan` and `merge`).
#[derive(Args, Debug)]
pub struct RecordOutputArgs {
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
}

impl RecordOutputArgs {
    /// How the records are printed; `None` for SARIF, which prints gate failures instead.
    pub fn records(&self) -> Option<Format> {
        self.format.records(ImageSelection {
            candidates: !self.no_candidates,
            tests: self.include_tests,
        })
    }
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
    #[command(flatten)]
    pub out: RecordOutputArgs,
    /// Worker threads (default: one per core).
    #[arg(short = 'j', long)]
    pub jobs: Option<usize>,
    /// Exit with code 1 when a gate fails (comma list, repeatable): problems (any problem,
    /// advisories included), advisories, unpinned (no digest), latest (`:latest` or no tag),
    /// missing (in no --image-store), registry (outside --allowed-registries), candidates (the
    /// rules on candidate images too).
    #[arg(
        long = "fail-on",
        value_delimiter = ',',
        value_parser = PossibleValuesParser::new(GATE_NAMES).try_map(|name| name.parse::<Gate>())
    )]
    pub fail_on: Vec<Gate>,
    /// Registries the `registry` gate allows (comma list, repeatable): a host such as
    /// `docker.io` or `registry.example.com:5000`, optionally with a path (`ghcr.io/acme`).
    #[arg(
        long = "allowed-registries",
        value_delimiter = ',',
        value_name = "REGISTRY"
    )]
    pub allowed_registries: Vec<String>,
    /// An OCI image layout (folder or tar) or `docker save` archive holding the images
    /// (repeatable): matched images get their manifest digest; needed images none holds are
    /// a problem.
    #[arg(long = "image-store", value_name = "PATH")]
    pub image_stores: Vec<PathBuf>,
    /// Public keyring (GnuPG, binary or armoured) to verify the signatures of the `.prov`
    /// files beside chart archives; without it only their sums are checked.
    #[arg(long, value_name = "FILE")]
    pub keyring: Option<PathBuf>,
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
    /// Scan only slice K of N (K from 0 to N-1, as JOB_COMPLETION_INDEX counts) of the inputs
    /// found, in order: N shards' ndjson outputs, joined by `pkglens merge` in shard order, are
    /// what one scan over all inputs prints.
    #[arg(long, value_name = "K/N", conflicts_with = "catalog")]
    pub shard: Option<Shard>,
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

fn scan(args: ScanArgs) -> anyhow::Result<ExitCode> {
    let sarif = matches!(args.out.format, OutputFormat::Sarif);
    // SARIF reports the problems when no gate is named; only named gates change the exit code.
    let gates = match (args.fail_on.is_empty(), sarif) {
        (true, true) => vec![Gate::Rule(Rule::Problems)],
        _ => args.fail_on.clone(),
    };
    let limits = Limits {
        max_entries: args.max_entries,
        max_file_size: args.max_file_size,
        max_total_size: args.max_total_size,
        max_expansion_ratio: args.max_expansion_ratio,
        max_nesting: args.max_nesting,
    };
    let verifier = Verifier::load(
        &args.image_stores,
        &args.inputs,
        args.keyring.as_deref(),
        &limits,
    )?;
    let gate = GateRun {
        policy: Policy::new(&gates, &args.allowed_registries, verifier.stores.clone())?,
        enforced: !args.fail_on.is_empty(),
        sarif,
    };
    let options = ScanOptions {
        limits,
        input_limits: Default::default(),
        source_date_epoch: pkglens::epoch::source_date_epoch()?,
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
    let format = args
        .out
        .records()
        // Nothing per result: the gate failures are written at the end.
        .unwrap_or(Format::Json);
    let mut catalog = args
        .catalog
        .as_deref()
        .map(Catalog::open_or_create)
        .transpose()?;
    let run = ScanRun {
        inputs: &args.inputs,
        options: &options,
        catalog: catalog.as_mut(),
        verifier: &verifier,
        shard: args.shard,
    };
    let outcome = write_output(args.out.output.as_deref(), |out| {
        write_results(run, format, &gate, out)
    })?;
    Ok(if outcome.unreadable_input {
        ExitCode::from(2)
    } else if gate.enforced && outcome.gate_failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The gates a scan checks, and what it does with their failures.
struct GateRun {
    policy: Policy,
    /// `--fail-on` was given: failures go to stderr, one a line, and make the exit code 1.
    enforced: bool,
    /// `--format sarif`: the failures are the output.
    sarif: bool,
}

/// What decides the exit code.
struct Outcome {
    /// An input path does not exist or cannot be read.
    unreadable_input: bool,
    gate_failed: bool,
}

/// What to scan, and the catalog to keep the results in, if any.
struct ScanRun<'a> {
    inputs: &'a [PathBuf],
    options: &'a ScanOptions,
    catalog: Option<&'a mut Catalog>,
    /// What the results are checked against (image stores, repository indexes), in this
    /// process.
    verifier: &'a Verifier,
    /// The one slice of the inputs to scan (`--shard`), if any.
    shard: Option<Shard>,
}

/// Scans, checks the gates and writes every result (or, for SARIF, the gate failures) to `out`.
fn write_results(
    run: ScanRun<'_>,
    format: Format,
    gate: &GateRun,
    mut out: impl Write,
) -> anyhow::Result<Outcome> {
    let mut writer = (!gate.sarif).then(|| ResultWriter::new(format, &mut out));
    let mut outcome = Outcome {
        unreadable_input: false,
        gate_failed: false,
    };
    let mut failures = Vec::new();
    let mut write_error = None;
    let inputs = scan::discover(run.inputs, run.options);
    let inputs = run.shard.map_or(&inputs[..], |shard| shard.slice(&inputs));
    let progress = Progress::start(inputs.len());
    let mut emit = |mut result: ScanResult| {
        run.verifier.apply(&mut result);
        outcome.unreadable_input |= input_unreadable(&result);
        let found = gate.policy.check(&result);
        outcome.gate_failed |= !found.is_empty();
        if gate.enforced {
            progress.suspend(|| {
                for failure in &found {
                    eprintln!(
                        "pkglens: gate failed: {}",
                        terminal::escape_lines(&failure.to_string())
                    );
                }
            });
        }
        if gate.sarif {
            failures.extend(found);
        }
        if let Some(writer) = writer.as_mut().filter(|_| write_error.is_none()) {
            write_error = writer.write(result).err();
        }
    };
    let mut problems = 0;
    let mut emit_input = |results: Vec<ScanResult>| {
        problems += results.iter().map(|r| r.problems.len()).sum::<usize>();
        progress.input_done(problems);
        results.into_iter().for_each(&mut emit)
    };
    match run.catalog {
        None => {
            scan::scan_inputs(inputs, run.options, |_, results| emit_input(results))?;
            progress.finish();
        }
        Some(catalog) => {
            let counts = scan_with_catalog(catalog, run.inputs, inputs, run.options, emit_input)?;
            progress.finish();
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
    run.verifier
        .unscanned_results()
        .into_iter()
        .for_each(&mut emit);
    let written = match (write_error, writer) {
        (Some(err), _) => Err(err),
        (None, Some(writer)) => writer.finish(),
        (None, None) => write_sarif(&gate.policy, &failures, &mut out),
    };
    match written {
        // The reader went away (`pkglens scan ... | head`): nothing left to tell anyone.
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => {}
        other => other.context("cannot write the results")?,
    }
    Ok(outcome)
}

/// The progress bar on stderr (inputs done / total, rate, ETA, problems so far): only when
/// stderr is a terminal, and not with `-q`.
struct Progress(Option<ProgressBar>);

impl Progress {
    fn start(inputs: usize) -> Self {
        let shown = io::stderr().is_terminal() && notice::verbosity() > Verbosity::Quiet;
        Self(shown.then(|| {
            let bar =
                ProgressBar::with_draw_target(Some(inputs as u64), ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template(
                "{wide_bar} {pos}/{len} inputs, {per_sec}, ETA {eta}, {msg}",
            );
            // The template is ours and fixed; were it refused, the default style does.
            if let Ok(style) = style {
                bar.set_style(style);
            }
            bar.set_message("0 problems");
            bar
        }))
    }

    fn input_done(&self, problems_so_far: usize) {
        if let Some(bar) = &self.0 {
            bar.set_message(format!("{problems_so_far} problems"));
            bar.inc(1);
        }
    }

    /// Runs `print` (lines for stderr) with the bar out of the way.
    fn suspend(&self, print: impl FnOnce()) {
        match &self.0 {
            Some(bar) => bar.suspend(print),
            None => print(),
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

fn write_sarif(policy: &Policy, failures: &[Failure], mut out: impl Write) -> io::Result<()> {
    let base = std::env::current_dir().unwrap_or_default();
    let log = sarif::log(&policy.rules(), failures, &base);
    serde_json::to_writer_pretty(&mut out, &log)?;
    out.write_all(b"\n")?;
    out.flush()
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
