//! Package detection: which system a tree of files is, and where its package roots are.
//!
//! The contract's order: a top folder with `Chart.yaml` is a Helm chart; otherwise any
//! kustomization file makes the tree a Kustomize input (the Kustomize stage splits it into
//! roots; charts inside are what its `helmCharts` inflate); otherwise folders holding
//! `Chart.yaml` are charts (a folder of charts), and the YAML/JSON manifests outside them
//! form one plain `kube` package.

use crate::files::{is_manifest_path, FileTree, KUSTOMIZATION_FILE_NAMES};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The package systems of the records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum System {
    /// A Helm chart (`Chart.yaml`).
    Helm,
    /// A kustomization root.
    Kustomize,
    /// Plain Kubernetes manifests.
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
    /// What kind of package it is.
    pub system: System,
    /// The package's folder in the tree (`""` for the tree's root).
    pub root: String,
    /// The root relative to the tree's top folder; `None` when the root is the top folder.
    pub entry: Option<String>,
    /// Folders under the root that belong to other packages (charts beside plain manifests).
    pub exclude: Vec<String>,
    /// When not empty, the package is exactly these files (plain manifests of one folder).
    pub only: Vec<String>,
}

impl DetectedPackage {
    /// Whether the file at `path` belongs to this package.
    pub fn owns(&self, path: &str) -> bool {
        if !self.only.is_empty() {
            return self.only.iter().any(|p| p == path);
        }
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

/// What a file holds, as far as package detection cares.
fn holds_kubernetes_object(data: &[u8]) -> bool {
    let text = String::from_utf8_lossy(data);
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        // JSON (or flow-style YAML): both keys somewhere in it.
        return trimmed.contains("apiVersion") && trimmed.contains("kind");
    }
    // Block YAML: a document whose top-level keys (at column 0) include both. A file that
    // would not even parse still counts when it reads like one: its problem is then said.
    let (mut api_version, mut kind) = (false, false);
    for line in text.lines() {
        if line.starts_with("---") {
            if api_version && kind {
                return true;
            }
            (api_version, kind) = (false, false);
        }
        let key = line.trim_start_matches(['"', '\'']);
        api_version |= key.starts_with("apiVersion");
        kind |= key.starts_with("kind");
    }
    api_version && kind
}

/// Finds the packages in `tree` (empty when it holds none), and the manifest-named files
/// left out because they hold no Kubernetes object (values files, CI configs...).
///
/// - A folder with `Chart.yaml` is a Helm chart, except subcharts in another chart's
///   `charts/` folder; a chart at the top folder is the whole tree.
/// - Kustomizations make one Kustomize package over the tree, which the Kustomize stage
///   splits into its roots (chart folders excluded).
/// - Files holding Kubernetes objects outside every chart and kustomization folder are plain
///   `kube` packages: one bundle of the whole tree when it has no chart and no kustomization,
///   otherwise one per folder that directly holds such files (and only those files).
pub(crate) fn detect_with_skipped(tree: &FileTree) -> (Vec<DetectedPackage>, Vec<String>) {
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
        only: Vec::new(),
    };
    if tree.contains(&join(&top, "Chart.yaml")) {
        return (vec![package(System::Helm, &top)], Vec::new());
    }
    let paths: Vec<&str> = tree.iter().map(|(p, _)| p).collect();
    // A single manifest named on the command line is a package whatever it holds; a lone
    // kustomization (an overlay folder whose resources all lie above it) is still one.
    if let [single] = paths.as_slice() {
        if !single.contains('/')
            && is_manifest_path(single)
            && !KUSTOMIZATION_FILE_NAMES.contains(&file_name(single))
        {
            return (vec![package(System::Kube, "")], Vec::new());
        }
    }
    let chart_roots = chart_roots(&paths);
    let kustomization_dirs: Vec<&str> = paths
        .iter()
        .filter(|p| KUSTOMIZATION_FILE_NAMES.contains(&file_name(p)))
        .map(|p| parent(p))
        .collect();
    let mut found: Vec<DetectedPackage> = chart_roots
        .iter()
        .map(|root| package(System::Helm, root))
        .collect();
    if !kustomization_dirs.is_empty() {
        found.push(DetectedPackage {
            exclude: chart_roots.iter().map(|r| r.to_string()).collect(),
            ..package(System::Kustomize, &top)
        });
    }
    let owned = DetectedPackage {
        exclude: chart_roots
            .iter()
            .chain(&kustomization_dirs)
            .map(|r| r.to_string())
            .collect(),
        ..package(System::Kube, "")
    };
    let mut skipped = Vec::new();
    let mut loose: Vec<&str> = Vec::new();
    for (path, data) in tree.iter() {
        if !is_manifest_path(path) || !owned.owns(path) {
            continue;
        }
        if holds_kubernetes_object(data) {
            loose.push(path);
        } else if !(path == join(&top, "index.yaml") || file_name(path) == "Chart.lock") {
            skipped.push(path.to_string());
        }
    }
    if found.is_empty() {
        // Manifests alone: one bundle of the whole tree, as long as it holds any object.
        if loose.is_empty() {
            return (found, skipped);
        }
        return (vec![package(System::Kube, &top)], Vec::new());
    }
    let mut folders: Vec<&str> = loose.iter().map(|p| parent(p)).collect();
    folders.dedup();
    for folder in folders {
        found.push(DetectedPackage {
            only: loose
                .iter()
                .filter(|p| parent(p) == folder)
                .map(|p| p.to_string())
                .collect(),
            ..package(System::Kube, folder)
        });
    }
    (found, skipped)
}

