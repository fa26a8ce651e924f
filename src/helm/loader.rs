//! Turning files into a [`Chart`], as Helm's chart loader does: Chart.yaml, values.yaml,
//! values.schema.json, requirements.yaml (apiVersion v1), `templates/`, and `charts/` holding
//! subcharts as directories or `.tgz` archives, nested to any depth.

use super::chart::{parse_dependencies, Chart, ChartFile, Metadata};
use super::helmignore::Rules;
use super::values::load_values;
use super::HelmError;
use crate::files::FileTree;
use std::collections::BTreeMap;
use std::io::Read;
use std::sync::Arc;

/// Helm's cap on one chart archive's decompressed size.
pub const MAX_DECOMPRESSED_CHART_SIZE: u64 = 100 * 1024 * 1024;
/// Helm's cap on one file of a chart directory.
pub const MAX_DECOMPRESSED_FILE_SIZE: u64 = 5 * 1024 * 1024;
/// Subcharts nested deeper than this are refused (a hostile archive could nest forever).
const MAX_CHART_DEPTH: usize = 64;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// A file of a chart being loaded: its path relative to the chart and its content.
type NamedFile = (String, Arc<[u8]>);

/// Loads a chart directory's files (`.helmignore` applies, as for `helm template DIR`).
pub fn load_dir(tree: &FileTree) -> Result<Chart, HelmError> {
    let rules = match tree.get(".helmignore") {
        Some(text) => Rules::parse(&String::from_utf8_lossy(text)).map_err(HelmError::Load)?,
        None => Rules::default(),
    }
    .with_defaults();
    let files: Vec<NamedFile> = tree
        .iter()
        .filter(|(path, _)| !rules.ignores_file(path))
        .map(|(path, data)| (path.to_string(), strip_bom(data)))
        .collect();
    for (path, data) in &files {
        if data.len() as u64 > MAX_DECOMPRESSED_FILE_SIZE {
            let base = path.rsplit('/').next().unwrap_or(path);
            return Err(HelmError::Load(format!(
                "chart file {base:?} is larger than the maximum file size {MAX_DECOMPRESSED_FILE_SIZE}"
            )));
        }
    }
    load_files(files, 0).map_err(HelmError::Load)
}

/// Loads a chart from the files of an unpacked archive whose top folder is already stripped
/// (no `.helmignore`: `helm package` applied it).
pub fn load_tree(tree: &FileTree) -> Result<Chart, HelmError> {
    let files = tree
        .iter()
        .map(|(path, data)| (path.to_string(), strip_bom(data)))
        .collect();
    load_files(files, 0).map_err(HelmError::Load)
}

/// Loads a chart archive (`.tgz`) held in memory.
pub fn load_archive(bytes: &[u8]) -> Result<Chart, HelmError> {
    let files = archive_files(bytes).map_err(HelmError::Load)?;
    load_files(files, 0).map_err(HelmError::Load)
}

fn strip_bom(data: &[u8]) -> Arc<[u8]> {
    Arc::from(data.strip_prefix(UTF8_BOM).unwrap_or(data))
}

