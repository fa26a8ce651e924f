//! Turning files into a [`Chart`], as Helm's chart loader does: Chart.yaml, values.yaml,
//! values.schema.json, requirements.yaml (apiVersion v1), `templates/`, and `charts/` holding
//! subcharts as directories or `.tgz` archives, nested to any depth Helm allows and the scan's
//! [`Limits`] bound (an archive may hold archives in turn: without a bound a hostile chart
//! could nest or fan out without end).

use super::chart::{
    parse_dependencies, Chart, ChartFile, ChartYamlError, InvalidMetadata, Metadata,
};
use super::helmignore::{RuleError, Rules};
use super::values::{load_values, ValuesError};
use super::HelmError;
use crate::budget::{LimitExceeded, LimitKind};
use crate::files::FileTree;
use crate::unpack::{Limits, UnpackError};
use std::collections::BTreeMap;
use std::io::Read;
use std::sync::Arc;

/// Helm's cap on one chart archive's decompressed size.
pub(crate) const MAX_DECOMPRESSED_CHART_SIZE: u64 = 100 * 1024 * 1024;
/// Helm's cap on one file of a chart directory.
pub(crate) const MAX_DECOMPRESSED_FILE_SIZE: u64 = 5 * 1024 * 1024;
/// Subchart folders nested deeper than this are refused (the loader recurses per level).
const MAX_CHART_DEPTH: usize = 64;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Why a chart's files could not be loaded, with Helm's loader message as its text.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LoadError {
    /// A `.helmignore` line Helm refuses.
    #[error("{0}")]
    Ignore(RuleError),
    /// A file of a chart folder over Helm's cap (the file's base name).
    #[error("chart file {0:?} is larger than the maximum file size {MAX_DECOMPRESSED_FILE_SIZE}")]
    FileTooLarge(String),
    /// A link in a chart folder that does not resolve (the link, Go's reason).
    #[error("error evaluating symlink {path}: {reason}")]
    Symlink {
        /// The link's path as walked.
        path: String,
        /// Why `filepath.EvalSymlinks` failed.
        reason: String,
    },
    /// A chart folder entry that is neither a folder nor a regular file (its path).
    #[error("cannot load irregular file {0} as it has file mode type bits set")]
    Irregular(String),
    /// A chart folder file that could not be read (its name in the chart, the reason).
    #[error("error reading {name}: {error}")]
    ReadFile {
        /// The file's path inside the chart.
        name: String,
        /// `os.ReadFile`'s error, as Go words it.
        error: String,
    },
    /// A chart folder that could not be walked (Go's `*PathError` text).
    #[error("{0}")]
    Walk(String),
    /// A chart archive over Helm's cap, decompressed.
    #[error(
        "decompressed chart is larger than the maximum file size {MAX_DECOMPRESSED_CHART_SIZE}"
    )]
    ArchiveTooLarge,
    /// The gzip or tar reader's own error.
    #[error("{0}")]
    Read(String),
    /// An archive entry with an absolute path.
    #[error("chart illegally contains absolute paths")]
    AbsolutePath,
    /// An entry that is the archive's top folder itself (its path as given).
    #[error("chart illegally contains content outside the base directory: {0:?}")]
    OutsideBase(String),
    /// An archive entry leaving the chart's folder (`..`).
    #[error("chart illegally references parent directory")]
    ParentDirectory,
    /// An archive entry named as a Windows drive path (`c:/...`).
    #[error("chart contains illegally named files")]
    IllegalName,
    /// An archive whose Chart.yaml is not in a folder.
    #[error("chart yaml not in base directory")]
    ChartYamlNotInBase,
    /// An archive without files.
    #[error("no files in chart archive")]
    NoFiles,
    /// A chart without Chart.yaml.
    #[error("Chart.yaml file is missing")]
    NoChartYaml,
    /// A Chart.yaml that does not read.
    #[error("cannot load Chart.yaml: {0}")]
    ChartYaml(ChartYamlError),
    /// A values.yaml that does not load.
    #[error("cannot load values.yaml: {0}")]
    Values(ValuesError),
    /// A requirements.yaml that does not read.
    #[error("cannot load requirements.yaml: {0}")]
    Requirements(ChartYamlError),
    /// Chart.yaml that Helm's `Metadata.Validate` refuses.
    #[error("{0}")]
    Invalid(InvalidMetadata),
    /// A subchart archive whose one entry is not named as its group.
    #[error("error unpacking subchart tar in {chart}: expected {group}, got {name}")]
    SubchartArchiveName {
        /// The chart holding the archive.
        chart: String,
        /// The archive's name under `charts/`.
        group: String,
        /// The entry found instead.
        name: String,
    },
    /// A subchart (folder or archive `group` of chart `chart`) that failed to load.
    #[error("error unpacking subchart {group} in {chart}: {error}")]
    Subchart {
        /// The subchart's folder or archive name under `charts/`.
        group: String,
        /// The chart holding it.
        chart: String,
        /// Why it failed.
        error: Box<HelmError>,
    },
}

