//! `pkglens render [RELEASE] CHART`: print what `helm template` prints.

use super::helm_args::HelmArgs;
use super::install_flags::{go_parse_bool, InstallFlags};
use anyhow::{bail, Context};
use clap::Args;
use pkglens::files::FileTree;
use pkglens::helm::chart_dir::read_chart_dir;
use pkglens::helm::install::{self, NameFlags};
use pkglens::helm::loader::{load_archive, load_dir};
use pkglens::helm::log::{self, Level};
use pkglens::helm::manifests::PrintOptions;
use pkglens::helm::output_dir::{self, OutputDir};
use pkglens::helm::render::{render_chart, RenderOptions};
use pkglens::helm::{ChartError, HelmError};
use pkglens::input;
use pkglens::notice::{self, Verbosity};
use pkglens::template::KeySource;
use pkglens::terminal;
use pkglens::unpack::Limits;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct RenderArgs {
    /// `[RELEASE] CHART`: the release name (helm's default `release-name`) and the chart
    /// directory or archive.
    #[arg(required = true, num_args = 1..)]
    pub names: Vec<String>,
    /// Accepted as helm template accepts it: the release is still `release-name` when no name
    /// is given; refused beside one.
    #[arg(short = 'g', long = "generate-name")]
    pub generate_name: bool,
    /// The release name from a template (Sprig's functions, no data), instead of a NAME.
    #[arg(long = "name-template", default_value = "")]
    pub name_template: String,
    #[command(flatten)]
    pub helm: HelmArgs,
    /// Only show manifests rendered from the given templates (repeatable; globs allowed).
    #[arg(short = 's', long = "show-only")]
    pub show_only: Vec<String>,
    /// Write each template's documents to files under this folder instead of stdout
    /// (`DIR/<chart>/templates/...`).
    #[arg(long = "output-dir", default_value = "")]
    pub output_dir: String,
    /// With --output-dir: put the templates' files under `DIR/<release name>`.
    #[arg(long = "release-name")]
    pub release_name_dir: bool,
    /// Include the charts' `crds/` in the output.
    #[arg(long = "include-crds")]
    pub include_crds: bool,
    /// Accepted as helm template accepts it: it only stops installing CRDs into a cluster,
    /// so the output is the same with or without it (helm v4.1.4 prints `--include-crds`'
    /// CRDs either way).
    #[arg(long = "skip-crds")]
    pub skip_crds: bool,
    /// As helm's `--debug`: on a template that is not valid YAML, print every rendered file
    /// (on stdout, as helm does) before the error.
    #[arg(long)]
    pub debug: bool,
    /// Set .Release.IsUpgrade instead of .Release.IsInstall.
    #[arg(long = "is-upgrade")]
    pub is_upgrade: bool,
    /// Leave hooks out of the output.
    #[arg(long = "no-hooks")]
    pub no_hooks: bool,
    /// Leave test hooks out of the output.
    #[arg(long = "skip-tests")]
    pub skip_tests: bool,
    /// Do not check values against the charts' values.schema.json.
    #[arg(long = "skip-schema-validation")]
    pub skip_schema_validation: bool,
    /// `client` (what rendering is); `server` needs a cluster and is refused.
    #[arg(long = "dry-run", num_args = 0..=1, require_equals = true, default_missing_value = DRY_RUN_BARE)]
    pub dry_run: Option<String>,
    /// Deprecated in helm for `--dry-run=server`, which needs a cluster: refused.
    #[arg(long, hide = true)]
    pub validate: bool,
    /// A helm post-renderer plugin: refused (pkglens runs no plugins).
    #[arg(long = "post-renderer")]
    pub post_renderer: Option<String>,
    /// Accepted alone, as helm accepts it.
    #[arg(long = "post-renderer-args", hide = true)]
    pub post_renderer_args: Vec<String>,
    #[command(flatten)]
    pub install: InstallFlags,
}

/// What `--dry-run` holds when given without a value (pflag's `NoOptDefVal`).
const DRY_RUN_BARE: &str = "unset";

