//! `pkglens build DIR_OR_ARCHIVE`: print what `kustomize build` prints.

use anyhow::{anyhow, bail, Context, Result};
use clap::Args;
use pkglens::files::FileTree;
use pkglens::kustomize;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct BuildArgs {
    /// A kustomization directory or an archive holding one.
    pub input: PathBuf,
    /// The kustomization root inside the input.
    #[arg(long)]
    pub entry: Option<String>,
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
            eprintln!("Error: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn build(args: &BuildArgs) -> Result<String> {
    let tree = read_input(&args.input)?;
    let top = top_folder(&tree);
    let root = match &args.entry {
        Some(e) => join_top(&top, e.trim_matches('/')),
        None if kustomize::is_kustomization_dir(&tree, &top) => top.clone(),
        None => {
            let roots = kustomize::find_roots(&tree);
            match roots.as_slice() {
                [one] => one.clone(),
                [] => bail!("no kustomization found in {}", args.input.display()),
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
    Ok(kustomize::build(&tree, &root)?)
}

fn join_top(top: &str, entry: &str) -> String {
    match (top.is_empty(), entry.is_empty()) {
        (true, _) => entry.to_string(),
        (false, true) => top.to_string(),
        (false, false) => format!("{top}/{entry}"),
    }
}

/// The single folder every file lies under, or "" when there is none.
fn top_folder(tree: &FileTree) -> String {
    let mut top: Option<&str> = None;
    for (p, _) in tree.iter() {
        let Some((first, _)) = p.split_once('/') else {
            return String::new();
        };
        match top {
            None => top = Some(first),
            Some(t) if t != first => return String::new(),
            _ => {}
        }
    }
    top.unwrap_or("").to_string()
}

// TODO(unpack): switch to the shared unpacker once it lands on main.
fn read_input(path: &Path) -> Result<FileTree> {
    if path.is_dir() {
        let mut tree = FileTree::new();
        for entry in walkdir::WalkDir::new(path).sort_by_file_name() {
            let entry = entry?;
            if !entry.file_type().is_file() {
                continue;
            }
            let rel = entry.path().strip_prefix(path)?;
            let rel = rel
                .to_str()
                .ok_or_else(|| anyhow!("non-UTF-8 path {}", rel.display()))?
                .replace('\\', "/");
            tree.insert(rel, std::fs::read(entry.path())?);
        }
        return Ok(tree);
    }
    let name = path.to_string_lossy().to_ascii_lowercase();
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    if name.ends_with(".tar.gz") || name.ends_with(".tgz") {
        return read_tar(flate2::read::GzDecoder::new(file));
    }
    if name.ends_with(".tar") {
        return read_tar(file);
    }
    bail!(
        "unsupported input {} (a directory or .tar.gz/.tgz/.tar archive)",
        path.display()
    )
}

fn read_tar(r: impl Read) -> Result<FileTree> {
    let mut tree = FileTree::new();
    let mut archive = tar::Archive::new(r);
    for entry in archive.entries()? {
        let mut entry = entry?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let p = entry
            .path()?
            .to_string_lossy()
            .trim_start_matches("./")
            .to_string();
        if p.split('/').any(|c| c == "..") {
            bail!("archive entry {p} escapes the archive");
        }
        let mut data = Vec::new();
        entry.read_to_end(&mut data)?;
        tree.insert(p, data);
    }
    Ok(tree)
}
