//! kustomize's own krusty tests (../shared/conformance/kustomize, expectations from
//! `kubectl kustomize` v5.6.0), built in-process as `pkglens build DIR` builds them: an `ok`
//! case must print kubectl's bytes, an `error` case must fail. Every case named in
//! tests/kustomize_conformance_passing.txt must pass; newly passing cases are printed so they
//! get added to that list. An `error` case named in
//! tests/kustomize_conformance_error_texts.txt must also fail with kubectl's message: its
//! `expected/<case>.err` without kubectl's `# Warning:` lines and its `error: ` prefix, the
//! case folder written `CASE` as the suite writes it.

mod common;

use pkglens::input::{self, Input, InputKind};
use pkglens::kustomize::{self, BuildOptions, Files};
use pkglens::unpack::Limits;
use std::path::Path;

fn suite_dir() -> Option<std::path::PathBuf> {
    let dir = common::shared_dir()?.join("conformance/kustomize");
    dir.join("cases.tsv").is_file().then_some(dir)
}

/// Builds `dir` as `pkglens build DIR` does: the output, or the error's text.
fn build(dir: &Path) -> Result<String, String> {
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
    .map_err(|e| e.to_string())?;
    kustomize::build_with(
        Files::on_disk(&loaded.tree, dir),
        "",
        &BuildOptions::default(),
    )
    .map_err(|e| e.to_string())
}

/// `text` with Go pointers (`0xc` and six or more hex digits) written `0xPTR`, as the
/// suite writes them.
fn go_pointers_hidden(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("0xc") {
        out.push_str(&rest[..at]);
        let digits = rest[at + 3..]
            .bytes()
            .take_while(|b| b.is_ascii_hexdigit())
            .count();
        if digits >= 6 {
            out.push_str("0xPTR");
        } else {
            out.push_str(&rest[at..at + 3 + digits]);
        }
        rest = &rest[at + 3 + digits..];
    }
    out + rest
}

/// How one case went: whether it passed, and for an `error` case whether its message is
/// kubectl's.
struct Outcome {
    passed: bool,
    same_error_text: Option<bool>,
}

fn run_case(suite: &Path, case: &str, build_dir: &str) -> Outcome {
    let case_dir = suite.join("cases").join(case);
    let dir = if build_dir == "." {
        case_dir.clone()
    } else {
        case_dir.join(build_dir)
    };
    let got = if dir.is_dir() {
        build(&dir)
    } else {
        Err(String::new())
    };
    let expected = suite.join("expected").join(case);
    if let Ok(want) = std::fs::read(expected.with_extension("yaml")) {
        return Outcome {
            passed: got.is_ok_and(|g| g.as_bytes() == want.as_slice()),
            same_error_text: None,
        };
    }
    let want = std::fs::read_to_string(expected.with_extension("err")).unwrap_or_default();
    let want: Vec<&str> = want
        .lines()
        .filter(|l| !l.starts_with("# Warning:"))
        .collect();
    let want = want.join("\n");
    let want = want.strip_prefix("error: ").unwrap_or(&want).trim_end();
    let same_error_text = match (&got, std::fs::canonicalize(&case_dir)) {
        (Err(text), Ok(real)) => {
            go_pointers_hidden(&text.replace(&*real.to_string_lossy(), "CASE")).trim_end() == want
        }
        _ => false,
    };
    Outcome {
        passed: got.is_err(),
        same_error_text: Some(same_error_text),
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
    let outcomes: Vec<(String, Outcome)> = cases
        .iter()
        .map(|(case, build_dir)| (case.clone(), run_case(&suite, case, build_dir)))
        .collect();
    let passing: Vec<(String, bool)> = outcomes
        .iter()
        .map(|(case, o)| (case.clone(), o.passed))
        .collect();
    let error_texts: Vec<(String, bool)> = outcomes
        .iter()
        .filter_map(|(case, o)| Some((case.clone(), o.same_error_text?)))
        .collect();
    let passed = passing.iter().filter(|(_, ok)| *ok).count();
    let same = error_texts.iter().filter(|(_, ok)| *ok).count();
    println!("kustomize conformance: {passed}/{} cases pass", cases.len());
    println!(
        "kustomize conformance: {same}/{} error texts are kubectl's",
        error_texts.len()
    );
    common::keep_passing("kustomize_conformance_passing.txt", &passing);
    common::keep_passing("kustomize_conformance_error_texts.txt", &error_texts);
}
