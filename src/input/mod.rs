//! Inputs: what the user names on the command line, classified and read into memory.
//!
//! A file is an archive (by extension, else by its magic bytes) or a single manifest; `-`
//! (standard input) and pipes are read once, whole and bounded, then sniffed the same way. A
//! directory with `Chart.yaml` is one chart; any other directory is walked: every archive in
//! it (outside chart folders; a symlink to one inside the folder counts, under its own name)
//! is an input of its own — a chart repository, with or without `index.yaml` — and its
//! remaining files, when they hold anything a package is made of, are read as one more input
//! (the detect stage finds the packages in it). Devices, FIFOs and links that leave the
//! folder are never read: each is an input of its own with an unsafe-entry problem.

#[cfg(feature = "internals")]
pub mod read;
#[cfg(not(feature = "internals"))]
pub(crate) mod read;

use crate::files::FileTree;
use crate::files::{is_manifest_path, KUSTOMIZATION_FILE_NAMES};
use crate::unpack::{self, ArchiveFormat, Limits, UnpackError, Violation};
pub use read::ReadError;
use read::Special;
use sha2::{Digest, Sha256};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::UNIX_EPOCH;
use thiserror::Error;
use walkdir::WalkDir;

/// The input name that stands for standard input.
pub const STDIN: &str = "-";

/// Lower-case hex sha256 of `bytes`: an input's digest, as the records print it.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The syntax of a single manifest file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ManifestFormat {
    /// YAML (`.yaml`, `.yml`): one or more documents.
    Yaml,
    /// JSON (`.json`).
    Json,
}

/// How an input is read.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum InputKind {
    /// An archive of this format.
    Archive(ArchiveFormat),
    /// A folder read as one tree; archives in it are left out when they are inputs of their
    /// own, and so are the unsafe entries discovery already reported as inputs of their own.
    Directory {
        /// Leave out archives: they are inputs of their own.
        skip_archives: bool,
        /// Leave out unsafe entries: discovery reported them already.
        unsafe_reported: bool,
    },
    /// A single manifest file.
    Manifest(ManifestFormat),
    /// The path cannot be read at all (missing, permission denied...).
    Unreadable(String),
    /// Refused without reading: a device, a link leaving the scanned folder, a FIFO in a folder.
    Unsafe(String),
    /// A stream that outgrew the input limit while discovery read it.
    TooLarge(String),
}

/// One input to scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// The path as the user named it (`-` for stdin).
    pub path: PathBuf,
    /// How it is read.
    pub kind: InputKind,
    /// The bytes, when discovery had to read them (stdin and pipes can be read only once).
    pub data: Option<Arc<Vec<u8>>>,
}

impl Input {
    /// An input read from its path when it is scanned.
    pub fn at(path: impl Into<PathBuf>, kind: InputKind) -> Self {
        Self {
            path: path.into(),
            kind,
            data: None,
        }
    }

    /// The path as the records show it.
    pub fn display(&self) -> String {
        self.path.display().to_string()
    }

