//! `pkglens render [RELEASE] CHART`: print what `helm template` prints.

use super::helm_args::HelmArgs;
use anyhow::{bail, Context};
use clap::Args;
use pkglens::files::FileTree;
use pkglens::helm::loader::{load_archive, load_dir};
use pkglens::helm::manifests::PrintOptions;
use pkglens::helm::render::{render_chart, RenderOptions};
use pkglens::helm::HelmError;
use pkglens::template::KeySource;
use pkglens::terminal;
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
    #[command(flatten)]
    pub helm: HelmArgs,
    /// Only show manifests rendered from the given templates (repeatable; globs allowed).
    #[arg(short = 's', long = "show-only")]
    pub show_only: Vec<String>,
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
}

pub fn run(args: RenderArgs) -> ExitCode {
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

fn render(args: &RenderArgs) -> anyhow::Result<String> {
    // `now` and the random functions read it: an invalid value is refused, not ignored.
    pkglens::epoch::source_date_epoch()?;
    // helm's `Install.NameAndChart`, after `template` set the release name.
    let (release, chart_path) = match args.names.as_slice() {
        [chart] => ("release-name".to_string(), chart.clone()),
        [_, _] if args.generate_name => {
            bail!("cannot set --generate-name and also specify a name")
        }
        [release, chart] => (release.clone(), chart.clone()),
        [_, _, rest @ ..] => bail!(
            "expected at most two arguments, unexpected arguments: {}",
            rest.join(", ")
        ),
        [] => bail!("expected [RELEASE] CHART"),
    };
    let values = args.helm.merged_values().map_err(anyhow::Error::msg)?;
    let chart = load_chart(Path::new(&chart_path))?;
    if chart.metadata.deprecated {
        // helm's log line, on stderr before anything else (only for the chart asked for).
        eprintln!("level=WARN msg=\"this chart is deprecated\"");
    }
    let opts = RenderOptions {
        release_name: release,
        namespace: args.helm.namespace.clone(),
        is_upgrade: args.is_upgrade,
        kube_version: args.helm.kube_version.clone(),
        api_versions: args.helm.api_versions.clone(),
        values,
        print: PrintOptions {
            show_only: args.show_only.clone(),
            include_crds: args.include_crds,
            disable_hooks: args.no_hooks,
            skip_tests: args.skip_tests,
        },
        // What `render` prints may be deployed: every key is new.
        keys: KeySource::Fresh,
    };
    Ok(render_chart(chart, &opts)?.output)
}

fn load_chart(path: &Path) -> anyhow::Result<pkglens::helm::chart::Chart> {
    let meta = std::fs::metadata(path)
        .map_err(|_| anyhow::anyhow!("path {:?} not found", path.display().to_string()))?;
    if meta.is_dir() {
        Ok(load_dir(&read_dir_tree(path)?)?)
    } else {
        let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        load_archive(&bytes).map_err(|e| match e {
            HelmError::Load(m) => anyhow::anyhow!("{m}"),
            other => other.into(),
        })
    }
}

/// Reads a chart directory into memory, following symlinks as helm does.
fn read_dir_tree(dir: &Path) -> anyhow::Result<FileTree> {
    let mut tree = FileTree::new();
    for entry in walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
    {
        let entry = entry?;
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry.path().strip_prefix(dir)?;
        let name = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        let data = std::fs::read(entry.path())
            .with_context(|| format!("reading {}", entry.path().display()))?;
        tree.insert(name, data);
    }
    Ok(tree)
}
