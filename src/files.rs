//! A package's files held in memory: what unpacking produces and every renderer reads.

use std::collections::BTreeMap;
use std::sync::Arc;

/// Files keyed by their `/`-separated path relative to the tree's root, in byte-sorted order.
/// Contents are shared: a subtree or a chart loaded from the tree holds the same bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileTree {
    files: BTreeMap<String, Arc<[u8]>>,
}

impl FileTree {
    /// An empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds or replaces a file; returns the previous content when the path was already present.
    pub fn insert(
        &mut self,
        path: impl Into<String>,
        data: impl Into<Arc<[u8]>>,
    ) -> Option<Arc<[u8]>> {
        self.files.insert(path.into(), data.into())
    }

    /// The contents of the file at `path`, if the tree holds one.
    pub fn get(&self, path: &str) -> Option<&[u8]> {
        self.files.get(path).map(AsRef::as_ref)
    }

    /// Whether the tree holds a file at `path`.
    pub fn contains(&self, path: &str) -> bool {
        self.files.contains_key(path)
    }

    /// How many files the tree holds.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether the tree holds no file.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Every file with its path, in byte-sorted path order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.files.iter().map(|(p, d)| (p.as_str(), d.as_ref()))
    }

    /// Every file with its path and its shared content, in byte-sorted path order.
    pub(crate) fn iter_shared(&self) -> impl Iterator<Item = (&str, &Arc<[u8]>)> {
        self.files.iter().map(|(p, d)| (p.as_str(), d))
    }

    /// The files below the folder `dir` (no trailing slash; empty for the root), with `dir/`
    /// stripped; their contents are shared, not copied.
    pub fn subtree(&self, dir: &str) -> FileTree {
        if dir.is_empty() {
            return self.clone();
        }
        let prefix = format!("{dir}/");
        let files = self
            .files
            .range(prefix.clone()..)
            .take_while(|(p, _)| p.starts_with(&prefix))
            .map(|(p, d)| (p[prefix.len()..].to_string(), d.clone()))
            .collect();
        FileTree { files }
    }
}

/// The file names kustomize accepts for a kustomization, in the order it looks for them.
/// Kept here, below input classification, package detection and kustomize, which all use it.
pub(crate) const KUSTOMIZATION_FILE_NAMES: [&str; 3] =
    ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// Whether `path` names a file the plain-manifest reader takes (`.yaml`, `.yml`, `.json`).
pub(crate) fn is_manifest_path(path: &str) -> bool {
    path.ends_with(".yaml") || path.ends_with(".yml") || path.ends_with(".json")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subtree_strips_prefix_and_excludes_siblings() {
        let mut tree = FileTree::new();
        tree.insert("chart/Chart.yaml", b"name: a".to_vec());
        tree.insert("chart/templates/x.yaml", b"x".to_vec());
        tree.insert("chart-other/Chart.yaml", b"name: b".to_vec());
        tree.insert("chartz", b"z".to_vec());
        let sub = tree.subtree("chart");
        let paths: Vec<&str> = sub.iter().map(|(p, _)| p).collect();
        assert_eq!(paths, ["Chart.yaml", "templates/x.yaml"]);
        assert_eq!(tree.subtree("").len(), 4);
        let shared = |t: &FileTree| t.iter_shared().next().map(|(_, d)| d.as_ptr());
        assert_eq!(shared(&sub), shared(&tree.subtree("chart")));
    }
}
