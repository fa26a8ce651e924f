//! Our kustomize build on small kustomizations we wrote (testdata/kustomize),
//! each with the exact output `kubectl kustomize` (kustomize v5.6.0) printed
//! for it in `expected.yaml`; `errors/*` are inputs kustomize refuses
//! (its message kept in `kubectl-error.txt`), which must fail for us too.
//! A case's `entry` file names the kustomization folder when it is not the top;
//! an `options` file holding `enable-helm` builds as `--enable-helm` does
//! (that case's output came from kubectl kustomize --enable-helm running helm
//! v4.1.4 through a wrapper answering kustomize's `helm version -c` probe).

mod common;

use pkglens::files::FileTree;
use pkglens::kustomize;
use std::path::{Path, PathBuf};

const CASE_FILES: [&str; 4] = ["expected.yaml", "entry", "options", "kubectl-error.txt"];

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/kustomize")
}

fn read_case(dir: &Path) -> (FileTree, String) {
    let mut tree = FileTree::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.unwrap();
        let rel = entry
            .path()
            .strip_prefix(dir)
            .unwrap()
            .to_string_lossy()
            .to_string();
        if entry.file_type().is_file() && !CASE_FILES.contains(&rel.as_str()) {
            tree.insert(rel, std::fs::read(entry.path()).unwrap());
        }
    }
    let entry = std::fs::read_to_string(dir.join("entry")).unwrap_or_default();
    (tree, entry.trim().to_string())
}

fn case_dirs(dir: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir() && p.file_name().is_some_and(|n| n != "errors"))
        .collect();
    dirs.sort();
    dirs
}

#[test]
fn builds_match_kubectl_kustomize_output() {
    let dirs = case_dirs(&cases_dir());
    assert!(
        dirs.len() >= 10,
        "expected the kustomize cases in testdata/kustomize"
    );
    let mut failures = Vec::new();
    for dir in &dirs {
        let (tree, entry) = read_case(dir);
        let expected = std::fs::read_to_string(dir.join("expected.yaml")).unwrap();
        let options = kustomize::BuildOptions {
            enable_helm: std::fs::read_to_string(dir.join("options"))
                .unwrap_or_default()
                .contains("enable-helm"),
        };
        if options.enable_helm {
            assert!(
                kustomize::build(&tree, &entry).is_err(),
                "{}: helmCharts need --enable-helm, as in kustomize",
                dir.display()
            );
        }
        match kustomize::build_with(kustomize::Files::in_tree(&tree), &entry, &options) {
            Ok(out) if out == expected => {}
            Ok(out) => failures.push(format!(
                "{}: output differs\n--- expected\n{expected}\n--- got\n{out}",
                dir.display()
            )),
            Err(e) => failures.push(format!("{}: {e}", dir.display())),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn inputs_kustomize_refuses_fail() {
    let dirs = case_dirs(&cases_dir().join("errors"));
    assert!(
        dirs.len() >= 5,
        "expected the error cases in testdata/kustomize/errors"
    );
    for dir in &dirs {
        let (tree, entry) = read_case(dir);
        assert!(
            dir.join("kubectl-error.txt").is_file(),
            "{}: kubectl's error is recorded",
            dir.display()
        );
        match kustomize::build(&tree, &entry) {
            Ok(out) => panic!("{}: built, but kustomize fails:\n{out}", dir.display()),
            Err(e) => assert!(!e.to_string().is_empty()),
        }
    }
}

#[test]
fn remote_and_outside_files_are_named_in_the_error() {
    let (tree, entry) = read_case(&cases_dir().join("errors/remote-resource"));
    let err = kustomize::build(&tree, &entry).unwrap_err().to_string();
    assert!(
        err.contains("https://example.com/manifests/app.yaml"),
        "{err}"
    );
    let (tree, entry) = read_case(&cases_dir().join("errors/outside-root"));
    let err = kustomize::build(&tree, &entry).unwrap_err().to_string();
    assert!(
        err.contains("security; file 'shared.yaml' is not in or below 'app'"),
        "{err}"
    );
}

#[test]
fn roots_are_kustomizations_nobody_references() {
    let (tree, _) = read_case(&cases_dir().join("components"));
    assert_eq!(kustomize::find_roots(&tree), ["overlay"]);
    let (tree, _) = read_case(&cases_dir().join("generators"));
    assert_eq!(kustomize::find_roots(&tree), ["overlay"]);
}

#[test]
fn scanned_images_name_the_file_each_object_came_from() {
    let dir = cases_dir().join("nameref-final-pass");
    let mut results = Vec::new();
    pkglens::scan::scan(&[dir], &pkglens::scan::ScanOptions::default(), |r| {
        results.push(r)
    })
    .unwrap();
    let Some(result) = results
        .iter()
        .find(|r| r.source.entry.as_deref() == Some("all"))
    else {
        panic!("the kustomization root `all` expected: {results:#?}");
    };
    let used_by: Vec<(&str, &str)> = result
        .images
        .iter()
        .flat_map(|i| i.used_by.iter())
        .map(|u| (u.name.as_str(), u.source.as_str()))
        .collect();
    assert_eq!(
        used_by,
        [("prod-app", "base/app.yaml"), ("dev-app", "base/app.yaml")]
    );
}

#[test]
fn an_empty_kustomization_fails_with_kustomizes_words() {
    let (tree, entry) = read_case(&cases_dir().join("errors/empty-kustomization"));
    let err = kustomize::build(&tree, &entry).unwrap_err().to_string();
    let recorded =
        std::fs::read_to_string(cases_dir().join("errors/empty-kustomization/kubectl-error.txt"))
            .unwrap();
    assert_eq!(format!("error: {err}\n"), recorded);
}

/// `pkglens build DIR` reads the archives in the folder as kustomize does: as files a
/// generator may embed.
#[test]
fn build_of_a_folder_embeds_an_archive_a_generator_names() {
    let dir = cases_dir().join("generator-archive");
    let (code, stdout, stderr) = common::pkglens(&["build", common::path_str(&dir)]);
    assert_eq!(code, 0, "{stderr}");
    let expected = std::fs::read_to_string(dir.join("expected.yaml")).unwrap();
    assert_eq!(stdout, expected);
}
