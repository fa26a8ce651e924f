//! Reading a chart folder from disk as helm's `LoadDir` walks it (pkg/chart/v2/loader/
//! directory.go over internal/sympath/walk.go): entries in byte order, symlinks followed and
//! logged, folders that `.helmignore` names skipped before their entries are looked at.
//!
//! The walk meets a symlink before it asks `.helmignore` about its name, so a link is resolved
//! (a broken one fails the load) and logged even when its name is ignored; a link inside an
//! ignored folder is never seen.

use super::helmignore::Rules;
use super::loader::{Budget, LoadError, MAX_DECOMPRESSED_FILE_SIZE};
use super::log::{Level, Log};
use super::HelmError;
use crate::files::FileTree;
use crate::go::os::PathError;
use crate::input::read::{read_path, ReadError};
use crate::unpack::Limits;
use std::fs::{self, Metadata};
use std::path::{Component, Path, PathBuf};

/// The chart folder's files (`.helmignore`d ones left out, the file itself kept), with the
/// lines helm logs while walking it added to `log` (also when the walk fails).
pub fn read_chart_dir(dir: &Path, log: &mut Log) -> Result<FileTree, HelmError> {
    let top = absolute(dir);
    let ignore_file = top.join(".helmignore");
    let rules = match fs::metadata(&ignore_file) {
        Ok(_) => {
            // Bounded as every chart file is: a `.helmignore` linked to `/dev/zero` ends.
            let text = crate::input::read_named_file(&ignore_file, MAX_DECOMPRESSED_FILE_SIZE)
                .map_err(|e| walk_error(PathError::read_file(&shown(&ignore_file), &e)))?;
            Rules::parse(&String::from_utf8_lossy(&text))
                .map_err(|e| HelmError::Load(LoadError::Ignore(e)))?
        }
        Err(_) => Rules::default(),
    }
    .with_defaults();
    let limits = Limits::default();
    let mut walk = Walk {
        rules,
        tree: FileTree::new(),
        log,
        budget: Budget::new(&limits),
    };
    // helm walks `top/`, so a chart folder that is a link is entered, not logged.
    let root = top.join("");
    // As helm's walk function, a root that cannot be read is no error (the chart then lacks
    // Chart.yaml).
    if let Ok(meta) = fs::symlink_metadata(&root) {
        walk.symwalk(&top, &root, &root, meta)?;
    }
    Ok(walk.tree)
}

struct Walk<'a> {
    rules: Rules,
    tree: FileTree,
    log: &'a mut Log,
    /// Bounds a walk that links lead in circles (helm walks on until paths grow too long),
    /// and the bytes of all files read, as an archive's unpacking is bounded.
    budget: Budget<'a>,
}

impl Walk<'_> {
    /// sympath's `symwalk`: a link is resolved and walked under its own name; a folder the
    /// walk function skips is not read. `meta` is `lstat` of `stat`: `path` itself, or for a
    /// link, what it resolves to (whose name Go's `FileInfo.Name` gives).
    fn symwalk(
        &mut self,
        top: &Path,
        path: &Path,
        stat: &Path,
        meta: Metadata,
    ) -> Result<(), HelmError> {
        self.budget.take_entry()?;
        if meta.file_type().is_symlink() {
            let resolved = eval_symlinks(path).map_err(|reason| {
                HelmError::Load(LoadError::Symlink {
                    path: shown(path),
                    reason,
                })
            })?;
            self.log.push(
                Level::Info,
                "found symbolic link in path. Contents of linked file included and used",
                &[("path", &shown(path)), ("resolved", &shown(&resolved))],
            );
            let meta = fs::symlink_metadata(&resolved)
                .map_err(|e| walk_error(PathError::new("lstat", &shown(&resolved), &e)))?;
            return self.symwalk(top, path, &resolved, meta);
        }
        if !self.visit(top, path, stat, &meta)? || !meta.is_dir() {
            return Ok(());
        }
        let mut names = match fs::read_dir(path) {
            Ok(entries) => entries
                .map(|entry| entry.map(|e| e.file_name()))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| walk_error(PathError::new("readdirent", &shown(path), &e)))?,
            // The walk function ignores errors on the chart folder itself.
            Err(_) if path.strip_prefix(top).is_ok_and(is_top) => return Ok(()),
            Err(e) => return Err(walk_error(PathError::new("open", &shown(path), &e))),
        };
        names.sort_by(|a, b| a.as_encoded_bytes().cmp(b.as_encoded_bytes()));
        for name in names {
            let child = path.join(name);
            let meta = fs::symlink_metadata(&child)
                .map_err(|e| walk_error(PathError::new("lstat", &shown(&child), &e)))?;
            self.symwalk(top, &child, &child, meta)?;
        }
        Ok(())
    }

    /// `LoadDir`'s walk function for one entry (`meta` being `lstat` of `stat`, what a link
    /// resolves to): whether to go into it, a folder. A file is kept unless `.helmignore`
    /// names it; its bytes are read bounded and charged to the walk's total.
    fn visit(
        &mut self,
        top: &Path,
        path: &Path,
        stat: &Path,
        meta: &Metadata,
    ) -> Result<bool, HelmError> {
        let Ok(rel) = path.strip_prefix(top) else {
            return Ok(false);
        };
        if is_top(rel) {
            return Ok(true);
        }
        let name = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        if meta.is_dir() {
            return Ok(!self.rules.ignore(&name, true));
        }
        if self.rules.ignore(&name, false) {
            return Ok(false);
        }
        if !meta.file_type().is_file() {
            return Err(HelmError::Load(LoadError::Irregular(shown(path))));
        }
        // helm names the file as its `FileInfo` does: a link by the base name of its target.
        let too_large = || {
            let base = stat.file_name().unwrap_or(stat.as_os_str());
            HelmError::Load(LoadError::FileTooLarge(shown(Path::new(base))))
        };
        if meta.len() > MAX_DECOMPRESSED_FILE_SIZE {
            return Err(too_large());
        }
        // Read bounded whatever the size said: a `/proc` file says 0, and a file may grow.
        let data = match read_path(path, MAX_DECOMPRESSED_FILE_SIZE) {
            Ok(data) => data,
            Err(ReadError::TooLarge { .. }) => return Err(too_large()),
            Err(other) => {
                return Err(HelmError::Load(LoadError::ReadFile {
                    error: PathError::read_file(&shown(path), &other.into_io()).to_string(),
                    name,
                }))
            }
        };
        self.budget.take_bytes(data.len() as u64)?;
        self.tree.insert(name, data);
        Ok(false)
    }
}

