//! Chart repositories: a scanned folder's `index.yaml` (Helm's `repo.IndexFile`) against the
//! archives beside it.
//!
//! Each entry (`entries.<chart>[]`) names its archive in `urls`: a relative URL is a file in
//! the folder; an absolute one names the folder's archive of the same file name when there
//! is one (a mirror keeping the upstream index). Each archive the index names is checked
//! against its entry: the archive's sha256 against `digest` (a mismatch makes the package
//! `corrupt`), the chart's name and version (its Chart.yaml) against the entry's. An archive
//! a relative URL names that is not there, and an archive beside `index.yaml` that no entry
//! names, are problems too.
//!
//! Indexes are big (a public repository's runs to 15 MB and 15,000 entries): the file is read
//! as a stream of YAML events, keeping of each entry only the four fields checked, so loading
//! costs little more than the file's own bytes in memory.

use crate::input::read;
use crate::records::problem::{instance_uri, Problem, ProblemKind};
use crate::records::{self, ScanResult, Source, SourceFormat, State};
use crate::unpack::{normalize_entry_path, ArchiveFormat};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use thiserror::Error;
use yaml_rust2::parser::{Event, Parser};

/// The file that makes a folder a chart repository.
pub const INDEX_FILE: &str = "index.yaml";

/// Why an index cannot be read.
#[derive(Debug, Error)]
pub enum IndexError {
    #[error("{0}")]
    Yaml(String),
    #[error("{0}")]
    Shape(String),
}

/// What an index entry says about one chart version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexEntry {
    pub name: String,
    pub version: String,
    /// Hex sha256 of the archive, when the entry has one.
    pub digest: Option<String>,
    pub urls: Vec<String>,
}

/// Reads the entries of an `index.yaml`, in file order, keeping only what is checked.
pub fn parse_index(text: &str) -> Result<Vec<IndexEntry>, IndexError> {
    let mut events = Events {
        parser: Parser::new_from_str(text),
    };
    let mut entries = Vec::new();
    loop {
        match events.next()? {
            Event::StreamEnd => break,
            Event::StreamStart | Event::DocumentStart | Event::DocumentEnd => {}
            Event::MappingStart(..) => {
                while let Some(key) = events.key()? {
                    if key == "entries" {
                        read_entries(&mut events, &mut entries)?;
                    } else {
                        events.skip_value()?;
                    }
                }
            }
            _ => return Err(IndexError::Shape("the index is not a mapping".into())),
        }
    }
    Ok(entries)
}

/// A YAML event stream with the few steps the index needs.
struct Events<'a> {
    parser: Parser<std::str::Chars<'a>>,
}

impl Events<'_> {
    fn next(&mut self) -> Result<Event, IndexError> {
        self.parser
            .next_token()
            .map(|(event, _)| event)
            .map_err(|e| IndexError::Yaml(e.to_string()))
    }

    /// The next key of the mapping being read; `None` at its end.
    fn key(&mut self) -> Result<Option<String>, IndexError> {
        match self.next()? {
            Event::MappingEnd => Ok(None),
            Event::Scalar(key, ..) => Ok(Some(key)),
            _ => Err(IndexError::Shape("a mapping key is not a string".into())),
        }
    }

    /// Skips one value, however deeply nested.
    fn skip_value(&mut self) -> Result<(), IndexError> {
        let mut depth = 0usize;
        loop {
            match self.next()? {
                Event::MappingStart(..) | Event::SequenceStart(..) => depth += 1,
                Event::MappingEnd | Event::SequenceEnd => depth = depth.saturating_sub(1),
                Event::StreamEnd => return Err(IndexError::Shape("the index ends early".into())),
                _ => {}
            }
            if depth == 0 {
                return Ok(());
            }
        }
    }

    /// A scalar value; `None` (after skipping it) for anything else.
    fn scalar(&mut self) -> Result<Option<String>, IndexError> {
        match self.next()? {
            Event::Scalar(value, ..) => Ok(Some(value)),
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                self.skip_nested()?;
                Ok(None)
            }
            _ => Ok(None),
        }
    }

    /// Skips the rest of a collection whose start was just read.
    fn skip_nested(&mut self) -> Result<(), IndexError> {
        let mut depth = 1usize;
        while depth > 0 {
            match self.next()? {
                Event::MappingStart(..) | Event::SequenceStart(..) => depth += 1,
                Event::MappingEnd | Event::SequenceEnd => depth -= 1,
                Event::StreamEnd => return Err(IndexError::Shape("the index ends early".into())),
                _ => {}
            }
        }
        Ok(())
    }
}

