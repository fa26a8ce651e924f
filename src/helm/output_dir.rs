//! `helm template --output-dir DIR`: every printed document goes to a file named after its
//! template under DIR instead of stdout, with a `wrote PATH` line for each write (helm
//! pkg/action/action.go `renderResources` and pkg/cmd/template.go `writeToFile`).

use super::manifests::Manifest;
use crate::go::os::PathError;
use crate::template::funcs::library::path_clean;
use std::collections::HashSet;
use std::io::Write;
use std::path::Path;

/// Where the documents go.
#[derive(Debug, Clone, Copy)]
pub struct OutputDir<'a> {
    /// `--output-dir`, as given.
    pub dir: &'a str,
    /// `--release-name`: templates (not CRDs) go under `DIR/RELEASE`.
    pub release: Option<&'a str>,
}

/// Why the documents were not all written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// What the system refused, as Go words it (`stat out/m/templates: not a directory`).
    #[error("{0}")]
    Path(PathError),
    /// A template's name would put its file outside the output directory, through `..` or
    /// through a symbolic link already below it: pkglens writes nowhere else (helm's chart
    /// names cannot hold `..`; this guards the rule, not a case).
    #[error("refusing to write {0}: it is outside the output directory")]
    Outside(String),
    /// The `wrote` line could not be printed.
    #[error("{0}")]
    Report(std::io::Error),
}

/// A failed write, and whether it was a hook's: helm adds its `--debug` hint to the others,
/// which fail inside the install action.
#[derive(Debug, thiserror::Error)]
#[error("{error}")]
pub struct Failed {
    /// What failed.
    pub error: WriteError,
    /// Whether the document was a hook's.
    pub during_hooks: bool,
}

/// Writes `documents` (in printed order: CRDs, manifests, then hooks) under `out`, printing
/// `wrote PATH` on `report` for each. A manifest appends to a file written before in this
/// run, else replaces it; a hook appends to any file already there (even from an earlier
/// run), as helm's template command does.
pub fn write(
    out: OutputDir<'_>,
    documents: &[Manifest],
    report: &mut dyn Write,
) -> Result<(), Failed> {
    // `filepath.Join` cleans; the output dir alone is used as given.
    let release_dir = out
        .release
        .map(|release| path_clean(&format!("{}/{release}", out.dir)));
    let mut written = HashSet::new();
    for doc in documents {
        let during_hooks = doc.hook.is_some();
        let dir = match &release_dir {
            Some(dir) if !doc.crd_file => dir.as_str(),
            _ => out.dir,
        };
        let append = if during_hooks {
            Path::new(&path_clean(&format!("{dir}/{}", doc.source))).exists()
        } else {
            !written.insert(doc.source.as_str())
        };
        write_document(dir, doc, append, report).map_err(|error| Failed {
            error,
            during_hooks,
        })?;
    }
    Ok(())
}

fn write_document(
    dir: &str,
    doc: &Manifest,
    append: bool,
    report: &mut dyn Write,
) -> Result<(), WriteError> {
    if doc.source.split('/').any(|part| part == "..") || links_below(dir, &doc.source) {
        return Err(WriteError::Outside(doc.source.clone()));
    }
    let file_name = format!("{dir}/{}", doc.source);
    let parent = path_clean(&file_name);
    let parent = parent.rsplit_once('/').map_or(".", |(parent, _)| parent);
    match std::fs::metadata(parent) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(WriteError::Path(PathError::new("stat", parent, &e)))
        }
        // Go's `os.MkdirAll` on a file: ENOTDIR, where creating it would say it exists.
        Ok(meta) if !meta.is_dir() => {
            let not_dir = std::io::Error::from_raw_os_error(libc::ENOTDIR);
            return Err(WriteError::Path(PathError::new("mkdir", parent, &not_dir)));
        }
        _ => std::fs::create_dir_all(parent)
            .map_err(|e| WriteError::Path(PathError::new("mkdir", parent, &e)))?,
    }
    let mut options = std::fs::OpenOptions::new();
    if append {
        options.append(true);
    } else {
        options.write(true).create(true).truncate(true);
    }
    let text = format!("---\n# Source: {}\n{}\n", doc.source, doc.content);
    options
        .open(&file_name)
        .and_then(|mut file| file.write_all(text.as_bytes()))
        .map_err(|e| WriteError::Path(PathError::new("open", &file_name, &e)))?;
    writeln!(report, "wrote {file_name}").map_err(WriteError::Report)
}