impl LoadError {
    /// The safety limit loading hit: Helm's own caps on a chart's sizes, or a YAML limit in
    /// Chart.yaml, values.yaml or requirements.yaml (of the chart or a subchart).
    pub fn limit(&self) -> Option<LimitKind> {
        match self {
            LoadError::FileTooLarge(_) | LoadError::ArchiveTooLarge => Some(LimitKind::ChartSize),
            LoadError::ChartYaml(e) | LoadError::Requirements(e) => e.limit().map(|l| l.kind),
            LoadError::Values(e) => e.limit().map(|l| l.kind),
            LoadError::Subchart { error, .. } => error.limit(),
            _ => None,
        }
    }
}

/// A file of a chart being loaded: its path relative to the chart and its content.
type NamedFile = (String, Arc<[u8]>);

/// What is left of the limits while one chart and all its subchart archives load: entries
/// and decompressed bytes count over every archive together, so fanning out cannot escape.
pub(super) struct Budget<'a> {
    limits: &'a Limits,
    entries_left: usize,
    bytes_left: u64,
}

impl<'a> Budget<'a> {
    pub(super) fn new(limits: &'a Limits) -> Self {
        Budget {
            limits,
            entries_left: limits.max_entries,
            bytes_left: limits.max_total_size,
        }
    }

    fn exceeded(kind: LimitKind, error: UnpackError) -> HelmError {
        HelmError::Limit(LimitExceeded::new(kind, error))
    }

    pub(super) fn take_entry(&mut self) -> Result<(), HelmError> {
        self.entries_left = self.entries_left.checked_sub(1).ok_or_else(|| {
            Self::exceeded(
                LimitKind::ArchiveEntries,
                UnpackError::TooManyEntries {
                    limit: self.limits.max_entries,
                },
            )
        })?;
        Ok(())
    }

    /// How many bytes the file at `path` may still expand to, refusing it when its declared
    /// size is already too much.
    fn file_allowance(&self, path: &str, declared: u64) -> Result<u64, HelmError> {
        if declared > self.limits.max_file_size {
            return Err(Self::exceeded(
                LimitKind::FileSize,
                UnpackError::FileTooLarge {
                    path: path.to_string(),
                    limit: self.limits.max_file_size,
                },
            ));
        }
        if declared > self.bytes_left {
            return Err(self.total_exceeded());
        }
        Ok(self.limits.max_file_size.min(self.bytes_left))
    }

    fn total_exceeded(&self) -> HelmError {
        Self::exceeded(
            LimitKind::TotalSize,
            UnpackError::TotalTooLarge {
                limit: self.limits.max_total_size,
            },
        )
    }

    pub(super) fn take_bytes(&mut self, read: u64) -> Result<(), HelmError> {
        self.bytes_left = self
            .bytes_left
            .checked_sub(read)
            .ok_or_else(|| self.total_exceeded())?;
        Ok(())
    }
}