pub fn run(args: RenderArgs) -> ExitCode {
    // cobra and pflag print these while they read the command line, before anything runs.
    for notice in args.install.deprecation_notices() {
        warn(notice);
    }
    if args.validate {
        warn("Flag --validate has been deprecated, use '--dry-run=server' instead");
    }
    if let Some(value @ ("true" | "false")) = args.install.wait.as_deref() {
        let instead = if value == "true" {
            "watcher"
        } else {
            "hookOnly"
        };
        warn(&log::line(
            Level::Warn,
            &format!("--wait={value} is deprecated (boolean value) and can be replaced with --wait={instead}"),
            &[],
        ));
    }
    match render(&args) {
        Ok(text) => {
            let mut out = std::io::stdout().lock();
            if out
                .write_all(text.as_bytes())
                .and_then(|_| out.flush())
                .is_err()
            {
                return ExitCode::from(1);
            }
            ExitCode::SUCCESS
        }
        Err(err) => {
            let helm = err.downcast_ref::<HelmError>();
            if let Some(line) = helm.and_then(HelmError::install_log) {
                eprintln!("{}", terminal::escape_lines(&line));
            }
            match helm {
                // helm prints the rendered files on stdout (trimmed), the error without its
                // hint on stderr.
                Some(HelmError::InvalidYaml { message, manifest }) if args.debug => {
                    println!("{}", manifest.trim_end());
                    eprintln!("Error: {}", terminal::escape_lines(message));
                }
                _ => eprintln!("Error: {}", terminal::escape_lines(&format!("{err:#}"))),
            }
            ExitCode::from(1)
        }
    }
}

/// A line helm prints on stderr for a render that goes on: left out with `-q`.
fn warn(line: &str) {
    if notice::verbosity() > Verbosity::Quiet {
        eprintln!("{}", terminal::escape_lines(line));
    }
}

fn render(args: &RenderArgs) -> anyhow::Result<String> {
    // `now` and the random functions read it: an invalid value is refused, not ignored.
    pkglens::epoch::source_date_epoch()?;
    if let Some(plugin) = &args.post_renderer {
        bail!("--post-renderer {plugin}: post-renderers are helm plugins, and pkglens runs none (render, then pipe the output through the post-renderer)");
    }
    if args.validate && args.dry_run.is_some() {
        bail!("if any flags in the group [validate dry-run] are set none of the others can be; [dry-run validate] were all set");
    }
    // helm parses --kube-version first of all.
    if let Some(version) = &args.helm.kube_version {
        install::check_kube_version(version).map_err(HelmError::KubeVersion)?;
    }
    check_dry_run(args)?;
    let flags = NameFlags {
        generate_name: args.generate_name,
        name_template: &args.name_template,
    };
    let (release, chart_path) = install::name_and_chart(&args.names, flags)?;
    if let Some(repo) = &args.install.repo {
        bail!("--repo {repo}: pkglens renders offline and downloads no charts (fetch the chart, then render its archive)");
    }
    if args.install.verify == Some(true) {
        verify_refusal(Path::new(&chart_path))?;
    }
    let values = args.helm.merged_values().map_err(anyhow::Error::msg)?;
    let chart = load_chart(Path::new(&chart_path))?;
    if chart.metadata.deprecated {
        // helm's log line, on stderr before anything else (only for the chart asked for).
        warn(&log::line(Level::Warn, "this chart is deprecated", &[]));
    }
    let to_files = !args.output_dir.is_empty();
    let opts = RenderOptions {
        release_name: release.clone(),
        namespace: args.helm.namespace.clone(),
        is_upgrade: args.is_upgrade,
        kube_version: args.helm.kube_version.clone(),
        api_versions: args.helm.api_versions.clone(),
        values,
        print: PrintOptions {
            // With --output-dir, helm writes every file, then finds none printed to show.
            show_only: if to_files {
                Vec::new()
            } else {
                args.show_only.clone()
            },
            include_crds: args.include_crds,
            disable_hooks: args.no_hooks,
            skip_tests: args.skip_tests,
        },
        // What `render` prints may be deployed: every key is new.
        keys: KeySource::Fresh,
        skip_schema_validation: args.skip_schema_validation,
        release_labels: args.install.label_names(),
    };
    let mut log = log::Log::default();
    let rendered = render_chart(chart, &opts, &mut log);
    for line in log.lines() {
        warn(line);
    }
    let rendered = rendered.map_err(|err| match err {
        HelmError::Chart(ChartError::MissingDependencies(_))
            if args.install.dependency_update == Some(true) =>
        {
            anyhow::anyhow!("{err}\n(--dependency-update would download them: pkglens renders offline; run `helm dependency build` first)")
        }
        other => other.into(),
    })?;
    if !to_files {
        return Ok(rendered.output);
    }
    let out = OutputDir {
        dir: &args.output_dir,
        release: args.release_name_dir.then_some(release.as_str()),
    };
    output_dir::write(out, &rendered.documents, &mut std::io::stdout().lock()).map_err(
        |failed| {
            if failed.during_hooks {
                anyhow::anyhow!("{failed}")
            } else {
                anyhow::anyhow!("{failed}\n\nUse --debug flag to render out invalid YAML")
            }
        },
    )?;
    // What helm prints of the release manifest, now empty.
    match args.show_only.first() {
        Some(pattern) => Err(HelmError::ShowOnly(pattern.clone()).into()),
        None => Ok("\n".to_string()),
    }
}

