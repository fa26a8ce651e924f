//! File access for one kustomization root, with kustomize's default load
//! restrictions: files must lie in or below the kustomization's folder; other
//! kustomization folders (bases, components) may lie anywhere: anywhere on
//! disk for a directory input, anywhere inside the archive for an archive.
//! Nothing is ever fetched: remote references are refused by name.

use super::KustomizeError;
use crate::budget::{LimitExceeded, LimitKind};
use crate::files::FileTree;
use crate::input::read::{read_path, ReadError};
use std::borrow::Cow;
use std::path::{Path, PathBuf};

/// Largest file read from disk outside the input folder (the archive limit's default).
const MAX_OUTSIDE_FILE: u64 = 256 * 1024 * 1024;

/// Joins `rel` onto folder `dir` (both `/`-separated, relative to the tree
/// top) and normalises `.`/`..`. A result above the tree top keeps its
/// leading `..` segments (`../base`); `None` only when an absolute `rel`
/// climbs above `/`.
pub fn join(dir: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = if rel.starts_with('/') {
        Vec::new()
    } else {
        dir.split('/').filter(|p| !p.is_empty()).collect()
    };
    for p in rel.split('/') {
        match p {
            "" | "." => {}
            ".." => match parts.last() {
                Some(&"..") | None if rel.starts_with('/') => return None,
                Some(&"..") | None => parts.push(".."),
                Some(_) => {
                    parts.pop();
                }
            },
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
}

/// True for a joined path that lies above the tree top.
pub fn is_outside(path: &str) -> bool {
    path == ".." || path.starts_with("../")
}

/// True when `path` is `root` or lies below it (both joined paths).
pub fn is_within(path: &str, root: &str) -> bool {
    if root.is_empty() {
        return !is_outside(path);
    }
    path == root
        || path
            .strip_prefix(root)
            .is_some_and(|rest| rest.starts_with('/'))
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

/// The files a build reads: the input's tree and, for a directory input, the
/// disk around it (kustomize loads bases such as `../../base` from anywhere).
#[derive(Clone, Copy)]
pub struct Files<'t> {
    /// The input's files.
    pub tree: &'t FileTree,
    /// The folder on disk the tree's top stands for; `None` for an archive,
    /// whose files are all there is.
    disk_top: Option<&'t Path>,
}

impl<'t> Files<'t> {
    /// Only the tree (an archive: nothing may leave it).
    pub fn in_tree(tree: &'t FileTree) -> Self {
        Files {
            tree,
            disk_top: None,
        }
    }

    /// The tree of the folder `top` on disk, with the disk around it.
    pub fn on_disk(tree: &'t FileTree, top: &'t Path) -> Self {
        Files {
            tree,
            disk_top: Some(top),
        }
    }

    fn disk_path(&self, path: &str) -> Option<PathBuf> {
        let top = self.disk_top?;
        Some(
            path.split('/')
                .fold(top.to_path_buf(), |p, seg| p.join(seg)),
        )
    }

    /// A file's bytes: `None` when none is there (or it cannot be read), an error when the file
    /// outside the input holds more than [`MAX_OUTSIDE_FILE`] bytes.
    pub fn get(&self, path: &str) -> Result<Option<Cow<'t, [u8]>>, KustomizeError> {
        if !is_outside(path) {
            return Ok(self.tree.get(path).map(Cow::Borrowed));
        }
        let Some(disk) = self.disk_path(path) else {
            return Ok(None);
        };
        let Some(size) = std::fs::metadata(&disk)
            .ok()
            .filter(|meta| meta.is_file())
            .map(|meta| meta.len())
        else {
            return Ok(None);
        };
        let too_large = |error: ReadError| {
            KustomizeError::Limit(LimitExceeded::new(
                LimitKind::FileSize,
                format!("{}: {error}", self.shown(path)),
            ))
        };
        // A file that says it is too large is refused unread; the rest are read bounded
        // whatever their size says (a `/proc` file says 0 and has no end in practice).
        if size > MAX_OUTSIDE_FILE {
            return Err(too_large(ReadError::TooLarge {
                limit: MAX_OUTSIDE_FILE,
            }));
        }
        match read_path(&disk, MAX_OUTSIDE_FILE) {
            Ok(data) => Ok(Some(Cow::Owned(data))),
            Err(error @ ReadError::TooLarge { .. }) => Err(too_large(error)),
            Err(_) => Ok(None),
        }
    }

    /// Whether a file is at `path`.
    pub fn contains(&self, path: &str) -> bool {
        if !is_outside(path) {
            return self.tree.contains(path);
        }
        self.disk_path(path)
            .is_some_and(|d| std::fs::metadata(d).is_ok_and(|m| m.is_file()))
    }

    /// Whether `dir` is a folder (in the tree, or on disk outside it).
    pub fn is_dir(&self, dir: &str) -> bool {
        if is_outside(dir) {
            return self.disk_path(dir).is_some_and(|d| d.is_dir());
        }
        if dir.is_empty() {
            return !self.tree.is_empty() || self.disk_top.is_some();
        }
        let prefix = format!("{dir}/");
        self.tree.iter().any(|(p, _)| p.starts_with(&prefix))
            || self.disk_path(dir).is_some_and(|d| d.is_dir())
    }

    /// The files below folder `dir` (inside the tree only).
    pub fn subtree(&self, dir: &str) -> FileTree {
        if is_outside(dir) {
            return FileTree::new();
        }
        self.tree.subtree(dir)
    }

    /// Whether anything (a file or a folder) is at `path`.
    fn exists(&self, path: &str) -> bool {
        self.contains(path) || self.is_dir(path)
    }

    /// `path` as kustomize names it in its messages: kustomize works on real absolute paths,
    /// so a directory input's paths are shown from the disk's root; an archive's stay paths
    /// in the archive ("." for its top).
    pub fn shown(&self, path: &str) -> String {
        let Some(top) = self.disk_top else {
            return if path.is_empty() {
                ".".into()
            } else {
                path.into()
            };
        };
        let mut abs = std::fs::canonicalize(top)
            .or_else(|_| std::path::absolute(top))
            .unwrap_or_else(|_| top.to_path_buf());
        for seg in path.split('/') {
            match seg {
                "" | "." => {}
                ".." => {
                    abs.pop();
                }
                name => abs.push(name),
            }
        }
        abs.to_string_lossy().into_owned()
    }

    /// Whether folder `path` is folder `dir` or lies below it; on disk when the input is
    /// a folder (where `../top` is the top itself), as kustomize compares real paths.
    pub fn same_or_below(&self, path: &str, dir: &str) -> bool {
        if self.disk_top.is_none() {
            return is_within(path, dir);
        }
        let (path, dir) = (self.shown(path), self.shown(dir));
        dir == "/" || is_within(&path, &dir)
    }

    /// Go's `filepath.EvalSymlinks` failure on `path`, as kustomize's file system reports
    /// it: `lstat` of the first part that does not exist, or ENOTDIR when a file stands
    /// where a folder should; `None` when the path exists.
    fn eval_symlinks_failure(&self, path: &str) -> Option<String> {
        if self.exists(path) {
            return None;
        }
        let mut prefix = String::new();
        for seg in path.split('/') {
            let parent_is_file = !prefix.is_empty() && self.contains(&prefix);
            if parent_is_file {
                return Some(format!(
                    "evalsymlink failure on '{}' : not a directory",
                    self.shown(path)
                ));
            }
            prefix = join(&prefix, seg).unwrap_or_default();
            if !self.exists(&prefix) {
                break;
            }
        }
        Some(format!(
            "evalsymlink failure on '{}' : lstat {}: no such file or directory",
            self.shown(path),
            self.shown(&prefix)
        ))
    }
}

/// Reads files for the kustomization whose folder is `root`.
pub struct Loader<'t> {
    pub files: Files<'t>,
    pub root: String,
}