/// Where the files being loaded sit: how many chart folders and subchart archives enclose
/// them. The chart named by the user (archive or directory) is depth 0 as in
/// [`crate::unpack::unpack`], so a subchart archive in it opens at depth 1.
#[derive(Clone, Copy, Default)]
struct Depth {
    charts: usize,
    archives: usize,
}

/// Loads a chart directory's files (`.helmignore` applies, as for `helm template DIR`) with
/// the default limits.
pub fn load_dir(tree: &FileTree) -> Result<Chart, HelmError> {
    load_dir_within(tree, &Limits::default())
}

/// Loads a chart directory's files (`.helmignore` applies, as for `helm template DIR`);
/// subchart archives in it are bounded by `limits` as archives inside the input.
pub(crate) fn load_dir_within(tree: &FileTree, limits: &Limits) -> Result<Chart, HelmError> {
    let rules = match tree.get(".helmignore") {
        Some(text) => Rules::parse(&String::from_utf8_lossy(text))
            .map_err(|e| HelmError::Load(LoadError::Ignore(e)))?,
        None => Rules::default(),
    }
    .with_defaults();
    let files: Vec<NamedFile> = tree
        .iter_shared()
        .filter(|(path, _)| !rules.ignores_file(path))
        .map(|(path, data)| (path.to_string(), strip_bom(data.clone())))
        .collect();
    for (path, data) in &files {
        if data.len() as u64 > MAX_DECOMPRESSED_FILE_SIZE {
            let base = path.rsplit('/').next().unwrap_or(path);
            return Err(HelmError::Load(LoadError::FileTooLarge(base.to_string())));
        }
    }
    load_files(files, Depth::default(), &mut Budget::new(limits))
}

/// Loads a chart from the files of an unpacked archive whose top folder is already stripped
/// (no `.helmignore`: `helm package` applied it); subchart archives are bounded by `limits`.
pub(crate) fn load_tree(tree: &FileTree, limits: &Limits) -> Result<Chart, HelmError> {
    let files = tree
        .iter_shared()
        .map(|(path, data)| (path.to_string(), strip_bom(data.clone())))
        .collect();
    load_files(files, Depth::default(), &mut Budget::new(limits))
}

/// Loads a chart archive (`.tgz`) held in memory, with the default limits.
pub fn load_archive(bytes: &[u8]) -> Result<Chart, HelmError> {
    let limits = Limits::default();
    let mut budget = Budget::new(&limits);
    let files = archive_files(bytes, &mut budget)?;
    load_files(files, Depth::default(), &mut budget)
}

/// The content without a leading UTF-8 BOM; the same bytes, not a copy, when it has none.
fn strip_bom(data: Arc<[u8]>) -> Arc<[u8]> {
    match data.strip_prefix(UTF8_BOM) {
        Some(rest) => Arc::from(rest),
        None => data,
    }
}

