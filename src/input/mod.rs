//! Inputs: what the user names on the command line, classified and read into memory.
//!
//! A file is an archive (by extension, else by its magic bytes) or a single manifest. A
//! directory with `Chart.yaml` is one chart; any other directory is walked: every archive in
//! it (outside chart folders) is an input of its own — a chart repository, with or without
//! `index.yaml` — and its remaining files, when they hold anything a package is made of,
//! are read as one more input.

use crate::detect::{is_manifest_path, KUSTOMIZATION_FILE_NAMES};
use crate::files::FileTree;
use crate::records::{sha256_hex, SourceFormat};
use crate::unpack::{self, ArchiveFormat, Limits, UnpackError, Violation};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;
use thiserror::Error;
use walkdir::WalkDir;

/// How an input is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputKind {
    Archive(ArchiveFormat),
    /// A folder read as one tree; archives in it are left out when they are inputs of their own.
    Directory {
        skip_archives: bool,
    },
    /// A single manifest file.
    Manifest(SourceFormat),
    /// The path cannot be read at all (missing, permission denied...).
    Unreadable(String),
}

/// One input to scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    pub path: PathBuf,
    pub kind: InputKind,
}

impl Input {
    /// The path as the records show it.
    pub fn display(&self) -> String {
        self.path.display().to_string()
    }

    /// The input as problems name it (`instance`): a `file:` URI of its path.
    pub fn instance(&self) -> String {
        crate::records::problem::instance_uri(&self.display())
    }

    /// The format the records name for this input.
    pub fn source_format(&self) -> SourceFormat {
        match &self.kind {
            InputKind::Archive(format) => archive_source_format(*format),
            InputKind::Directory { .. } => SourceFormat::Dir,
            InputKind::Manifest(format) => *format,
            InputKind::Unreadable(_) => guess_format(&self.path),
        }
    }

    /// A name for the package when nothing better is known: the file name without its
    /// archive or manifest extension, or the folder's name.
    pub fn base_name(&self) -> String {
        let path = fs::canonicalize(&self.path).unwrap_or_else(|_| self.path.clone());
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        for suffix in [".tar.gz", ".tgz", ".tar", ".zip", ".yaml", ".yml", ".json"] {
            if let Some(stem) = name.strip_suffix(suffix) {
                if !stem.is_empty() {
                    return stem.to_string();
                }
            }
        }
        name
    }
}

fn archive_source_format(format: ArchiveFormat) -> SourceFormat {
    match format {
        ArchiveFormat::Tar => SourceFormat::Tar,
        ArchiveFormat::TarGz => SourceFormat::Tgz,
        ArchiveFormat::Zip => SourceFormat::Zip,
    }
}

fn guess_format(path: &Path) -> SourceFormat {
    let name = path.to_string_lossy();
    match ArchiveFormat::from_file_name(&name) {
        Some(format) => archive_source_format(format),
        None if name.ends_with(".json") => SourceFormat::Json,
        None if name.ends_with(".yaml") || name.ends_with(".yml") => SourceFormat::Yaml,
        None => SourceFormat::Dir,
    }
}

fn archive_format_of_name(path: &Path) -> Option<ArchiveFormat> {
    ArchiveFormat::from_file_name(&path.to_string_lossy())
}

/// The inputs `path` stands for, in a stable order.
pub fn discover(path: &Path) -> Vec<Input> {
    let metadata = match fs::metadata(path) {
        Ok(m) => m,
        Err(err) => {
            return vec![Input {
                path: path.to_path_buf(),
                kind: InputKind::Unreadable(err.to_string()),
            }]
        }
    };
    if metadata.is_dir() {
        return discover_directory(path);
    }
    let kind = match archive_format_of_name(path).or_else(|| sniff_file(path)) {
        Some(format) => InputKind::Archive(format),
        None if path.to_string_lossy().ends_with(".json") => {
            InputKind::Manifest(SourceFormat::Json)
        }
        None => InputKind::Manifest(SourceFormat::Yaml),
    };
    vec![Input {
        path: path.to_path_buf(),
        kind,
    }]
}

fn sniff_file(path: &Path) -> Option<ArchiveFormat> {
    use std::io::Read;
    let mut head = Vec::with_capacity(512);
    fs::File::open(path)
        .ok()?
        .take(512)
        .read_to_end(&mut head)
        .ok()?;
    ArchiveFormat::sniff(&head)
}