/// Reads a gzip'd tar as Helm's `LoadArchiveFiles`: the first path element (the chart's folder)
/// is dropped, unsafe paths are refused, the total size is capped.
fn archive_files(bytes: &[u8]) -> Result<Vec<NamedFile>, String> {
    let gz = flate2::read::GzDecoder::new(bytes);
    let mut archive = tar::Archive::new(gz);
    let mut remaining = MAX_DECOMPRESSED_CHART_SIZE;
    let mut files = Vec::new();
    let entries = archive.entries().map_err(|e| e.to_string())?;
    for entry in entries {
        let mut entry = entry.map_err(|e| e.to_string())?;
        let kind = entry.header().entry_type();
        if kind.is_dir() || kind.is_pax_global_extensions() || kind.is_pax_local_extensions() {
            continue;
        }
        let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let delimiter = if raw.contains('\\') { '\\' } else { '/' };
        let parts: Vec<&str> = raw.split(delimiter).collect();
        let joined = parts[1..].join("/");
        if joined.starts_with('/') {
            return Err("chart illegally contains absolute paths".into());
        }
        let name = clean_path(&joined);
        if name == "." {
            return Err(format!(
                "chart illegally contains content outside the base directory: {raw:?}"
            ));
        }
        if name.starts_with("..") {
            return Err("chart illegally references parent directory".into());
        }
        if name.len() >= 2 && name.as_bytes()[1] == b':' && name.as_bytes()[0].is_ascii_alphabetic()
        {
            return Err("chart contains illegally named files".into());
        }
        if parts[0] == "Chart.yaml" {
            return Err("chart yaml not in base directory".into());
        }
        let size = entry.header().size().map_err(|e| e.to_string())?;
        if size > remaining {
            return Err(format!(
                "decompressed chart is larger than the maximum file size {MAX_DECOMPRESSED_CHART_SIZE}"
            ));
        }
        let mut data = Vec::with_capacity(size.min(1 << 20) as usize);
        (&mut entry)
            .take(remaining)
            .read_to_end(&mut data)
            .map_err(|e| e.to_string())?;
        remaining = remaining.saturating_sub(data.len() as u64);
        files.push((name, strip_bom(&data)));
    }
    if files.is_empty() {
        return Err("no files in chart archive".into());
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
fn load_files(files: Vec<NamedFile>, depth: usize) -> Result<Chart, String> {
    if depth > MAX_CHART_DEPTH {
        return Err("subcharts nested too deeply".into());
    }
    let mut chart = Chart::default();
    let Some((_, chart_yaml)) = files.iter().find(|(name, _)| name == "Chart.yaml") else {
        return Err("Chart.yaml file is missing".into());
    };
    chart.metadata = Metadata::parse(&String::from_utf8_lossy(chart_yaml))
        .map_err(|e| format!("cannot load Chart.yaml: {e}"))?;
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
                    .map_err(|e| format!("cannot load values.yaml: {e}"))?;
            }
            "values.schema.json" => chart.schema = Some(data),
            "requirements.yaml" | "requirements.lock" => {
                // requirements.yaml declares dependencies whatever the apiVersion; only v1
                // charts also keep both files among their files.
                if name == "requirements.yaml" {
                    if let Some(deps) = requirements(&data)
                        .map_err(|e| format!("cannot load requirements.yaml: {e}"))?
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
    chart.metadata.validate()?;
    for (group, files) in subcharts {
        if group.starts_with('_') || group.starts_with('.') {
            continue;
        }
        let loaded = if group.ends_with(".tgz") {
            match files.first() {
                Some((name, data)) if *name == group => {
                    archive_files(data).and_then(|f| load_files(f, depth + 1))
                }
                Some((name, _)) => Err(format!(
                    "error unpacking subchart tar in {}: expected {group}, got {name}",
                    chart.name()
                )),
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
            load_files(inner, depth + 1)
        };
        let sub = loaded
            .map_err(|e| format!("error unpacking subchart {group} in {}: {e}", chart.name()))?;
        chart.dependencies.push(sub);
    }
    Ok(chart)
}

fn requirements(data: &[u8]) -> Result<Option<Vec<super::chart::Dependency>>, String> {
    let text = String::from_utf8_lossy(data);
    let docs = crate::yaml::load_all(&text, &crate::yaml::Limits::default())
        .map_err(|e| format!("error converting YAML to JSON: {e}"))?;
    docs.first()
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

    #[test]
    fn clean_path_like_go() {
        assert_eq!(clean_path("a/./b//c"), "a/b/c");
        assert_eq!(clean_path("../x"), "../x");
        assert_eq!(clean_path(""), ".");
        assert_eq!(clean_path("a/../.."), "..");
    }
}