/// Whether a folder or file on the way from `dir` to its `source` is a symbolic link, which
/// a write would follow out of `dir` (the output folder itself is the user's to choose).
fn links_below(dir: &str, source: &str) -> bool {
    let mut path = std::path::PathBuf::from(dir);
    source
        .split('/')
        .filter(|part| !part.is_empty())
        .any(|part| {
            path.push(part);
            std::fs::symlink_metadata(&path).is_ok_and(|meta| meta.file_type().is_symlink())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(source: &str, content: &str, hook: bool, crd_file: bool) -> Manifest {
        Manifest {
            source: source.into(),
            content: content.into(),
            kind: String::new(),
            hook_events: Vec::new(),
            hook: hook.then(|| "pre-install".to_string()),
            crd_file,
            values: None,
        }
    }

    fn scratch(name: &str) -> String {
        let dir =
            std::env::temp_dir().join(format!("pkglens-output-dir-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir.to_string_lossy().into_owned()
    }

    #[test]
    fn writes_like_helm_template() {
        // helm v4.1.4 `template rel ./c --output-dir DIR/ --release-name --include-crds` on a
        // chart `m` with a CRD, two documents in one template and a hook: CRDs stay under DIR,
        // the rest go under DIR/rel; the second document of a file is appended.
        let root = scratch("basic");
        let out_dir = format!("{root}/");
        let docs = [
            doc(
                "m/crds/crd.yaml",
                "kind: CustomResourceDefinition",
                false,
                true,
            ),
            doc("m/templates/cm.yaml", "kind: Secret", false, false),
            doc("m/templates/cm.yaml", "kind: ConfigMap", false, false),
            doc("m/templates/hook.yaml", "kind: Pod", true, false),
        ];
        let mut report = Vec::new();
        let out = OutputDir {
            dir: &out_dir,
            release: Some("rel"),
        };
        write(out, &docs, &mut report).unwrap();
        let clean = path_clean(&root);
        assert_eq!(
            String::from_utf8(report).unwrap(),
            format!(
                "wrote {root}//m/crds/crd.yaml\nwrote {clean}/rel/m/templates/cm.yaml\n\
                 wrote {clean}/rel/m/templates/cm.yaml\nwrote {clean}/rel/m/templates/hook.yaml\n"
            )
        );
        let read = |p: &str| std::fs::read_to_string(format!("{root}/{p}")).unwrap();
        assert_eq!(
            read("rel/m/templates/cm.yaml"),
            "---\n# Source: m/templates/cm.yaml\nkind: Secret\n---\n# Source: m/templates/cm.yaml\nkind: ConfigMap\n"
        );
        assert_eq!(
            read("m/crds/crd.yaml"),
            "---\n# Source: m/crds/crd.yaml\nkind: CustomResourceDefinition\n"
        );
        // A second run replaces the manifests' files but appends to the hook's.
        write(out, &docs, &mut Vec::new()).unwrap();
        assert_eq!(read("rel/m/templates/cm.yaml").matches("---").count(), 2);
        assert_eq!(read("rel/m/templates/hook.yaml").matches("---").count(), 2);
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn refuses_what_leaves_the_directory_and_reports_like_go() {
        let root = scratch("refuse");
        let escape = [doc("m/../../x.yaml", "a: 1", false, false)];
        let out = OutputDir {
            dir: &root,
            release: None,
        };
        let err = write(out, &escape, &mut Vec::new()).unwrap_err();
        assert!(matches!(err.error, WriteError::Outside(_)));
        assert!(!Path::new(&format!("{root}/../x.yaml")).exists());
        // A file where a folder must go: helm's `stat` error.
        std::fs::write(format!("{root}/blocker"), "").unwrap();
        let blocked = OutputDir {
            dir: &format!("{root}/blocker"),
            release: None,
        };
        let err = write(
            blocked,
            &[doc("m/templates/a.yaml", "a: 1", true, false)],
            &mut Vec::new(),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("stat {root}/blocker/m/templates: not a directory")
        );
        assert!(err.during_hooks);
        std::fs::remove_dir_all(&root).unwrap();
    }

    /// A link below the output folder, to a folder or a file elsewhere, is never written
    /// through: not by a manifest, nor by a hook that would append to its target.
    #[test]
    fn refuses_links_below_the_directory() {
        let root = scratch("links");
        let elsewhere = scratch("links-target");
        let out = format!("{root}/out");
        std::fs::create_dir_all(format!("{out}/m")).unwrap();
        std::os::unix::fs::symlink(&elsewhere, format!("{out}/m/templates")).unwrap();
        let dir = OutputDir {
            dir: &out,
            release: None,
        };
        let manifest = [doc("m/templates/a.yaml", "a: 1", false, false)];
        let err = write(dir, &manifest, &mut Vec::new()).unwrap_err();
        assert!(matches!(err.error, WriteError::Outside(_)));
        std::fs::write(format!("{elsewhere}/hook.yaml"), "kept\n").unwrap();
        std::fs::create_dir_all(format!("{out}/n/templates")).unwrap();
        std::os::unix::fs::symlink(
            format!("{elsewhere}/hook.yaml"),
            format!("{out}/n/templates/hook.yaml"),
        )
        .unwrap();
        let hook = [doc("n/templates/hook.yaml", "a: 1", true, false)];
        let err = write(dir, &hook, &mut Vec::new()).unwrap_err();
        assert!(matches!(err.error, WriteError::Outside(_)));
        assert_eq!(
            std::fs::read_to_string(format!("{elsewhere}/hook.yaml")).unwrap(),
            "kept\n"
        );
        assert_eq!(std::fs::read_dir(&elsewhere).unwrap().count(), 1);
        std::fs::remove_dir_all(&root).unwrap();
        std::fs::remove_dir_all(&elsewhere).unwrap();
    }
}