/// `detect_with_skipped` without the list of skipped files.
pub fn detect(tree: &FileTree) -> Vec<DetectedPackage> {
    detect_with_skipped(tree).0
}

/// Folders with `Chart.yaml`, except the subcharts kept in another chart's `charts/`.
fn chart_roots<'a>(paths: &[&'a str]) -> Vec<&'a str> {
    let mut dirs: Vec<&str> = paths
        .iter()
        .filter(|p| file_name(p) == "Chart.yaml")
        .map(|p| parent(p))
        .collect();
    dirs.sort_unstable();
    let mut kept: Vec<&str> = Vec::new();
    for dir in dirs {
        let subchart = kept.iter().any(|chart| {
            let charts = join(chart, "charts");
            dir.starts_with(&charts) && dir[charts.len()..].starts_with('/')
        });
        if !subchart {
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
            let content = if p.ends_with("Chart.yaml") || p.contains("kustomization") {
                b"name: x\n".to_vec()
            } else {
                b"apiVersion: v1\nkind: ConfigMap\n".to_vec()
            };
            tree.insert(*p, content);
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
                only: vec![],
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

    /// An overlay folder holding nothing but its kustomization (`resources: [../base]`)
    /// is a kustomization, not a single manifest.
    #[test]
    fn a_lone_kustomization_is_kustomize() {
        for name in KUSTOMIZATION_FILE_NAMES {
            let found = detect(&tree(&[name]));
            assert_eq!(found.len(), 1, "{name}");
            assert_eq!(found[0].system, System::Kustomize, "{name}");
            assert_eq!(found[0].root, "", "{name}");
        }
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
                only: vec![],
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

    #[test]
    fn a_mixed_tree_gives_charts_kustomizations_and_one_kube_package_per_folder() {
        let mut files = tree(&[
            "repo/charts/web/Chart.yaml",
            "repo/charts/web/templates/d.yaml",
            "repo/charts/web/charts/db/Chart.yaml",
            "repo/overlays/prod/kustomization.yaml",
            "repo/overlays/prod/patch.yaml",
            "repo/manifests/a.yaml",
            "repo/manifests/b.json",
            "repo/manifests/more/c.yaml",
        ]);
        files.insert("repo/values/prod.yaml", b"replicas: 3\n".to_vec());
        files.insert("repo/.gitlab-ci.yml", b"stages: [test]\n".to_vec());
        let (found, skipped) = detect_with_skipped(&files);
        let summary: Vec<_> = found
            .iter()
            .map(|p| (p.system, p.root.as_str(), p.only.len()))
            .collect();
        assert_eq!(
            summary,
            [
                (System::Helm, "repo/charts/web", 0),
                (System::Kustomize, "repo", 0),
                (System::Kube, "repo/manifests", 2),
                (System::Kube, "repo/manifests/more", 1),
            ]
        );
        assert!(!found[2].owns("repo/manifests/more/c.yaml"));
        assert_eq!(skipped, ["repo/.gitlab-ci.yml", "repo/values/prod.yaml"]);
    }

    #[test]
    fn yaml_without_objects_is_no_package_but_a_single_named_file_is() {
        let mut files = FileTree::new();
        files.insert("dir/values.yaml", b"image: nginx\n".to_vec());
        let (found, skipped) = detect_with_skipped(&files);
        assert!(found.is_empty());
        assert_eq!(skipped, ["dir/values.yaml"]);
        let mut single = FileTree::new();
        single.insert("values.yaml", b"image: nginx\n".to_vec());
        assert_eq!(detect(&single)[0].system, System::Kube);
    }

    #[test]
    fn kubernetes_objects_are_documents_with_top_level_api_version_and_kind() {
        assert!(holds_kubernetes_object(b"apiVersion: v1\nkind: Pod\n"));
        assert!(holds_kubernetes_object(
            b"a: 1\n---\n\"kind\": Pod\napiVersion: v1\n"
        ));
        assert!(holds_kubernetes_object(
            br#"{"apiVersion": "v1", "kind": "List"}"#
        ));
        assert!(!holds_kubernetes_object(
            b"kind: Pod\n---\napiVersion: v1\n"
        ));
        assert!(!holds_kubernetes_object(
            b"spec:\n  apiVersion: v1\n  kind: Pod\n"
        ));
        assert!(!holds_kubernetes_object(b"image: nginx\n"));
    }
}