/// helm template's `--dry-run` (pkg/cmd/helpers.go `cmdGetDryRunFlagStrategy`): client side
/// is what rendering is; the server side needs a cluster.
fn check_dry_run(args: &RenderArgs) -> anyhow::Result<()> {
    let server = || {
        bail!("--dry-run=server (or --validate) needs a Kubernetes cluster: pkglens renders offline, as --dry-run=client")
    };
    if args.validate {
        return server();
    }
    let Some(value) = args.dry_run.as_deref() else {
        return Ok(());
    };
    match value {
        DRY_RUN_BARE => warn(&log::line(
            Level::Warn,
            "--dry-run is deprecated and should be replaced with '--dry-run=client'",
            &[],
        )),
        "client" => {}
        "server" => return server(),
        "none" => bail!("invalid dry-run value (\"none\"). Must be \"server\" or \"client\""),
        other => match go_parse_bool(other) {
            None => bail!("invalid dry-run value ({other:?}). Must be \"none\", \"server\", or \"client\""),
            Some(false) => bail!("invalid dry-run value ({other:?}). Must be \"server\" or \"client\""),
            Some(true) => warn(&log::line(
                Level::Warn,
                &format!("boolean '--dry-run={other}' flag is deprecated and must be replaced with '--dry-run=client'"),
                &[],
            )),
        },
    }
    Ok(())
}

/// helm's `VerifyChart` refuses a chart folder before it looks for a `.prov` file.
fn verify_refusal(chart: &Path) -> anyhow::Result<()> {
    if chart.is_dir() {
        bail!("unpacked charts cannot be verified");
    }
    bail!("--verify: render does not check provenance (`pkglens scan --keyring FILE` checks the archive's .prov)")
}

fn load_chart(path: &Path) -> anyhow::Result<pkglens::helm::chart::Chart> {
    let meta = std::fs::metadata(path)
        .map_err(|_| anyhow::anyhow!("path {:?} not found", path.display().to_string()))?;
    if meta.is_dir() {
        Ok(load_dir(&read_dir_tree(path)?)?)
    } else {
        let limit = input::input_file_limit(&Limits::default());
        let bytes = input::read_named_file(path, limit)
            .with_context(|| format!("reading {}", path.display()))?;
        load_archive(&bytes).map_err(|e| match e {
            HelmError::Load(m) => anyhow::anyhow!("{m}"),
            other => other.into(),
        })
    }
}

/// Reads a chart directory as helm walks it, printing the lines helm logs on the way (also
/// when the walk fails).
fn read_dir_tree(dir: &Path) -> Result<FileTree, HelmError> {
    let mut log = log::Log::default();
    let tree = read_chart_dir(dir, &mut log);
    for line in log.lines() {
        warn(line);
    }
    tree
}
