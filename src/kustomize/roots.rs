//! Which folders of a package are kustomization roots: those holding a
//! kustomization file that no other kustomization in the package references.

use super::kustfile::Kustomization;
use super::loader::{is_remote, join};
use crate::files::{FileTree, KUSTOMIZATION_FILE_NAMES};
use std::collections::BTreeSet;

/// Whether `dir` in `tree` holds a kustomization file.
pub fn is_kustomization_dir(tree: &FileTree, dir: &str) -> bool {
    KUSTOMIZATION_FILE_NAMES
        .iter()
        .any(|f| tree.contains(&join(dir, f).unwrap_or_default()))
}

/// Kustomization folders ("" for the top) that are no Component and that no
/// other kustomization names in
/// `resources`, `bases`, `components`, `generators`, `transformers` or
/// `validators`, in path order.
pub fn find_roots(tree: &FileTree) -> Vec<String> {
    let mut dirs = BTreeSet::new();
    for (path, _) in tree.iter() {
        let (dir, file) = match path.rsplit_once('/') {
            Some((d, f)) => (d, f),
            None => ("", path),
        };
        if KUSTOMIZATION_FILE_NAMES.contains(&file) {
            dirs.insert(dir.to_string());
        }
    }
    let mut referenced = BTreeSet::new();
    for dir in &dirs {
        let text = KUSTOMIZATION_FILE_NAMES
            .iter()
            .find_map(|f| tree.get(&join(dir, f).unwrap_or_default()))
            .and_then(|b| std::str::from_utf8(b).ok());
        let Some(k) = text.and_then(|t| Kustomization::parse(t, dir, dir).ok()) else {
            continue;
        };
        // A Component is only ever mixed into another kustomization: alone it is no install.
        if k.is_component() {
            referenced.insert(dir.clone());
        }
        let refs = k
            .resources
            .iter()
            .chain(&k.components)
            .chain(&k.generators)
            .chain(&k.transformers)
            .chain(&k.validators);
        for r in refs {
            if is_remote(r) {
                continue;
            }
            if let Some(target) = join(dir, r) {
                if target != *dir && dirs.contains(&target) {
                    referenced.insert(target);
                }
            }
        }
    }
    dirs.into_iter()
        .filter(|d| !referenced.contains(d))
        .collect()
}