fn is_top(rel: &Path) -> bool {
    rel.as_os_str().is_empty()
}

fn walk_error(error: PathError) -> HelmError {
    HelmError::Load(LoadError::Walk(error.to_string()))
}

fn shown(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

/// Go's `filepath.Abs`: joined to the working folder and cleaned (`..` taken lexically).
fn absolute(path: &Path) -> PathBuf {
    let joined = std::env::current_dir().unwrap_or_default().join(path);
    let mut clean = PathBuf::new();
    for part in joined.components() {
        match part {
            Component::ParentDir => {
                clean.pop();
            }
            Component::CurDir => {}
            other => clean.push(other),
        }
    }
    clean
}

/// Go's `filepath.EvalSymlinks` on an absolute, clean path (path/filepath/symlink.go
/// `walkSymlinks`): each component in turn, a link's target spliced in, its error as Go words
/// it (`lstat P: no such file or directory` for a missing target, `not a directory`, `EvalSymlinks:
/// too many links` past 255 links).
fn eval_symlinks(path: &Path) -> Result<PathBuf, String> {
    const MAX_LINKS: usize = 255;
    let mut pending: Vec<PathBuf> = path
        .components()
        .rev()
        .map(|c| PathBuf::from(c.as_os_str()))
        .collect();
    let mut dest = PathBuf::from("/");
    let mut links = 0;
    while let Some(part) = pending.pop() {
        let part = part.as_path();
        match part.components().next() {
            None | Some(Component::RootDir) | Some(Component::CurDir) => continue,
            Some(Component::ParentDir) => {
                dest.pop();
                continue;
            }
            _ => {}
        }
        dest.push(part);
        let meta = fs::symlink_metadata(&dest)
            .map_err(|e| PathError::new("lstat", &shown(&dest), &e).to_string())?;
        if !meta.file_type().is_symlink() {
            if !meta.is_dir() && !pending.is_empty() {
                return Err("not a directory".to_string());
            }
            continue;
        }
        links += 1;
        if links > MAX_LINKS {
            return Err("EvalSymlinks: too many links".to_string());
        }
        let link = fs::read_link(&dest)
            .map_err(|e| PathError::new("readlink", &shown(&dest), &e).to_string())?;
        if link.is_absolute() {
            dest = PathBuf::from("/");
        } else {
            dest.pop();
        }
        pending.extend(
            link.components()
                .rev()
                .map(|c| PathBuf::from(c.as_os_str())),
        );
    }
    Ok(dest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn chart(dir: &Path) {
        fs::create_dir_all(dir.join("templates")).unwrap();
        fs::create_dir_all(dir.join("ign")).unwrap();
        fs::write(dir.join("Chart.yaml"), "name: c\n").unwrap();
        fs::write(dir.join("templates/x.yaml"), "a: 1\n").unwrap();
        fs::write(dir.join(".helmignore"), "ign/\nlnk\n").unwrap();
        symlink("../templates/x.yaml", dir.join("ign/l1")).unwrap();
        symlink("templates/x.yaml", dir.join("lnk")).unwrap();
    }

    /// A fresh folder under the system's temporary one, for this test and process.
    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("pkglens-chart-dir-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir.canonicalize().unwrap()
    }

    fn read(dir: &Path) -> (Result<Vec<String>, String>, Vec<String>) {
        let mut log = Log::default();
        let tree = read_chart_dir(dir, &mut log)
            .map(|t| t.iter().map(|(path, _)| path.to_string()).collect())
            .map_err(|e| e.to_string());
        (tree, log.lines().to_vec())
    }

    fn link_line(dir: &Path, path: &str, resolved: &str) -> String {
        format!(
            "level=INFO msg=\"found symbolic link in path. Contents of linked file included and used\" path={} resolved={}",
            dir.join(path).display(),
            dir.join(resolved).display()
        )
    }

    #[test]
    fn ignored_folders_are_skipped_before_their_links() {
        // helm v4.1.4 on this chart logs the ignored link `lnk` (links are resolved before the
        // ignore rules are asked) but not `ign/l1`, in an ignored folder.
        let dir = scratch("ignored").join("c");
        chart(&dir);
        let (tree, lines) = read(&dir);
        assert_eq!(
            tree.unwrap(),
            vec![".helmignore", "Chart.yaml", "templates/x.yaml"]
        );
        assert_eq!(lines, vec![link_line(&dir, "lnk", "templates/x.yaml")]);
        fs::remove_dir_all(dir.parent().unwrap()).unwrap();
    }

    #[test]
    fn broken_links_fail_with_go_texts() {
        // helm v4.1.4's errors for a link to a missing file and for a loop of two links.
        let dir = scratch("broken").join("c");
        chart(&dir);
        symlink("missing", dir.join("templates/bad.yaml")).unwrap();
        let (tree, lines) = read(&dir);
        assert_eq!(
            tree.unwrap_err(),
            format!(
                "error evaluating symlink {}: lstat {}: no such file or directory",
                dir.join("templates/bad.yaml").display(),
                dir.join("templates/missing").display()
            )
        );
        // The lines logged before the failure stay.
        assert_eq!(lines, vec![link_line(&dir, "lnk", "templates/x.yaml")]);
        fs::remove_file(dir.join("templates/bad.yaml")).unwrap();
        symlink("loop2", dir.join("loop1")).unwrap();
        symlink("loop1", dir.join("loop2")).unwrap();
        assert_eq!(
            read(&dir).0.unwrap_err(),
            format!(
                "error evaluating symlink {}: EvalSymlinks: too many links",
                dir.join("loop1").display()
            )
        );
        // A broken link inside an ignored folder is never looked at.
        fs::remove_file(dir.join("loop1")).unwrap();
        fs::remove_file(dir.join("loop2")).unwrap();
        symlink("nowhere/x", dir.join("ign/bad")).unwrap();
        assert!(read(&dir).0.is_ok());
        fs::remove_dir_all(dir.parent().unwrap()).unwrap();
    }

    /// A file (sparse: no disk is used) of `size` bytes.
    fn sized(path: &Path, size: u64) {
        fs::File::create(path).unwrap().set_len(size).unwrap();
    }

    /// helm v4.1.4 names a linked file over its cap by the link's target, as `os.Lstat` of
    /// the resolved path names it.
    #[test]
    fn a_linked_file_over_the_cap_is_named_by_its_target() {
        let dir = scratch("linked-big").join("c");
        chart(&dir);
        fs::create_dir_all(dir.join("data")).unwrap();
        sized(&dir.join("data/target.bin"), MAX_DECOMPRESSED_FILE_SIZE + 1);
        // Walked before its target: the error comes from the link.
        symlink("data/target.bin", dir.join("a-link.bin")).unwrap();
        assert_eq!(
            read(&dir).0.unwrap_err(),
            "chart file \"target.bin\" is larger than the maximum file size 5242880"
        );
        fs::remove_dir_all(dir.parent().unwrap()).unwrap();
    }

    /// Files each within helm's cap are read only up to the total an archive may expand to.
    #[test]
    fn a_folder_of_many_large_files_stops_at_the_total_limit() {
        let dir = scratch("many-large").join("c");
        chart(&dir);
        fs::create_dir_all(dir.join("files")).unwrap();
        let total = Limits::default().max_total_size;
        for i in 0..=total / MAX_DECOMPRESSED_FILE_SIZE {
            sized(
                &dir.join(format!("files/f{i:03}")),
                MAX_DECOMPRESSED_FILE_SIZE,
            );
        }
        let mut log = Log::default();
        let error = read_chart_dir(&dir, &mut log).unwrap_err();
        assert_eq!(error.limit(), Some(crate::budget::LimitKind::TotalSize));
        assert!(error.to_string().contains(&total.to_string()), "{error}");
        fs::remove_dir_all(dir.parent().unwrap()).unwrap();
    }

    #[test]
    fn eval_symlinks_follows_go() {
        let base = scratch("eval");
        fs::create_dir_all(base.join("d/e")).unwrap();
        fs::write(base.join("d/f"), "").unwrap();
        symlink("d/e/..", base.join("up")).unwrap();
        symlink(base.join("d/f"), base.join("abs")).unwrap();
        symlink("d/f/x", base.join("through_file")).unwrap();
        assert_eq!(eval_symlinks(&base.join("up")).unwrap(), base.join("d"));
        assert_eq!(eval_symlinks(&base.join("abs")).unwrap(), base.join("d/f"));
        assert_eq!(
            eval_symlinks(&base.join("through_file")).unwrap_err(),
            "not a directory"
        );
        fs::remove_dir_all(&base).unwrap();
    }
}