impl<'t> Loader<'t> {
    pub fn new(files: Files<'t>, root: &str) -> Self {
        Loader {
            files,
            root: root.trim_matches('/').to_string(),
        }
    }

    /// The path of a file named by this kustomization, checked as kustomize's
    /// root-only load restrictor checks it: it must exist, be a file, and lie in or
    /// below this kustomization's folder.
    pub fn resolve_file(&self, rel: &str) -> Result<String, KustomizeError> {
        if is_remote(rel) {
            return Err(KustomizeError::Remote(rel.to_string()));
        }
        let outside = |path: String| KustomizeError::OutsideRoot {
            path,
            root: self.files.shown(&self.root),
        };
        // An absolute path names a file of the machine, never one of the package: refused
        // as outside the root (the package's folder lies elsewhere on disk) without looking.
        if rel.starts_with('/') {
            return Err(outside(rel.to_string()));
        }
        let full = join(&self.root, rel).ok_or_else(|| outside(rel.to_string()))?;
        if is_outside(&full) && self.files.disk_top.is_none() {
            return Err(outside(full));
        }
        if let Some(failure) = self.files.eval_symlinks_failure(&full) {
            return Err(KustomizeError::build(failure));
        }
        if !self.files.contains(&full) {
            return Err(KustomizeError::build(format!(
                "'{}' must resolve to a file",
                self.files.shown(&full)
            )));
        }
        if !is_within(&full, &self.root) {
            return Err(outside(self.files.shown(&full)));
        }
        Ok(full)
    }