/// Files whose presence makes a folder's loose files worth reading as a package.
fn is_package_file(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    is_manifest_path(&name)
        || name == "Chart.yaml"
        || KUSTOMIZATION_FILE_NAMES.contains(&name.as_ref())
}

fn discover_directory(dir: &Path) -> Vec<Input> {
    if dir.join("Chart.yaml").is_file() {
        return vec![Input {
            path: dir.to_path_buf(),
            kind: InputKind::Directory {
                skip_archives: false,
            },
        }];
    }
    let mut archives = Vec::new();
    let mut package_files = Vec::new();
    let mut walker = WalkDir::new(dir).sort_by_file_name().into_iter();
    while let Some(entry) = walker.next() {
        let Ok(entry) = entry else { continue };
        let path = entry.path();
        if entry.file_type().is_dir() {
            // Archives inside a chart folder are its subcharts, not inputs of their own.
            if entry.depth() > 0 && path.join("Chart.yaml").is_file() {
                package_files.push(path.join("Chart.yaml"));
                walker.skip_current_dir();
            }
            continue;
        }
        if !entry.file_type().is_file() {
            continue;
        }
        if let Some(format) = archive_format_of_name(path) {
            archives.push(Input {
                path: path.to_path_buf(),
                kind: InputKind::Archive(format),
            });
        } else if is_package_file(path) {
            package_files.push(path.to_path_buf());
        }
    }
    // A chart repository's index.yaml describes the archives beside it; it is no manifest.
    let repository_index = dir.join("index.yaml");
    package_files.retain(|p| archives.is_empty() || *p != repository_index);
    let mut inputs = Vec::new();
    if !package_files.is_empty() || archives.is_empty() {
        inputs.push(Input {
            path: dir.to_path_buf(),
            kind: InputKind::Directory {
                skip_archives: !archives.is_empty(),
            },
        });
    }
    inputs.extend(archives);
    inputs
}

/// An input read into memory.
#[derive(Debug, Default)]
pub struct Loaded {
    pub tree: FileTree,
    pub newest_mtime: Option<i64>,
    /// Unsafe entries skipped while reading (any makes the input corrupt).
    pub violations: Vec<Violation>,
    /// sha256 and size of the input file; `None` for a directory.
    pub sha256: Option<String>,
    pub size: Option<u64>,
}

