//! kustomize's own krusty tests (../shared/conformance/kustomize, expectations from
//! `kubectl kustomize` v5.6.0), built in-process as `pkglens build DIR` builds them: an `ok`
//! case must print kubectl's bytes, an `error` case must fail. Every case named in
//! tests/kustomize_conformance_passing.txt must pass; newly passing cases are printed so they
//! get added to that list.

mod common;

use pkglens::input::{self, Input, InputKind};
use pkglens::kustomize::{self, BuildOptions, Files};
use pkglens::unpack::Limits;
use std::path::Path;

fn suite_dir() -> Option<std::path::PathBuf> {
    let dir = common::shared_dir()?.join("conformance/kustomize");
    dir.join("cases.tsv").is_file().then_some(dir)
}

/// Builds `dir` as `pkglens build DIR` does; `None` when the build fails.
fn build(dir: &Path) -> Option<String> {
    let loaded = input::load(
        &Input::at(
            dir,
            InputKind::Directory {
                skip_archives: true,
                unsafe_reported: false,
            },
        ),
        &Limits::default(),
    )
    .ok()?;
    kustomize::build_with(
        Files::on_disk(&loaded.tree, dir),
        "",
        &BuildOptions::default(),
    )
    .ok()
}

fn passes(suite: &Path, case: &str, build_dir: &str) -> bool {
    let case_dir = suite.join("cases").join(case);
    let dir = if build_dir == "." {
        case_dir
    } else {
        case_dir.join(build_dir)
    };
    let got = if dir.is_dir() { build(&dir) } else { None };
    match std::fs::read(suite.join("expected").join(format!("{case}.yaml"))) {
        Ok(want) => got.is_some_and(|g| g.as_bytes() == want.as_slice()),
        Err(_) => got.is_none(),
    }
}

#[test]
fn kustomize_conformance_cases_keep_passing() {
    let Some(suite) = suite_dir() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but ../shared/conformance/kustomize is absent"
        );
        println!("SKIPPED: ../shared/conformance/kustomize is absent");
        return;
    };
    let tsv = std::fs::read_to_string(suite.join("cases.tsv")).expect("cases.tsv");
    let cases: Vec<(String, String)> = tsv
        .lines()
        .skip(1)
        .filter_map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            Some((cols.first()?.to_string(), cols.get(3)?.to_string()))
        })
        .collect();
    let outcomes: Vec<(String, bool)> = cases
        .iter()
        .map(|(case, build_dir)| (case.clone(), passes(&suite, case, build_dir)))
        .collect();
    let passed = outcomes.iter().filter(|(_, ok)| *ok).count();
    println!("kustomize conformance: {passed}/{} cases pass", cases.len());
    common::keep_passing("kustomize_conformance_passing.txt", &outcomes);
}
