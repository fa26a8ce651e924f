//! `scan --catalog`, `get` and `diff` through the binary: results stored, unchanged inputs
//! skipped (and still printed), changed ones replaced, a killed scan completed by the next,
//! records answered by id and validated against the schema copies.

mod common;

use common::archives::tgz_under_pkg;
use serde_json::Value;
use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A chart archive of chart `name` (version `version`) running `image`.
fn chart(name: &str, version: &str, image: &str) -> Vec<u8> {
    let chart_yaml = format!("apiVersion: v2\nname: {name}\nversion: {version}\n");
    let deployment = common::archives::deployment(name, image);
    tgz_under_pkg(&[
        ("Chart.yaml", &chart_yaml),
        ("values.yaml", "{}\n"),
        ("templates/deployment.yaml", &deployment),
    ])
}

/// A chart repository folder with `count` charts `web-<i>` 1.0.0 running `nginx:<i>`.
fn repository(name: &str, count: usize) -> PathBuf {
    let dir = common::scratch_dir(name);
    let repo = dir.join("repo");
    fs::create_dir_all(&repo).unwrap();
    for i in 0..count {
        let archive = chart(&format!("web-{i}"), "1.0.0", &format!("nginx:1.{i}"));
        fs::write(repo.join(format!("web-{i}-1.0.0.tgz")), archive).unwrap();
    }
    repo
}

fn catalog_of(repo: &Path) -> String {
    common::path_str(&repo.parent().unwrap().join("catalog.db")).to_string()
}

/// `pkglens scan --catalog CATALOG ARGS...`: (exit code, results, stderr).
fn scan(catalog: &str, args: &[&str]) -> (i32, Vec<Value>, String) {
    let mut full = vec!["scan", "--format", "json", "--catalog", catalog];
    full.extend_from_slice(args);
    let (code, stdout, stderr) = common::pkglens(&full);
    let results = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"));
    (code, results, stderr)
}