/// Why an input could not be read.
#[derive(Debug, Error)]
pub enum LoadError {
    #[error("{0}")]
    Io(String),
    #[error(transparent)]
    Unpack(#[from] UnpackError),
    #[error("input file of {size} bytes is larger than the limit of {limit} bytes")]
    InputTooLarge { size: u64, limit: u64 },
}

/// A failed load, with the input file's digest when its bytes could be read (a corrupt
/// archive is still identified by its sha256).
#[derive(Debug, Error)]
#[error("{error}")]
pub struct LoadFailure {
    pub error: LoadError,
    pub sha256: Option<String>,
    pub size: Option<u64>,
}

impl From<LoadError> for LoadFailure {
    fn from(error: LoadError) -> Self {
        Self {
            error,
            sha256: None,
            size: None,
        }
    }
}

/// Reads `input` into memory within `limits`.
pub fn load(input: &Input, limits: &Limits) -> Result<Loaded, LoadFailure> {
    match &input.kind {
        InputKind::Unreadable(reason) => Err(LoadError::Io(reason.clone()).into()),
        InputKind::Archive(format) => {
            let bytes = read_input_file(&input.path, limits.max_total_size.saturating_mul(2))?;
            let sha256 = Some(sha256_hex(&bytes));
            let size = Some(bytes.len() as u64);
            match unpack::unpack(&bytes, *format, limits, 0) {
                Ok(unpacked) => Ok(Loaded {
                    tree: unpacked.tree,
                    newest_mtime: unpacked.newest_mtime,
                    violations: unpacked.violations,
                    sha256,
                    size,
                }),
                Err(error) => Err(LoadFailure {
                    error: error.into(),
                    sha256,
                    size,
                }),
            }
        }
        InputKind::Manifest(_) => {
            let bytes = read_input_file(&input.path, limits.max_file_size)?;
            let name = input
                .path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let mut loaded = Loaded {
                newest_mtime: modified_seconds(&input.path),
                sha256: Some(sha256_hex(&bytes)),
                size: Some(bytes.len() as u64),
                ..Loaded::default()
            };
            loaded.tree.insert(name, bytes);
            Ok(loaded)
        }
        InputKind::Directory { skip_archives } => {
            Ok(load_directory(&input.path, *skip_archives, limits)?)
        }
    }
}

/// Reads a file of at most `limit` bytes. An archive may hold a little more than its
/// content (headers, padding), so callers allow archives twice the total content limit.
fn read_input_file(path: &Path, limit: u64) -> Result<Vec<u8>, LoadError> {
    let size = fs::metadata(path)
        .map_err(|e| LoadError::Io(e.to_string()))?
        .len();
    if size > limit {
        return Err(LoadError::InputTooLarge { size, limit });
    }
    fs::read(path).map_err(|e| LoadError::Io(e.to_string()))
}

fn modified_seconds(path: &Path) -> Option<i64> {
    let modified = fs::symlink_metadata(path).ok()?.modified().ok()?;
    let seconds = modified.duration_since(UNIX_EPOCH).ok()?.as_secs();
    i64::try_from(seconds).ok()
}

/// Reads a folder's regular files (symlinks are not followed) under the same limits as an
/// archive; paths are relative to the folder.
fn load_directory(dir: &Path, skip_archives: bool, limits: &Limits) -> Result<Loaded, LoadError> {
    let mut loaded = Loaded::default();
    let mut entries = 0usize;
    let mut total = 0u64;
    for entry in WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.map_err(|e| LoadError::Io(e.to_string()))?;
        if entry.depth() == 0 {
            continue;
        }
        entries += 1;
        if entries > limits.max_entries {
            return Err(UnpackError::TooManyEntries {
                limit: limits.max_entries,
            }
            .into());
        }
        let is_skipped_archive = skip_archives && archive_format_of_name(entry.path()).is_some();
        let file_type = entry.file_type();
        if !(file_type.is_file() || file_type.is_symlink()) || is_skipped_archive {
            continue;
        }
        let relative = entry.path().strip_prefix(dir).unwrap_or(entry.path());
        let Some(relative) = relative.to_str() else {
            loaded.violations.push(Violation::NonUtf8Name(
                relative.to_string_lossy().into_owned(),
            ));
            continue;
        };
        let relative = relative.replace(std::path::MAIN_SEPARATOR, "/");
        // Helm follows symlinks in chart folders; one that leaves the folder is refused.
        let content_path = if file_type.is_symlink() {
            match symlink_target_inside(dir, entry.path()) {
                SymlinkTarget::File(target) => target,
                SymlinkTarget::NotAFile => continue,
                SymlinkTarget::Outside(target) => {
                    loaded.violations.push(Violation::LinkOutside {
                        link: relative,
                        target,
                    });
                    continue;
                }
            }
        } else {
            entry.path().to_path_buf()
        };
        let size = fs::metadata(&content_path).map(|m| m.len()).unwrap_or(0);
        if size > limits.max_file_size {
            return Err(UnpackError::FileTooLarge {
                path: relative,
                limit: limits.max_file_size,
            }
            .into());
        }
        total += size;
        if total > limits.max_total_size {
            return Err(UnpackError::TotalTooLarge {
                limit: limits.max_total_size,
            }
            .into());
        }
        let data =
            fs::read(&content_path).map_err(|e| LoadError::Io(format!("{relative}: {e}")))?;
        if let Some(t) = modified_seconds(entry.path()) {
            loaded.newest_mtime = Some(loaded.newest_mtime.map_or(t, |n| n.max(t)));
        }
        loaded.tree.insert(relative, data);
    }
    Ok(loaded)
}

enum SymlinkTarget {
    /// The link resolves to a regular file inside the folder.
    File(PathBuf),
    /// A folder, a dangling link or a loop: nothing to read.
    NotAFile,
    /// The link resolves outside the folder (the resolved path, for the problem).
    Outside(String),
}

fn symlink_target_inside(dir: &Path, link: &Path) -> SymlinkTarget {
    let (Ok(root), Ok(target)) = (fs::canonicalize(dir), fs::canonicalize(link)) else {
        return SymlinkTarget::NotAFile;
    };
    if !target.starts_with(&root) {
        return SymlinkTarget::Outside(target.display().to_string());
    }
    if target.is_file() {
        SymlinkTarget::File(target)
    } else {
        SymlinkTarget::NotAFile
    }
}
