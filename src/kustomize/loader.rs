//! File access for one kustomization root, with kustomize's default load
//! restrictions: files must lie in or below the root; other kustomization
//! folders (bases, components) may be anywhere inside the package. Nothing is
//! ever fetched: remote references are refused by name.

use super::KustomizeError;
use crate::files::FileTree;

/// Joins `rel` onto folder `dir` (both `/`-separated, relative to the tree
/// top) and normalises `.`/`..`; `None` when the result leaves the tree.
pub fn join(dir: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = if rel.starts_with('/') {
        Vec::new()
    } else {
        dir.split('/').filter(|p| !p.is_empty()).collect()
    };
    for p in rel.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
}

/// True for references kustomize would fetch over the network (URLs, git repos).
pub fn is_remote(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower.contains("://")
        || lower.starts_with("git@")
        || lower.starts_with("github.com/")
        || lower.starts_with("gitlab.com/")
        || lower.starts_with("bitbucket.org/")
        || lower.contains("?ref=")
        || lower.contains("?version=")
}

pub fn is_dir(tree: &FileTree, dir: &str) -> bool {
    if dir.is_empty() {
        return !tree.is_empty();
    }
    let prefix = format!("{dir}/");
    tree.iter().any(|(p, _)| p.starts_with(&prefix))
}

/// Reads files for the kustomization whose folder is `root`.
pub struct Loader<'t> {
    pub tree: &'t FileTree,
    pub root: String,
}

impl<'t> Loader<'t> {
    pub fn new(tree: &'t FileTree, root: &str) -> Self {
        Loader {
            tree,
            root: root.trim_matches('/').to_string(),
        }
    }

    /// The path of a file named by this kustomization, checked against the
    /// load restrictions.
    pub fn resolve_file(&self, rel: &str) -> Result<String, KustomizeError> {
        if is_remote(rel) {
            return Err(KustomizeError::Remote(rel.to_string()));
        }
        self.refuse_absolute(rel)?;
        let full = join(&self.root, rel).ok_or_else(|| KustomizeError::OutsideRoot {
            path: rel.to_string(),
            root: self.display_root(),
        })?;
        let inside = self.root.is_empty()
            || full == self.root
            || full.starts_with(&format!("{}/", self.root));
        if !inside {
            return Err(KustomizeError::OutsideRoot {
                path: full,
                root: self.display_root(),
            });
        }
        Ok(full)
    }

    /// Reads a file named by this kustomization.
    pub fn load(&self, rel: &str) -> Result<Vec<u8>, KustomizeError> {
        let full = self.resolve_file(rel)?;
        let data = self.tree.get(&full).ok_or_else(|| {
            KustomizeError::build(format!(
                "evalsymlink failure on '{}' : lstat {}: no such file or directory",
                full, full
            ))
        })?;
        // Every load counts against the input's bytes: a diamond of overlays loads the same
        // big resource once per path to it.
        crate::budget::charge_bytes(data.len() as u64).map_err(KustomizeError::Limit)?;
        Ok(data.to_vec())
    }

    pub fn load_text(&self, rel: &str) -> Result<String, KustomizeError> {
        let data = self.load(rel)?;
        String::from_utf8(data)
            .map_err(|_| KustomizeError::build(format!("file '{rel}' is not valid UTF-8")))
    }

    /// The folder of another kustomization (a base or component), which may lie
    /// outside this root but not outside the package.
    pub fn resolve_dir(&self, rel: &str) -> Result<String, KustomizeError> {
        if is_remote(rel) {
            return Err(KustomizeError::Remote(rel.to_string()));
        }
        self.refuse_absolute(rel)?;
        join(&self.root, rel).ok_or_else(|| KustomizeError::OutsideRoot {
            path: rel.to_string(),
            root: self.display_root(),
        })
    }

    /// An absolute path names a file of the machine, never one of the package: kustomize
    /// refuses it as outside the root (the package's folder lies elsewhere on disk).
    fn refuse_absolute(&self, rel: &str) -> Result<(), KustomizeError> {
        if rel.starts_with('/') {
            return Err(KustomizeError::OutsideRoot {
                path: rel.to_string(),
                root: self.display_root(),
            });
        }
        Ok(())
    }

    pub fn display_root(&self) -> String {
        if self.root.is_empty() {
            ".".to_string()
        } else {
            self.root.clone()
        }
    }
}