    /// A name for the package when nothing better is known: the file name without its
    /// archive or manifest extension, or the folder's name (`stdin` for standard input).
    pub fn base_name(&self) -> String {
        if self.path.as_os_str() == STDIN {
            return "stdin".to_string();
        }
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

    /// The name a single manifest gets in the input's tree: its file name, or one with a
    /// manifest extension for a stream whose name has none (`-` is `stdin.yaml`).
    fn manifest_file_name(&self) -> String {
        let name = self
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if is_manifest_path(&name) {
            return name;
        }
        let extension = match self.kind {
            InputKind::Manifest(ManifestFormat::Json) => "json",
            _ => "yaml",
        };
        let stem = if self.path.as_os_str() == STDIN || name.is_empty() {
            "stdin"
        } else {
            &name
        };
        format!("{stem}.{extension}")
    }
}

fn archive_format_of_name(path: &Path) -> Option<ArchiveFormat> {
    ArchiveFormat::from_file_name(&path.to_string_lossy())
}

/// The most bytes an input file may have: an archive may hold a little more than its
/// content (headers, padding), so twice the total content limit.
pub fn input_file_limit(limits: &Limits) -> u64 {
    limits.max_total_size.saturating_mul(2)
}

/// Reads a file the user names beside the inputs (a values file, `render`'s chart archive) as
/// an input is read: a FIFO without a writer does not block, and no more than `limit` bytes
/// are read whatever the file claims (`/dev/zero` claims none). The error is an I/O error, so
/// callers word it as they word a failed read.
pub fn read_named_file(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    read::read_path(path, limit).map_err(ReadError::into_io)
}

/// The inputs `path` stands for, in a stable order. `-` is standard input; pipes and FIFOs
/// are read here, once, so that sniffing their format does not consume them.
pub fn discover(path: &Path, limits: &Limits) -> Vec<Input> {
    if path.as_os_str() == STDIN {
        let read = read::read_bounded(&mut std::io::stdin().lock(), input_file_limit(limits));
        return vec![stream_input(path, read)];
    }
    let metadata = match fs::metadata(path) {
        Ok(m) => m,
        Err(err) => return vec![Input::at(path, InputKind::Unreadable(err.to_string()))],
    };
    if metadata.is_dir() {
        return discover_directory(path);
    }
    match read::special_kind(&metadata) {
        Some(Special::Pipe) => {
            let read = read::read_path(path, input_file_limit(limits));
            return vec![stream_input(path, read)];
        }
        Some(Special::Device) => {
            let reason = format!("{} is a device or socket, not a file", path.display());
            return vec![Input::at(path, InputKind::Unsafe(reason))];
        }
        None => {}
    }
    let kind = match archive_format_of_name(path).or_else(|| sniff_file(path)) {
        Some(format) => InputKind::Archive(format),
        None if path.to_string_lossy().ends_with(".json") => {
            InputKind::Manifest(ManifestFormat::Json)
        }
        None => InputKind::Manifest(ManifestFormat::Yaml),
    };
    vec![Input::at(path, kind)]
}

/// A stream read whole: an archive by its magic bytes, otherwise a manifest (JSON when it
/// opens with `{` or `[`).
fn stream_input(path: &Path, read: Result<Vec<u8>, ReadError>) -> Input {
    let data = match read {
        Ok(data) => data,
        Err(err @ ReadError::TooLarge { .. }) => {
            return Input::at(path, InputKind::TooLarge(err.to_string()))
        }
        Err(err) => return Input::at(path, InputKind::Unreadable(err.to_string())),
    };
    let kind = match ArchiveFormat::sniff(&data) {
        Some(format) => InputKind::Archive(format),
        None => match data.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'{' | b'[') => InputKind::Manifest(ManifestFormat::Json),
            _ => InputKind::Manifest(ManifestFormat::Yaml),
        },
    };
    Input {
        path: path.to_path_buf(),
        kind,
        data: Some(Arc::new(data)),
    }
}