/// `entries`: chart name → list of versions.
fn read_entries(events: &mut Events<'_>, entries: &mut Vec<IndexEntry>) -> Result<(), IndexError> {
    match events.next()? {
        Event::MappingStart(..) => {}
        Event::Scalar(..) => return Ok(()), // `entries:` with nothing (null)
        _ => return Err(IndexError::Shape("entries is not a mapping".into())),
    }
    while let Some(chart) = events.key()? {
        match events.next()? {
            Event::SequenceStart(..) => {}
            Event::Scalar(..) => continue,
            _ => return Err(IndexError::Shape(format!("entries.{chart} is not a list"))),
        }
        loop {
            match events.next()? {
                Event::SequenceEnd => break,
                Event::MappingStart(..) => entries.push(read_entry(events, &chart)?),
                Event::SequenceStart(..) => events.skip_nested()?,
                _ => {}
            }
        }
    }
    Ok(())
}

/// One chart version's mapping (its start already read).
fn read_entry(events: &mut Events<'_>, chart: &str) -> Result<IndexEntry, IndexError> {
    let mut entry = IndexEntry {
        name: chart.to_string(),
        version: String::new(),
        digest: None,
        urls: Vec::new(),
    };
    while let Some(key) = events.key()? {
        match key.as_str() {
            "name" => entry.name = events.scalar()?.unwrap_or(entry.name),
            "version" => entry.version = events.scalar()?.unwrap_or_default(),
            "digest" => entry.digest = events.scalar()?,
            "urls" => match events.next()? {
                Event::SequenceStart(..) => loop {
                    match events.next()? {
                        Event::SequenceEnd => break,
                        Event::Scalar(url, ..) => entry.urls.push(url),
                        Event::MappingStart(..) | Event::SequenceStart(..) => {
                            events.skip_nested()?
                        }
                        _ => {}
                    }
                },
                Event::Scalar(url, ..) if !url.is_empty() => entry.urls.push(url),
                Event::MappingStart(..) => events.skip_nested()?,
                _ => {}
            },
            _ => events.skip_value()?,
        }
    }
    Ok(entry)
}

/// One scanned folder holding an `index.yaml`.
#[derive(Debug, Clone)]
pub struct Repository {
    /// The folder, as the inputs name it (joined as the scan joins archive paths).
    dir: PathBuf,
    /// The entries naming each archive of the folder (by path as the scan names it).
    by_archive: BTreeMap<PathBuf, Vec<IndexEntry>>,
    /// Archives relative URLs name that are not there.
    absent: Vec<(PathBuf, IndexEntry)>,
    /// Why the index could not be read, if it could not.
    unreadable: Option<String>,
}

/// The relative path a URL names inside the folder, when it is relative and stays inside.
fn relative_path(url: &str) -> Option<String> {
    if url.contains("://") || url.starts_with('/') {
        return None;
    }
    let path = url.split(['?', '#']).next().unwrap_or_default();
    normalize_entry_path(path).ok().filter(|p| !p.is_empty())
}

/// The last path segment of an absolute URL.
fn url_file_name(url: &str) -> Option<&str> {
    let path = url.split(['?', '#']).next().unwrap_or_default();
    path.rsplit('/').next().filter(|name| !name.is_empty())
}