fn package_ids(results: &[Value]) -> Vec<String> {
    results
        .iter()
        .map(|r| r["package"]["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_rescan_skips_unchanged_inputs_and_prints_the_same() {
    let repo = repository("catalog-skip", 3);
    let catalog = catalog_of(&repo);
    let repo = common::path_str(&repo);
    let (code, first, stderr) = scan(&catalog, &[repo]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(first.len(), 3);
    assert!(stderr.contains("0 input(s) skipped"), "{stderr}");
    let (_, second, stderr) = scan(&catalog, &[repo]);
    assert_eq!(
        first, second,
        "stored results are printed as the scan printed them"
    );
    assert!(stderr.contains("3 input(s) skipped"), "{stderr}");
    assert!(stderr.contains("0 scanned"), "{stderr}");
    // -q silences the count.
    let (_, _, stderr) = scan(&catalog, &["-q", repo]);
    assert!(!stderr.contains("skipped"), "{stderr}");
    // Other flags shape other results: nothing is skipped.
    let (_, _, stderr) = scan(&catalog, &["--release-name", "other", repo]);
    assert!(stderr.contains("0 input(s) skipped"), "{stderr}");
    assert!(stderr.contains("3 scanned"), "{stderr}");
}

#[test]
fn get_answers_by_package_id_and_astra_id() {
    let repo = repository("catalog-get", 2);
    let catalog = catalog_of(&repo);
    let (_, results, _) = scan(&catalog, &[common::path_str(&repo)]);
    let ids = package_ids(&results);
    let (code, stdout, stderr) = common::pkglens(&["get", &ids[0], "--catalog", &catalog]);
    assert_eq!(code, 0, "{stderr}");
    let package: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(package, results[0]["package"]);
    common::validate_all("Package", &[package]);

    let (code, stdout, _) =
        common::pkglens(&["get", &ids[1], "--catalog", &catalog, "--format", "astra"]);
    assert_eq!(code, 0);
    let astra: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(astra["packageName"], "web-1");
    common::validate_all("astra/Package", std::slice::from_ref(&astra));
    // The Astra id answers too, in both formats.
    let uuid = astra["id"].as_str().unwrap();
    let (code, stdout, _) =
        common::pkglens(&["get", uuid, "--catalog", &catalog, "--format", "astra"]);
    assert_eq!(code, 0);
    assert_eq!(serde_json::from_str::<Value>(&stdout).unwrap(), astra);
    let (code, stdout, _) = common::pkglens(&["get", uuid, "--catalog", &catalog]);
    assert_eq!(code, 0);
    assert_eq!(
        serde_json::from_str::<Value>(&stdout).unwrap(),
        results[1]["package"]
    );
}

#[test]
fn get_of_an_unknown_or_malformed_id_prints_a_problem() {
    let repo = repository("catalog-get-unknown", 1);
    let catalog = catalog_of(&repo);
    scan(&catalog, &[common::path_str(&repo)]);
    let unknown = "pkg_00000000-0000-5000-8000-000000000000";
    let (code, stdout, _) = common::pkglens(&["get", unknown, "--catalog", &catalog]);
    assert_eq!(code, 1);
    let problem: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(problem["status"], 404);
    common::validate_all("ErrorModel", &[problem]);
    let (code, stdout, _) = common::pkglens(&["get", "pkg_nope", "--catalog", &catalog]);
    assert_eq!(code, 2);
    let problem: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(problem["status"], 400);
    assert_eq!(problem["errors"][0]["value"], "pkg_nope");
    common::validate_all("ErrorModel", &[problem]);
    let (code, stdout, _) = common::pkglens(&[
        "get",
        "00000000-0000-5000-8000-000000000000",
        "--catalog",
        &catalog,
        "--format",
        "astra",
    ]);
    assert_eq!(code, 1);
    let problem: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(problem["title"], "Collection not found");
    assert_eq!(problem["status"], "404");
    // A missing catalog is a usage error, and no file is made.
    let missing = format!("{catalog}.missing");
    let (code, _, stderr) = common::pkglens(&["get", unknown, "--catalog", &missing]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no such file"), "{stderr}");
    assert!(!Path::new(&missing).exists());
}

#[test]
fn changed_and_removed_inputs_are_replaced_and_diffed() {
    let repo = repository("catalog-diff", 3);
    let catalog = catalog_of(&repo);
    let repo_str = common::path_str(&repo);
    let (_, before, _) = scan(&catalog, &[repo_str]);
    let ids = package_ids(&before);
    // web-0 gets a new release with another image, web-1 disappears, web-9 is new.
    fs::write(
        repo.join("web-0-1.1.0.tgz"),
        chart("web-0", "1.1.0", "nginx:2.0"),
    )
    .unwrap();
    fs::remove_file(repo.join("web-1-1.0.0.tgz")).unwrap();
    fs::write(
        repo.join("web-9-1.0.0.tgz"),
        chart("web-9", "1.0.0", "nginx:1.9"),
    )
    .unwrap();
    let (_, after, stderr) = scan(&catalog, &[repo_str]);
    assert_eq!(after.len(), 4);
    assert!(stderr.contains("2 input(s) skipped"), "{stderr}");
    assert!(stderr.contains("2 scanned"), "{stderr}");
    assert!(stderr.contains("1 removed"), "{stderr}");
    let (code, stdout, stderr) =
        common::pkglens(&["diff", "--catalog", &catalog, "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    let diff: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(diff["removed"].as_array().unwrap().len(), 1);
    assert_eq!(diff["removed"][0]["id"], ids[1].as_str());
    assert_eq!(diff["added"].as_array().unwrap().len(), 1);
    assert_eq!(diff["added"][0]["title"], "web-9");
    assert_eq!(diff["changed"].as_array().unwrap().len(), 1);
    let changed = &diff["changed"][0];
    assert_eq!(changed["id"], ids[0].as_str());
    assert_eq!(changed["images_added"], serde_json::json!(["nginx:2.0"]));
    assert_eq!(changed["images_removed"], serde_json::json!([]));
    // The removed package is gone from lookups; the text form says the same.
    let (code, _, _) = common::pkglens(&["get", &ids[1], "--catalog", &catalog]);
    assert_eq!(code, 1);
    let (_, text, _) = common::pkglens(&["diff", "--catalog", &catalog]);
    assert!(text.contains(&format!("- {} helm web-1", ids[1])), "{text}");
    assert!(text.contains("    + image nginx:2.0"), "{text}");
    // A scan that changes nothing leaves nothing to diff.
    scan(&catalog, &[repo_str]);
    let (_, text, _) = common::pkglens(&["diff", "--catalog", &catalog]);
    assert_eq!(text, "");
}

#[test]
fn two_catalogs_diff_against_each_other() {
    let old_repo = repository("catalog-diff-old", 2);
    let new_repo = repository("catalog-diff-new", 3);
    let old = catalog_of(&old_repo);
    let new = catalog_of(&new_repo);
    scan(&old, &[common::path_str(&old_repo)]);
    scan(&new, &[common::path_str(&new_repo)]);
    let (code, stdout, _) = common::pkglens(&["diff", &old, &new, "--format", "json"]);
    assert_eq!(code, 0);
    let diff: Value = serde_json::from_str(&stdout).unwrap();
    // The paths differ (two folders), so the two common packages changed their sources only.
    assert_eq!(diff["added"][0]["title"], "web-2");
    assert!(diff["removed"].as_array().unwrap().is_empty());
    for change in diff["changed"].as_array().unwrap() {
        assert_eq!(change["images_added"], serde_json::json!([]));
        assert_eq!(change["sources_added"].as_array().unwrap().len(), 1);
    }
}

#[test]
fn a_killed_scan_is_completed_by_the_next() {
    let repo = repository("catalog-kill", 12);
    let catalog = catalog_of(&repo);
    let repo_str = common::path_str(&repo);
    let mut child = Command::new(env!("CARGO_BIN_EXE_pkglens"))
        .args([
            "scan",
            "--format",
            "ndjson",
            "-j",
            "1",
            "--catalog",
            &catalog,
            repo_str,
        ])
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // The first result is printed after its input is in the catalog: kill the scan then.
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    let (_, resumed, stderr) = scan(&catalog, &[repo_str]);
    assert!(!stderr.contains(" 0 input(s) skipped"), "{stderr}");
    // Whatever the kill cut short, the catalog now holds what a full scan makes.
    let fresh_catalog = format!("{catalog}.fresh");
    let (_, full, _) = scan(&fresh_catalog, &[repo_str]);
    assert_eq!(resumed, full);
    for id in package_ids(&full) {
        let (code, stored, _) = common::pkglens(&["get", &id, "--catalog", &catalog]);
        let (_, fresh, _) = common::pkglens(&["get", &id, "--catalog", &fresh_catalog]);
        assert_eq!(code, 0);
        assert_eq!(stored, fresh);
    }
    // When the kill cut the scan short, its completion is the same generation: diff sees all
    // 12 packages added.
    if !stderr.contains("12 input(s) skipped") {
        let (_, stdout, _) = common::pkglens(&["diff", "--catalog", &catalog, "--format", "json"]);
        let diff: Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(diff["added"].as_array().unwrap().len(), 12);
    }
}