/// Reads a gzip'd tar as Helm's `LoadArchiveFiles`: the first path element (the chart's folder)
/// is dropped, unsafe paths are refused, the total size is capped (by Helm, and by `budget`
/// across every archive of the chart).
fn archive_files(bytes: &[u8], budget: &mut Budget) -> Result<Vec<NamedFile>, HelmError> {
    let read_error = |e: std::io::Error| HelmError::Load(LoadError::Read(e.to_string()));
    let gz = flate2::read::GzDecoder::new(bytes);
    let mut archive = tar::Archive::new(gz);
    let mut remaining = MAX_DECOMPRESSED_CHART_SIZE;
    let mut files = Vec::new();
    let entries = archive.entries().map_err(read_error)?;
    for entry in entries {
        let mut entry = entry.map_err(read_error)?;
        budget.take_entry()?;
        let kind = entry.header().entry_type();
        if kind.is_dir() || kind.is_pax_global_extensions() || kind.is_pax_local_extensions() {
            continue;
        }
        let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let delimiter = if raw.contains('\\') { '\\' } else { '/' };
        let parts: Vec<&str> = raw.split(delimiter).collect();
        let joined = parts[1..].join("/");
        if joined.starts_with('/') {
            return Err(HelmError::Load(LoadError::AbsolutePath));
        }
        let name = clean_path(&joined);
        if name == "." {
            return Err(HelmError::Load(LoadError::OutsideBase(raw)));
        }
        if name.starts_with("..") {
            return Err(HelmError::Load(LoadError::ParentDirectory));
        }
        // A Windows drive path (`c:/...`); `c:x` is an ordinary name to helm.
        if name.len() >= 3
            && name.as_bytes()[0].is_ascii_alphabetic()
            && name.as_bytes()[1..3] == *b":/"
        {
            return Err(HelmError::Load(LoadError::IllegalName));
        }
        if parts[0] == "Chart.yaml" {
            return Err(HelmError::Load(LoadError::ChartYamlNotInBase));
        }
        let size = entry.header().size().map_err(read_error)?;
        if size > remaining {
            return Err(HelmError::Load(LoadError::ArchiveTooLarge));
        }
        let allowance = budget.file_allowance(&name, size)?;
        let mut data = Vec::with_capacity(size.min(1 << 20) as usize);
        (&mut entry)
            .take(remaining.min(allowance))
            .read_to_end(&mut data)
            .map_err(read_error)?;
        budget.take_bytes(data.len() as u64)?;
        remaining = remaining.saturating_sub(data.len() as u64);
        files.push((name, strip_bom(data.into())));
    }
    if files.is_empty() {
        return Err(HelmError::Load(LoadError::NoFiles));
    }
    Ok(files)
}