impl Repository {
    /// The repository `dir` is, when it holds an `index.yaml`; `limit` bounds the index size.
    pub fn load(dir: &Path, limit: u64) -> Option<Self> {
        let index_path = dir.join(INDEX_FILE);
        if !dir.is_dir() || !index_path.is_file() {
            return None;
        }
        let mut repository = Self {
            dir: dir.to_path_buf(),
            by_archive: BTreeMap::new(),
            absent: Vec::new(),
            unreadable: None,
        };
        let text = read::read_path(&index_path, limit)
            .map_err(|e| e.to_string())
            .and_then(|bytes| String::from_utf8(bytes).map_err(|e| e.to_string()));
        let entries = match text.and_then(|t| parse_index(&t).map_err(|e| e.to_string())) {
            Ok(entries) => entries,
            Err(reason) => {
                repository.unreadable = Some(reason);
                return Some(repository);
            }
        };
        for entry in entries {
            let mut named = BTreeSet::new();
            for url in &entry.urls {
                match relative_path(url) {
                    Some(relative) => {
                        let path = dir.join(&relative);
                        if !path.is_file() {
                            repository.absent.push((path.clone(), entry.clone()));
                        }
                        named.insert(path);
                    }
                    None => {
                        let Some(name) = url_file_name(url) else {
                            continue;
                        };
                        let path = dir.join(name);
                        if ArchiveFormat::from_file_name(name).is_some() && path.is_file() {
                            named.insert(path);
                        }
                    }
                }
            }
            for path in named {
                repository
                    .by_archive
                    .entry(path)
                    .or_default()
                    .push(entry.clone());
            }
        }
        Some(repository)
    }

    /// Whether `path` (a result's source path) is an archive of this folder the index judges:
    /// one it names, or one beside `index.yaml`.
    fn judges(&self, path: &Path) -> bool {
        self.by_archive.contains_key(path)
            || path.parent() == Some(self.dir.as_path())
                && ArchiveFormat::from_file_name(&path.to_string_lossy()).is_some()
    }

    /// The problems the index finds with `result` (an archive of this folder).
    fn problems_of(&self, result: &ScanResult) -> Vec<Problem> {
        let path = Path::new(&result.source.path);
        let instance = instance_uri(&result.source.path);
        let Some(entries) = self.by_archive.get(path) else {
            return vec![Problem::new(
                ProblemKind::ChartUnlisted,
                format!(
                    "{} is beside {INDEX_FILE} but no entry names it",
                    result.source.path
                ),
                instance,
            )];
        };
        let mut problems = Vec::new();
        for entry in entries {
            let listed = format!(
                "{INDEX_FILE} lists {} as {} {}",
                result.source.path, entry.name, entry.version
            );
            if let (Some(digest), Some(sha256)) = (&entry.digest, &result.source.sha256) {
                if !digest.eq_ignore_ascii_case(sha256) {
                    problems.push(Problem::new(
                        ProblemKind::ChartDigestMismatch,
                        format!("{listed} with digest {digest}; the archive's sha256 is {sha256}"),
                        instance.clone(),
                    ));
                }
            }
            // A result without a package (an unreadable archive) has its own problem already.
            let Some(package) = &result.package else {
                continue;
            };
            let version = result.release.as_ref().and_then(|r| r.version.as_deref());
            if package.title != entry.name || version != Some(entry.version.as_str()) {
                problems.push(Problem::new(
                    ProblemKind::ChartIndexMismatch,
                    format!(
                        "{listed}; its Chart.yaml says {} {}",
                        package.title,
                        version.unwrap_or("(no version)")
                    ),
                    instance.clone(),
                ));
            }
        }
        problems
    }
}

/// The chart repositories among the scanned folders.
#[derive(Debug, Clone, Default)]
pub struct Repositories {
    repositories: Vec<Repository>,
}