    /// Reads a file named by this kustomization.
    pub fn load(&self, rel: &str) -> Result<Vec<u8>, KustomizeError> {
        let full = self.resolve_file(rel)?;
        let data = self.files.get(&full)?.ok_or_else(|| {
            KustomizeError::build(format!(
                "open {}: permission denied",
                self.files.shown(&full)
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

    /// The folder of another kustomization (a base or component), checked as kustomize's
    /// `loader.New` checks it: a folder that exists, which may lie outside this root
    /// (anywhere on disk for a directory input, anywhere in the archive for an archive).
    pub fn resolve_dir(&self, rel: &str) -> Result<String, KustomizeError> {
        if is_remote(rel) {
            return Err(KustomizeError::Remote(rel.to_string()));
        }
        if rel.starts_with('/') {
            return Err(KustomizeError::build(format!(
                "new root '{rel}' cannot be absolute"
            )));
        }
        let dir = match join(&self.root, rel) {
            Some(dir) if !is_outside(&dir) || self.files.disk_top.is_some() => dir,
            _ => return Err(KustomizeError::OutsideArchive(rel.to_string())),
        };
        if let Some(failure) = self.files.eval_symlinks_failure(&dir) {
            return Err(KustomizeError::build(format!(
                "must build at directory: not a valid directory: {failure}"
            )));
        }
        if !self.files.is_dir(&dir) {
            return Err(KustomizeError::build(format!(
                "must build at directory: '{}': file is not directory",
                self.files.shown(&dir)
            )));
        }
        Ok(dir)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_keeps_climbs_above_the_top() {
        assert_eq!(join("overlays/prod", "../../base").as_deref(), Some("base"));
        assert_eq!(join("overlay", "../../base").as_deref(), Some("../base"));
        assert_eq!(join("../base", "../x/./y").as_deref(), Some("../x/y"));
        assert_eq!(join("", "/../x"), None);
    }

    #[test]
    fn files_stay_within_their_kustomization() {
        assert!(is_within("a/b", "a"));
        assert!(!is_within("ab", "a"));
        assert!(is_within("x", ""));
        assert!(!is_within("../x", ""));
        assert!(is_within("../base/p.yaml", "../base"));
        assert!(!is_within("../other/p.yaml", "../base"));
    }

    #[test]
    fn archives_keep_bases_inside() {
        let mut tree = FileTree::new();
        tree.insert("kustomization.yaml", b"resources: [../base]".to_vec());
        let ldr = Loader::new(Files::in_tree(&tree), "");
        assert_eq!(
            ldr.resolve_dir("../base"),
            Err(KustomizeError::OutsideArchive("../base".into()))
        );
        assert!(ldr.resolve_file("../base/x.yaml").is_err());
    }

    /// A folder on disk holding `overlay/kustomization.yaml`, `overlay/p.yaml` and
    /// `base/r.yaml`, removed when dropped.
    struct Scratch(PathBuf);

    impl Scratch {
        fn new(name: &str) -> Self {
            let dir = std::env::temp_dir().join(format!("pkglens-{name}-{}", std::process::id()));
            for (file, text) in [
                ("overlay/kustomization.yaml", "resources: [../base]"),
                ("overlay/p.yaml", "kind: X"),
                ("base/r.yaml", "kind: Y"),
            ] {
                let path = dir.join(file);
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(path, text).unwrap();
            }
            Scratch(std::fs::canonicalize(dir).unwrap())
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn files_fail_as_kustomizes_root_only_restrictor_on_real_paths() {
        let scratch = Scratch::new("restrictor");
        let top = scratch.0.join("overlay");
        let mut tree = FileTree::new();
        tree.insert("kustomization.yaml", b"resources: [../base]".to_vec());
        tree.insert("p.yaml", b"kind: X".to_vec());
        let ldr = Loader::new(Files::on_disk(&tree, &top), "");
        let at = |rel: &str| format!("{}/{rel}", scratch.0.display());
        let failure = |rel: &str| ldr.resolve_file(rel).unwrap_err().to_string();
        assert_eq!(ldr.resolve_file("p.yaml").as_deref(), Ok("p.yaml"));
        // Missing: lstat names the first part that is not there.
        assert_eq!(
            failure("sub/dir/x.yaml"),
            format!(
                "evalsymlink failure on '{0}' : lstat {1}: no such file or directory",
                at("overlay/sub/dir/x.yaml"),
                at("overlay/sub")
            )
        );
        // A file where a folder should be.
        assert_eq!(
            failure("p.yaml/x"),
            format!(
                "evalsymlink failure on '{}' : not a directory",
                at("overlay/p.yaml/x")
            )
        );
        // Existence and kind are checked before the root.
        assert_eq!(
            failure("../base"),
            format!("'{}' must resolve to a file", at("base"))
        );
        assert_eq!(
            failure("../base/r.yaml"),
            format!(
                "security; file '{}' is not in or below '{}'",
                at("base/r.yaml"),
                at("overlay")
            )
        );
    }

    /// A file outside the input is read whole when within its limit; one whose size passes
    /// the limit (sparse here: no disk used) is refused as a limit without being read.
    #[test]
    fn outside_files_over_the_limit_are_refused_unread() {
        let scratch = Scratch::new("outside-size");
        let top = scratch.0.join("overlay");
        let tree = FileTree::new();
        let files = Files::on_disk(&tree, &top);
        let read = files.get("../base/r.yaml").unwrap().unwrap();
        assert_eq!(&*read, b"kind: Y");
        std::fs::File::create(scratch.0.join("base/big.yaml"))
            .unwrap()
            .set_len(MAX_OUTSIDE_FILE + 1)
            .unwrap();
        let error = files.get("../base/big.yaml").unwrap_err();
        assert_eq!(error.limit(), Some(LimitKind::FileSize));
        assert!(error
            .to_string()
            .ends_with("base/big.yaml: input is larger than the limit of 268435456 bytes"));
        assert!(files.get("../base/none.yaml").unwrap().is_none());
    }

    #[test]
    fn other_kustomizations_must_be_folders_that_exist() {
        let scratch = Scratch::new("new-root");
        let top = scratch.0.join("overlay");
        let tree = FileTree::new();
        let ldr = Loader::new(Files::on_disk(&tree, &top), "");
        let at = |rel: &str| format!("{}/{rel}", scratch.0.display());
        assert_eq!(ldr.resolve_dir("../base").as_deref(), Ok("../base"));
        assert_eq!(
            ldr.resolve_dir("../base/r.yaml").unwrap_err().to_string(),
            format!(
                "must build at directory: '{}': file is not directory",
                at("base/r.yaml")
            )
        );
        assert_eq!(
            ldr.resolve_dir("../nope").unwrap_err().to_string(),
            format!(
                "must build at directory: not a valid directory: evalsymlink failure on '{0}' : lstat {0}: no such file or directory",
                at("nope")
            )
        );
        assert_eq!(
            ldr.resolve_dir("/etc").unwrap_err().to_string(),
            "new root '/etc' cannot be absolute"
        );
        // `../overlay` is the input's own top folder.
        assert!(ldr.files.same_or_below("", "../overlay"));
        assert!(!ldr.files.same_or_below("../base", ""));
    }
}