/// Go's `path.Clean` for relative paths.
fn clean_path(p: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for part in p.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if matches!(out.last(), Some(last) if *last != "..") {
                    out.pop();
                } else {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    if out.is_empty() {
        ".".to_string()
    } else {
        out.join("/")
    }
}

/// Helm's `LoadFiles`: sorts the files of one chart into its parts and loads its subcharts.
fn load_files(
    files: Vec<NamedFile>,
    depth: Depth,
    budget: &mut Budget,
) -> Result<Chart, HelmError> {
    if depth.charts > MAX_CHART_DEPTH {
        return Err(HelmError::Limit(LimitExceeded::new(
            LimitKind::Nesting,
            format_args!("subcharts nested more than {MAX_CHART_DEPTH} levels deep"),
        )));
    }
    let mut chart = Chart::default();
    let Some((_, chart_yaml)) = files.iter().find(|(name, _)| name == "Chart.yaml") else {
        return Err(HelmError::Load(LoadError::NoChartYaml));
    };
    chart.metadata = Metadata::parse(&String::from_utf8_lossy(chart_yaml))
        .map_err(|e| HelmError::Load(LoadError::ChartYaml(e)))?;
    if chart.metadata.api_version.is_empty() {
        chart.metadata.api_version = "v1".into();
    }
    let is_v1 = chart.metadata.api_version == "v1";
    let mut subcharts: BTreeMap<String, Vec<NamedFile>> = BTreeMap::new();
    for (name, data) in files {
        match name.as_str() {
            "Chart.yaml" | "Chart.lock" => {}
            "values.yaml" => {
                chart.values = load_values(&String::from_utf8_lossy(&data))
                    .map_err(|e| HelmError::Load(LoadError::Values(e)))?;
            }
            "values.schema.json" => chart.schema = Some(data),
            "requirements.yaml" | "requirements.lock" => {
                // requirements.yaml declares dependencies whatever the apiVersion; only v1
                // charts also keep both files among their files.
                if name == "requirements.yaml" {
                    if let Some(deps) = requirements(&data)
                        .map_err(|e| HelmError::Load(LoadError::Requirements(e)))?
                    {
                        chart.metadata.dependencies = Some(deps);
                    }
                }
                if is_v1 {
                    chart.files.push(ChartFile { name, data });
                }
            }
            _ if name.starts_with("templates/") => chart.templates.push(ChartFile { name, data }),
            _ if name.starts_with("charts/") => {
                if name.ends_with(".prov") {
                    chart.files.push(ChartFile { name, data });
                    continue;
                }
                let rest = &name["charts/".len()..];
                let group = rest.split('/').next().unwrap_or(rest).to_string();
                subcharts
                    .entry(group)
                    .or_default()
                    .push((rest.to_string(), data));
            }
            _ => chart.files.push(ChartFile { name, data }),
        }
    }
    chart
        .metadata
        .validate()
        .map_err(|e| HelmError::Load(LoadError::Invalid(e)))?;
    let inner_depth = Depth {
        charts: depth.charts + 1,
        ..depth
    };
    for (group, files) in subcharts {
        if group.starts_with('_') || group.starts_with('.') {
            continue;
        }
        let loaded = if group.ends_with(".tgz") {
            match files.first() {
                Some((name, data)) if *name == group => {
                    load_subchart_archive(data, inner_depth, budget)
                }
                Some((name, _)) => Err(HelmError::Load(LoadError::SubchartArchiveName {
                    chart: chart.name().to_string(),
                    group: group.clone(),
                    name: name.clone(),
                })),
                None => continue,
            }
        } else {
            let inner = files
                .into_iter()
                .filter_map(|(name, data)| {
                    name.split_once('/')
                        .map(|(_, rest)| (rest.to_string(), data))
                })
                .collect();
            load_files(inner, inner_depth, budget)
        };
        let sub = loaded.map_err(|e| match e {
            HelmError::Limit(e) => HelmError::Limit(LimitExceeded::new(
                e.kind,
                format_args!(
                    "error unpacking subchart {group} in {}: {}",
                    chart.name(),
                    e.detail
                ),
            )),
            other => HelmError::Load(LoadError::Subchart {
                group: group.clone(),
                chart: chart.name().to_string(),
                error: Box::new(other),
            }),
        })?;
        chart.dependencies.push(sub);
    }
    Ok(chart)
}

/// A subchart archive, one archive deeper than the chart holding it.
fn load_subchart_archive(
    data: &[u8],
    depth: Depth,
    budget: &mut Budget,
) -> Result<Chart, HelmError> {
    let depth = Depth {
        archives: depth.archives + 1,
        ..depth
    };
    if depth.archives > budget.limits.max_nesting {
        return Err(Budget::exceeded(
            LimitKind::Nesting,
            UnpackError::NestedTooDeep {
                limit: budget.limits.max_nesting,
            },
        ));
    }
    let files = archive_files(data, budget)?;
    load_files(files, depth, budget)
}

fn requirements(data: &[u8]) -> Result<Option<Vec<super::chart::Dependency>>, ChartYamlError> {
    let text = String::from_utf8_lossy(data);
    let doc = crate::yaml::load_first(&text, &crate::yaml::Limits::default())
        .map_err(ChartYamlError::Yaml)?;
    doc.as_ref()
        .and_then(|d| d.get("dependencies"))
        .map(parse_dependencies)
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[(&str, &str)]) -> FileTree {
        let mut t = FileTree::new();
        for (p, d) in files {
            t.insert(*p, d.as_bytes().to_vec());
        }
        t
    }

    #[test]
    fn loads_parts_and_subcharts() {
        let chart = load_dir(&tree(&[
            ("Chart.yaml", "apiVersion: v2\nname: top\nversion: 1.0.0\n"),
            ("values.yaml", "a: 1\n"),
            ("templates/cm.yaml", "x"),
            ("templates/.hidden", "x"),
            ("data/x.txt", "x"),
            (
                "charts/sub/Chart.yaml",
                "apiVersion: v2\nname: sub\nversion: 0.1.0\n",
            ),
            ("charts/sub/templates/a.yaml", "y"),
            ("charts/_skip/Chart.yaml", "bad"),
        ]))
        .unwrap();
        assert_eq!(chart.name(), "top");
        assert_eq!(chart.templates.len(), 1);
        assert_eq!(chart.files[0].name, "data/x.txt");
        assert!(chart.values["a"].is_f64());
        assert_eq!(chart.dependencies.len(), 1);
        assert_eq!(chart.dependencies[0].templates[0].name, "templates/a.yaml");
    }

    #[test]
    fn missing_chart_yaml_in_subchart() {
        let err = load_dir(&tree(&[
            ("Chart.yaml", "apiVersion: v2\nname: top\nversion: 1.0.0\n"),
            ("charts/sub/values.yaml", "a: 1\n"),
        ]))
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "error unpacking subchart sub in top: Chart.yaml file is missing"
        );
    }

    /// A gzip'd tar of (name, content) entries, names written as given.
    fn raw_tgz(entries: &[(&str, &str)]) -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
        for (name, data) in entries {
            let mut header = tar::Header::new_gnu();
            header.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
            header.set_size(data.len() as u64);
            header.set_mode(0o644);
            header.set_cksum();
            builder.append(&header, data.as_bytes()).unwrap();
        }
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, &builder.into_inner().unwrap()).unwrap();
        gz.finish().unwrap()
    }

    /// Subchart archives helm refuses, with the messages helm v4.1.4 printed for them.
    #[test]
    fn refused_subchart_archives_fail_with_helms_message() {
        let sub = "apiVersion: v2\nname: sub\nversion: 0.1.0\n";
        let cases: [(&[(&str, &str)], &str); 5] = [
            (
                &[("sub/Chart.yaml", sub), ("sub/../../x", "x")],
                "chart illegally references parent directory",
            ),
            (
                &[("Chart.yaml", sub)],
                "chart illegally contains content outside the base directory: \"Chart.yaml\"",
            ),
            (
                &[("sub/Chart.yaml", sub), ("sub//abs", "x")],
                "chart illegally contains absolute paths",
            ),
            (
                &[("sub/Chart.yaml", sub), ("sub/c:/x", "x")],
                "chart contains illegally named files",
            ),
            (&[], "no files in chart archive"),
        ];
        for (entries, message) in cases {
            let mut top = FileTree::new();
            top.insert(
                "Chart.yaml",
                b"apiVersion: v2\nname: top\nversion: 0.1.0\n".to_vec(),
            );
            top.insert("charts/sub-0.1.0.tgz", raw_tgz(entries));
            let err = load_dir(&top).unwrap_err();
            assert_eq!(
                err.to_string(),
                format!("error unpacking subchart sub-0.1.0.tgz in top: {message}")
            );
        }
        // `c:x` is no drive path.
        let mut top = FileTree::new();
        top.insert(
            "Chart.yaml",
            b"apiVersion: v2\nname: top\nversion: 0.1.0\n".to_vec(),
        );
        top.insert(
            "charts/sub-0.1.0.tgz",
            raw_tgz(&[("sub/Chart.yaml", sub), ("sub/c:x", "x")]),
        );
        assert_eq!(load_dir(&top).unwrap().dependencies[0].files[0].name, "c:x");
    }

    /// helm v4.1.4 on a chart folder with a file one byte over its cap printed this message;
    /// a file of exactly the cap loads.
    #[test]
    fn chart_folder_files_over_helms_cap_are_refused() {
        let mut top = FileTree::new();
        top.insert(
            "Chart.yaml",
            b"apiVersion: v2\nname: top\nversion: 0.1.0\n".to_vec(),
        );
        let cap = MAX_DECOMPRESSED_FILE_SIZE as usize;
        top.insert("files/big.bin", vec![0; cap]);
        assert!(load_dir(&top).is_ok());
        top.insert("files/big.bin", vec![0; cap + 1]);
        assert_eq!(
            load_dir(&top).unwrap_err().to_string(),
            "chart file \"big.bin\" is larger than the maximum file size 5242880"
        );
    }

    #[test]
    fn clean_path_like_go() {
        assert_eq!(clean_path("a/./b//c"), "a/b/c");
        assert_eq!(clean_path("../x"), "../x");
        assert_eq!(clean_path(""), ".");
        assert_eq!(clean_path("a/../.."), "..");
    }
}
