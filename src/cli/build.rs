//! `pkglens build DIR_OR_ARCHIVE`: print what `kustomize build` prints.

use anyhow::{bail, Result};
use clap::Args;
use pkglens::detect::top_folder;
use pkglens::files::FileTree;
use pkglens::input::{self, Input, InputKind};
use pkglens::kustomize;
use pkglens::terminal;
use pkglens::unpack::{ArchiveFormat, Limits};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct BuildArgs {
    /// A kustomization directory or an archive holding one.
    pub input: PathBuf,
    /// The kustomization root inside the input.
    #[arg(long)]
    pub entry: Option<String>,
    /// Inflate `helmCharts` from chart folders inside the input (never fetched).
    #[arg(long)]
    pub enable_helm: bool,
}

pub fn run(args: BuildArgs) -> ExitCode {
    match build(&args) {
        Ok(out) => {
            let mut stdout = std::io::stdout().lock();
            if stdout
                .write_all(out.as_bytes())
                .and_then(|_| stdout.flush())
                .is_err()
            {
                return ExitCode::from(1);
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("Error: {}", terminal::escape_lines(&format!("{e:#}")));
            ExitCode::from(1)
        }
    }
}

fn build(args: &BuildArgs) -> Result<String> {
    // Charts inflated from helmCharts read it: an invalid value is refused, not ignored.
    pkglens::epoch::source_date_epoch()?;
    let tree = read_input(&args.input)?;
    let top = top_folder(&tree).unwrap_or_default();
    let root = match &args.entry {
        Some(e) => join_top(&top, e.trim_matches('/')),
        None if kustomize::is_kustomization_dir(&tree, &top) => top.clone(),
        None => {
            let roots = kustomize::find_roots(&tree);
            match roots.as_slice() {
                [one] => one.clone(),
                [] => {
                    let shown =
                        std::fs::canonicalize(&args.input).unwrap_or_else(|_| args.input.clone());
                    let folder = [shown.to_string_lossy().as_ref(), top.as_str()]
                        .iter()
                        .filter(|part| !part.is_empty())
                        .copied()
                        .collect::<Vec<_>>()
                        .join("/");
                    return Err(kustomize::KustomizeError::MissingKustomization(folder).into());
                }
                many => bail!(
                    "{} kustomization roots in {}; pick one with --entry: {}",
                    many.len(),
                    args.input.display(),
                    many.iter()
                        .map(|r| r.strip_prefix(&format!("{top}/")).unwrap_or(r).to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            }
        }
    };
    let options = kustomize::BuildOptions {
        enable_helm: args.enable_helm,
    };
    // A folder's bases may lie anywhere on disk, as kustomize loads them; an
    // archive's must lie inside it.
    let files = if args.input.is_dir() {
        kustomize::Files::on_disk(&tree, &args.input)
    } else {
        kustomize::Files::in_tree(&tree)
    };
    Ok(kustomize::build_with(files, &root, &options)?)
}

/// Why a path that does not exist cannot be built, in kustomize's words (Go's
/// `filepath.EvalSymlinks` failing on the first missing part of the absolute path).
fn missing_path(path: &Path) -> String {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut missing = PathBuf::new();
    for part in abs.components() {
        missing.push(part);
        if std::fs::symlink_metadata(&missing).is_err() {
            break;
        }
    }
    format!(
        "evalsymlink failure on '{}' : lstat {}: no such file or directory",
        abs.display(),
        missing.display()
    )
}

fn join_top(top: &str, entry: &str) -> String {
    match (top.is_empty(), entry.is_empty()) {
        (true, _) => entry.to_string(),
        (false, true) => top.to_string(),
        (false, false) => format!("{top}/{entry}"),
    }
}

/// The input's files: a directory as it is, an archive unpacked under the usual limits.
fn read_input(path: &Path) -> Result<FileTree> {
    if std::fs::symlink_metadata(path).is_err() {
        bail!(
            "must build at directory: not a valid directory: {}",
            missing_path(path)
        );
    }
    let kind = if path.is_dir() {
        // Archives are files like any other to kustomize (a generator may embed one).
        InputKind::Directory {
            skip_archives: false,
            unsafe_reported: false,
        }
    } else {
        let name = path.to_string_lossy();
        match ArchiveFormat::from_file_name(&name) {
            Some(format) => InputKind::Archive(format),
            None => bail!(
                "{} is neither a directory nor a .tar.gz/.tgz/.tar/.zip archive",
                path.display()
            ),
        }
    };
    let input = Input::at(path, kind);
    let loaded = input::load(&input, &Limits::default())?;
    if let Some(v) = loaded.violations.first() {
        bail!("unsafe archive entry: {v}");
    }
    Ok(loaded.tree)
}