fn sniff_file(path: &Path) -> Option<ArchiveFormat> {
    let mut head = Vec::with_capacity(512);
    read::open_nonblocking(path)
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

/// A folder's path relative to the scanned folder, `/`-separated, for problems.
fn relative_name(dir: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(dir).unwrap_or(path);
    relative
        .to_string_lossy()
        .replace(std::path::MAIN_SEPARATOR, "/")
}

/// Why a folder entry cannot be read as a file, when it is unsafe to read at all.
fn unsafe_entry(dir: &Path, path: &Path, file_type: fs::FileType) -> Option<Violation> {
    let relative = relative_name(dir, path);
    if file_type.is_symlink() {
        return match symlink_target_inside(dir, path) {
            SymlinkTarget::Outside(target) => Some(Violation::LinkOutside {
                link: relative,
                target,
            }),
            SymlinkTarget::Special => Some(Violation::SpecialFile(relative)),
            SymlinkTarget::Loop(target) => Some(Violation::LinkLoop {
                link: relative,
                target,
            }),
            SymlinkTarget::File(_) | SymlinkTarget::NotAFile => None,
        };
    }
    (!file_type.is_file() && !file_type.is_dir()).then_some(Violation::SpecialFile(relative))
}

fn discover_directory(dir: &Path) -> Vec<Input> {
    if dir.join("Chart.yaml").is_file() {
        return vec![Input::at(
            dir,
            InputKind::Directory {
                skip_archives: false,
                unsafe_reported: false,
            },
        )];
    }
    let mut archives = Vec::new();
    let mut refused = Vec::new();
    let mut package_files = Vec::new();
    let mut chart_dirs: Vec<PathBuf> = Vec::new();
    for entry in WalkDir::new(dir).sort_by_file_name() {
        let Ok(entry) = entry else { continue };
        let path = entry.path();
        let file_type = entry.file_type();
        if file_type.is_dir() {
            if entry.depth() > 0 && path.join("Chart.yaml").is_file() {
                chart_dirs.push(path.to_path_buf());
                package_files.push(path.join("Chart.yaml"));
            }
            continue;
        }
        // Unsafe entries are inputs of their own (a corrupt result each): the packages
        // around them are still scanned.
        if let Some(violation) = unsafe_entry(dir, path, file_type) {
            refused.push(Input::at(path, InputKind::Unsafe(violation.to_string())));
            continue;
        }
        let readable_link = file_type.is_symlink()
            && matches!(symlink_target_inside(dir, path), SymlinkTarget::File(_));
        if !file_type.is_file() && !readable_link {
            continue;
        }
        // Archives inside a chart folder are its subcharts, not inputs of their own.
        let in_chart = chart_dirs.iter().any(|c| path.starts_with(c));
        match archive_format_of_name(path) {
            Some(format) if !in_chart => archives.push(Input::at(path, InputKind::Archive(format))),
            _ if is_package_file(path) => package_files.push(path.to_path_buf()),
            _ => {}
        }
    }
    // A chart repository's index.yaml describes the archives beside it; it is no manifest.
    let repository_index = dir.join("index.yaml");
    package_files.retain(|p| archives.is_empty() || *p != repository_index);
    let mut inputs = Vec::new();
    if !package_files.is_empty() || archives.is_empty() && refused.is_empty() {
        inputs.push(Input::at(
            dir,
            InputKind::Directory {
                skip_archives: !archives.is_empty(),
                unsafe_reported: true,
            },
        ));
    }
    inputs.extend(archives);
    inputs.extend(refused);
    inputs
}

/// An input read into memory.
#[derive(Debug, Default)]
pub struct Loaded {
    /// The input's files.
    pub tree: FileTree,
    /// Newest modification time of the input's files, in seconds since the Unix epoch.
    pub newest_mtime: Option<i64>,
    /// Unsafe entries skipped while reading (any makes the input corrupt).
    pub violations: Vec<Violation>,
    /// sha256 and size of the input file; `None` for a directory.
    pub sha256: Option<String>,
    /// Size in bytes of the input file; `None` for a directory.
    pub size: Option<u64>,
}

/// Why an input could not be read.
#[derive(Debug, Error)]
pub enum LoadError {
    /// The input could not be read.
    #[error("{0}")]
    Io(String),
    /// The archive could not be read.
    #[error(transparent)]
    Unpack(#[from] UnpackError),
    /// The input file is larger than the input limit.
    #[error("input file of {size} bytes is larger than the limit of {limit} bytes")]
    InputTooLarge {
        /// The file's size in bytes.
        size: u64,
        /// The limit in bytes.
        limit: u64,
    },
    /// A stream over the limit (its size is unknown: it was never read whole).
    #[error("{0}")]
    StreamTooLarge(String),
    /// An entry refused as unsafe to read (a device, FIFO, or link leaving the folder).
    #[error("{0}")]
    Unsafe(String),
}

impl From<ReadError> for LoadError {
    fn from(error: ReadError) -> Self {
        match error {
            ReadError::TooLarge { .. } => Self::StreamTooLarge(error.to_string()),
            other => Self::Io(other.to_string()),
        }
    }
}

/// A failed load, with the input file's digest when its bytes could be read (a corrupt
/// archive is still identified by its sha256).
#[derive(Debug, Error)]
#[error("{error}")]
pub struct LoadFailure {
    /// Why the input could not be loaded.
    pub error: LoadError,
    /// sha256 of the input file, when its bytes could be read.
    pub sha256: Option<String>,
    /// Size of the input file in bytes, when known.
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
        InputKind::Unsafe(reason) => Err(LoadError::Unsafe(reason.clone()).into()),
        InputKind::TooLarge(reason) => Err(LoadError::StreamTooLarge(reason.clone()).into()),
        InputKind::Archive(format) => {
            let bytes = input_bytes(input, input_file_limit(limits))?;
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
            let bytes = input_bytes(input, limits.max_file_size)?;
            let mut loaded = Loaded {
                newest_mtime: input
                    .data
                    .is_none()
                    .then(|| modified_seconds(&input.path))
                    .flatten(),
                sha256: Some(sha256_hex(&bytes)),
                size: Some(bytes.len() as u64),
                ..Loaded::default()
            };
            loaded.tree.insert(input.manifest_file_name(), bytes);
            Ok(loaded)
        }
        InputKind::Directory {
            skip_archives,
            unsafe_reported,
        } => Ok(load_directory(
            &input.path,
            *skip_archives,
            *unsafe_reported,
            limits,
        )?),
    }
}

/// The sha256 a scan would record for the input (`source.sha256`), read now within the same
/// bounds; `None` for folders and for inputs that cannot be read (they are always scanned).
pub(crate) fn content_sha256(input: &Input, limits: &Limits) -> Option<String> {
    let limit = match input.kind {
        InputKind::Archive(_) => input_file_limit(limits),
        InputKind::Manifest(_) => limits.max_file_size,
        _ => return None,
    };
    input_bytes(input, limit)
        .ok()
        .map(|bytes| sha256_hex(&bytes))
}

/// The input's bytes (read by discovery, or from its file now), at most `limit` of them.
fn input_bytes(input: &Input, limit: u64) -> Result<Vec<u8>, LoadError> {
    let Some(data) = &input.data else {
        return read_input_file(&input.path, limit);
    };
    let size = data.len() as u64;
    if size > limit {
        return Err(LoadError::InputTooLarge { size, limit });
    }
    Ok(data.to_vec())
}

/// Reads a file of at most `limit` bytes: refused at once when its metadata says it is
/// bigger, and the read itself stops at the limit whatever the metadata said.
fn read_input_file(path: &Path, limit: u64) -> Result<Vec<u8>, LoadError> {
    let size = fs::metadata(path)
        .map_err(|e| LoadError::Io(e.to_string()))?
        .len();
    if size > limit {
        return Err(LoadError::InputTooLarge { size, limit });
    }
    Ok(read::read_path(path, limit)?)
}

fn modified_seconds(path: &Path) -> Option<i64> {
    let modified = fs::symlink_metadata(path).ok()?.modified().ok()?;
    let seconds = modified.duration_since(UNIX_EPOCH).ok()?.as_secs();
    i64::try_from(seconds).ok()
}

/// Reads a folder's regular files, and the symlinks to regular files inside it, under the
/// same limits as an archive; paths are relative to the folder. Unsafe entries (devices,
/// FIFOs, links leaving the folder) are violations, unless discovery already reported them.
fn load_directory(
    dir: &Path,
    skip_archives: bool,
    unsafe_reported: bool,
    limits: &Limits,
) -> Result<Loaded, LoadError> {
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
        let file_type = entry.file_type();
        if file_type.is_dir() || skip_archives && archive_format_of_name(entry.path()).is_some() {
            continue;
        }
        if let Some(violation) = unsafe_entry(dir, entry.path(), file_type) {
            if !unsafe_reported {
                loaded.violations.push(violation);
            }
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
        // Helm follows symlinks in chart folders (one leaving the folder was refused above).
        let content_path = if file_type.is_symlink() {
            match symlink_target_inside(dir, entry.path()) {
                SymlinkTarget::File(target) => target,
                _ => continue,
            }
        } else {
            entry.path().to_path_buf()
        };
        let data = match read::read_path(&content_path, limits.max_file_size) {
            Ok(data) => data,
            Err(ReadError::TooLarge { limit }) => {
                return Err(UnpackError::FileTooLarge {
                    path: relative,
                    limit,
                }
                .into())
            }
            Err(err) => return Err(LoadError::Io(format!("{relative}: {err}"))),
        };
        total += data.len() as u64;
        if total > limits.max_total_size {
            return Err(UnpackError::TotalTooLarge {
                limit: limits.max_total_size,
            }
            .into());
        }
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
    /// A folder that does not hold the link, or a dangling link: nothing to read.
    NotAFile,
    /// A loop: links that lead back (too many levels to resolve), or a folder holding the
    /// link itself, which a walk following links would enter without end (what it points
    /// to, for the problem).
    Loop(String),
    /// The link resolves to a FIFO, device or socket inside the folder.
    Special,
    /// The link resolves outside the folder (the resolved path, for the problem); `/proc`
    /// and `/dev` are always outside.
    Outside(String),
}

fn symlink_target_inside(dir: &Path, link: &Path) -> SymlinkTarget {
    let Ok(root) = fs::canonicalize(dir) else {
        return SymlinkTarget::NotAFile;
    };
    // A loop is shown as the link says where it points.
    let written = || {
        let target = fs::read_link(link).unwrap_or_default();
        SymlinkTarget::Loop(target.display().to_string())
    };
    let target = match fs::canonicalize(link) {
        Ok(target) => target,
        Err(err) if err.raw_os_error() == Some(libc::ELOOP) => return written(),
        Err(_) => return SymlinkTarget::NotAFile,
    };
    if !target.starts_with(&root) {
        return SymlinkTarget::Outside(target.display().to_string());
    }
    let holds_the_link = || {
        let folder = link.parent().and_then(|p| fs::canonicalize(p).ok());
        folder.is_some_and(|folder| folder.starts_with(&target))
    };
    match fs::metadata(&target) {
        Ok(m) if m.is_file() => SymlinkTarget::File(target),
        Ok(m) if read::special_kind(&m).is_some() => SymlinkTarget::Special,
        Ok(m) if m.is_dir() && holds_the_link() => written(),
        _ => SymlinkTarget::NotAFile,
    }
}