impl Repositories {
    /// The named folders (`inputs`) that hold an `index.yaml`, each index read at most `limit`
    /// bytes.
    pub fn load(inputs: &[PathBuf], limit: u64) -> Self {
        Self {
            repositories: inputs
                .iter()
                .filter_map(|dir| Repository::load(dir, limit))
                .collect(),
        }
    }

    /// Adds the problems the index of `result`'s folder finds with it (its state follows).
    pub fn apply(&self, result: &mut ScanResult) {
        let path = Path::new(&result.source.path);
        let Some(repository) = self
            .repositories
            .iter()
            .find(|r| r.unreadable.is_none() && r.judges(path))
        else {
            return;
        };
        let problems = repository.problems_of(result);
        result.add_problems(problems);
    }

    /// One result for each archive an index names that is not there, and for each index that
    /// cannot be read, in folder and index order.
    pub fn unscanned_results(&self) -> Vec<ScanResult> {
        let mut results = Vec::new();
        for repository in &self.repositories {
            if let Some(reason) = &repository.unreadable {
                let path = repository.dir.join(INDEX_FILE).display().to_string();
                let problem = Problem::new(
                    ProblemKind::ChartIndexInvalid,
                    format!("{path}: {reason}"),
                    instance_uri(&path),
                );
                results.push(unscanned(path, SourceFormat::Yaml, problem));
            }
            for (path, entry) in &repository.absent {
                let path = path.display().to_string();
                let format = ArchiveFormat::from_file_name(&path)
                    .map_or(SourceFormat::Tgz, SourceFormat::of_archive);
                let problem = Problem::new(
                    ProblemKind::ChartAbsent,
                    format!(
                        "{INDEX_FILE} lists {} {} at {path}, which is not there",
                        entry.name, entry.version
                    ),
                    instance_uri(&path),
                );
                results.push(unscanned(path, format, problem));
            }
        }
        results
    }
}

/// The result of a file the repository names but the scan did not read.
fn unscanned(path: String, format: SourceFormat, problem: Problem) -> ScanResult {
    let source = Source {
        path,
        entry: None,
        format,
        sha256: None,
        size: None,
    };
    let mut result = records::unreadable_result(source, crate::detect::System::Helm, vec![problem]);
    result.state = State::from_problems(&result.problems);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_checked_fields_of_each_entry_are_kept() {
        let index = "apiVersion: v1\nentries:\n  web:\n  - name: web\n    version: 1.0.0\n    \
                     digest: abc\n    urls:\n    - web-1.0.0.tgz\n    maintainers:\n    - name: x\n      \
                     urls: [no]\n    annotations: {a: b}\n  - {name: web, version: 0.9.0, urls: [https://e.example/web-0.9.0.tgz]}\n  \
                     empty: []\ngenerated: now\n";
        let entries = parse_index(index).unwrap();
        assert_eq!(
            entries,
            [
                IndexEntry {
                    name: "web".into(),
                    version: "1.0.0".into(),
                    digest: Some("abc".into()),
                    urls: vec!["web-1.0.0.tgz".into()],
                },
                IndexEntry {
                    name: "web".into(),
                    version: "0.9.0".into(),
                    digest: None,
                    urls: vec!["https://e.example/web-0.9.0.tgz".into()],
                },
            ]
        );
        assert!(parse_index("entries: [").is_err());
        assert!(parse_index("- a\n").is_err());
    }

    #[test]
    fn relative_urls_stay_inside_the_folder() {
        assert_eq!(
            relative_path("./web-1.0.0.tgz").as_deref(),
            Some("web-1.0.0.tgz")
        );
        assert_eq!(
            relative_path("charts/web.tgz").as_deref(),
            Some("charts/web.tgz")
        );
        assert_eq!(relative_path("../web.tgz"), None);
        assert_eq!(relative_path("/srv/web.tgz"), None);
        assert_eq!(relative_path("https://e.example/web.tgz"), None);
        assert_eq!(
            url_file_name("https://e.example/c/web.tgz?x=1"),
            Some("web.tgz")
        );
    }
}
