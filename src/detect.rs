//! Package detection: which system a tree of files is, and where its package roots are.
//!
//! The contract's order: a top folder with `Chart.yaml` is a Helm chart; otherwise any
//! kustomization file makes the tree a Kustomize input (the Kustomize stage splits it into
//! roots; charts inside are what its `helmCharts` inflate); otherwise folders holding
//! `Chart.yaml` are charts (a folder of charts), and the YAML/JSON manifests outside them
//! form one plain `kube` package.

use crate::files::FileTree;
use serde::Serialize;
use std::fmt;

/// File names Kustomize accepts for a kustomization (the Kustomize module owns the list).
pub use crate::kustomize::KUSTOMIZATION_FILE_NAMES;

/// The package systems of the records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum System {
    Helm,
    Kustomize,
    Kube,
}

impl fmt::Display for System {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Helm => "helm",
            Self::Kustomize => "kustomize",
            Self::Kube => "kube",
        })
    }
}

/// One package found in a tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetectedPackage {
    pub system: System,
    /// The package's folder in the tree (`""` for the tree's root).
    pub root: String,
    /// The root relative to the tree's top folder; `None` when the root is the top folder.
    pub entry: Option<String>,
    /// Folders under the root that belong to other packages (charts beside plain manifests).
    pub exclude: Vec<String>,
}

impl DetectedPackage {
    /// Whether the file at `path` belongs to this package.
    pub fn owns(&self, path: &str) -> bool {
        let under = |dir: &str| {
            dir.is_empty() || path.starts_with(dir) && path[dir.len()..].starts_with('/')
        };
        under(&self.root) && !self.exclude.iter().any(|dir| under(dir))
    }
}

/// The single folder every file lies under (`mychart` for a chart archive), if there is one.
pub fn top_folder(tree: &FileTree) -> Option<String> {
    let mut top: Option<&str> = None;
    for (path, _) in tree.iter() {
        let (first, _) = path.split_once('/')?;
        match top {
            Some(t) if t != first => return None,
            _ => top = Some(first),
        }
    }
    top.map(str::to_string)
}

/// Whether `path` names a file the plain-manifest reader takes (`.yaml`, `.yml`, `.json`).
pub fn is_manifest_path(path: &str) -> bool {
    path.ends_with(".yaml") || path.ends_with(".yml") || path.ends_with(".json")
}

fn file_name(path: &str) -> &str {
    path.rsplit_once('/').map_or(path, |(_, name)| name)
}

fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

/// Finds the packages in `tree` (empty when it holds none).
pub fn detect(tree: &FileTree) -> Vec<DetectedPackage> {
    let top = top_folder(tree).unwrap_or_default();
    let entry_of = |root: &str| -> Option<String> {
        let relative = if top.is_empty() {
            root
        } else {
            root.strip_prefix(top.as_str())
                .map(|r| r.trim_start_matches('/'))
                .unwrap_or(root)
        };
        (!relative.is_empty()).then(|| relative.to_string())
    };
    let package = |system, root: &str| DetectedPackage {
        system,
        root: root.to_string(),
        entry: entry_of(root),
        exclude: Vec::new(),
    };
    if tree.contains(&join(&top, "Chart.yaml")) {
        return vec![package(System::Helm, &top)];
    }
    let paths: Vec<&str> = tree.iter().map(|(p, _)| p).collect();
    if paths
        .iter()
        .any(|p| KUSTOMIZATION_FILE_NAMES.contains(&file_name(p)))
    {
        return vec![package(System::Kustomize, &top)];
    }
    let chart_roots = outermost(
        paths
            .iter()
            .filter(|p| file_name(p) == "Chart.yaml")
            .map(|p| parent(p)),
    );
    let mut found: Vec<DetectedPackage> = chart_roots
        .iter()
        .map(|root| package(System::Helm, root))
        .collect();
    let plain = DetectedPackage {
        exclude: chart_roots.iter().map(|r| r.to_string()).collect(),
        ..package(System::Kube, &top)
    };
    if paths.iter().any(|p| is_manifest_path(p) && plain.owns(p)) {
        found.push(plain);
    }
    found
}

/// The folders not inside another of the folders (subcharts live inside their parent chart).
fn outermost<'a>(dirs: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut sorted: Vec<&str> = dirs.collect();
    sorted.sort_unstable();
    let mut kept: Vec<&str> = Vec::new();
    for dir in sorted {
        let inside = kept
            .iter()
            .any(|k| k.is_empty() || dir == *k || dir.starts_with(&format!("{k}/")));
        if !inside {
            kept.push(dir);
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(paths: &[&str]) -> FileTree {
        let mut tree = FileTree::new();
        for p in paths {
            tree.insert(*p, Vec::new());
        }
        tree
    }

    #[test]
    fn chart_archive_is_helm_at_its_top_folder() {
        let found = detect(&tree(&[
            "web/Chart.yaml",
            "web/templates/d.yaml",
            "web/charts/db/Chart.yaml",
        ]));
        assert_eq!(
            found,
            [DetectedPackage {
                system: System::Helm,
                root: "web".into(),
                entry: None,
                exclude: vec![],
            }]
        );
    }

    #[test]
    fn folder_of_charts_yields_each_chart() {
        let found = detect(&tree(&[
            "repo/a/Chart.yaml",
            "repo/a/charts/x/Chart.yaml",
            "repo/b/Chart.yaml",
        ]));
        let roots: Vec<_> = found
            .iter()
            .map(|p| (p.root.as_str(), p.entry.as_deref()))
            .collect();
        assert_eq!(roots, [("repo/a", Some("a")), ("repo/b", Some("b"))]);
    }

    #[test]
    fn kustomization_anywhere_makes_kustomize() {
        let found = detect(&tree(&["app/base/kustomization.yaml", "app/base/d.yaml"]));
        assert_eq!(found[0].system, System::Kustomize);
        assert_eq!(found[0].entry, None);
    }

    #[test]
    fn manifests_without_top_folder_are_kube_at_root() {
        let found = detect(&tree(&["a.yaml", "b/c.json"]));
        assert_eq!(
            found,
            [DetectedPackage {
                system: System::Kube,
                root: "".into(),
                entry: None,
                exclude: vec![],
            }]
        );
    }

    #[test]
    fn manifests_beside_charts_are_a_kube_package_without_the_charts() {
        let found = detect(&tree(&[
            "dir/web/Chart.yaml",
            "dir/web/templates/d.yaml",
            "dir/plain/d.yaml",
        ]));
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].system, System::Helm);
        assert_eq!(found[0].entry.as_deref(), Some("web"));
        assert_eq!(found[1].system, System::Kube);
        assert!(found[1].owns("dir/plain/d.yaml"));
        assert!(!found[1].owns("dir/web/templates/d.yaml"));
    }

    #[test]
    fn nothing_recognisable_is_no_package() {
        assert!(detect(&tree(&["README.md", "x/notes.txt"])).is_empty());
        assert!(detect(&FileTree::new()).is_empty());
    }

    #[test]
    fn top_folder_needs_every_file_under_it() {
        assert_eq!(top_folder(&tree(&["a/x", "a/b/y"])), Some("a".into()));
        assert_eq!(top_folder(&tree(&["a/x", "b/y"])), None);
        assert_eq!(top_folder(&tree(&["a/x", "z"])), None);
    }
}
